"""A year added in the admin comes with its five periods, through the one service."""

from django.urls import reverse

from reporting.models import FiscalYear, ReportingPeriod


def test_a_year_added_in_the_admin_has_its_five_periods(client, administrator, dataset):
    client.force_login(administrator)
    response = client.post(reverse("admin:reporting_fiscalyear_add"), {"label": "2024-25"})
    assert response.status_code == 302
    year = FiscalYear.objects.get(label="2024-25")
    assert year.start_year == 2024 and year.status == FiscalYear.Status.OPEN
    assert sorted(year.periods.values_list("period", flat=True)) == sorted(
        ReportingPeriod.Period.values
    )
    assert year.history.get().history_user == administrator


def test_a_malformed_year_is_refused_by_the_admin_form(client, administrator, dataset):
    client.force_login(administrator)
    response = client.post(reverse("admin:reporting_fiscalyear_add"), {"label": "2024-26"})
    assert response.status_code == 200
    assert "the two years must be consecutive" in response.content.decode()
    assert not FiscalYear.objects.filter(label="2024-26").exists()


def test_a_year_in_other_digits_is_a_form_error_not_a_server_error(client, administrator, dataset):
    client.force_login(administrator)
    for label in ["２０２４-25", "٢٠٢٤-٢٥", "2024-２５"]:
        response = client.post(reverse("admin:reporting_fiscalyear_add"), {"label": label})
        assert response.status_code == 200, label
        assert "is not a fiscal year: write it as YYYY-YY" in response.content.decode()
    assert not FiscalYear.objects.filter(start_year=2024).exists()
    # The open-year service refuses it the same way.
    client.post(reverse("admin:reporting_fiscalyear_open_next"), {"label": "２０２４-25"})
    assert not FiscalYear.objects.filter(start_year=2024).exists()


def test_deleting_a_year_with_figures_is_refused_in_plain_words(dataset, client, administrator):
    from django.contrib.messages import get_messages

    from reporting.models import FiscalYear

    client.force_login(administrator)
    year = FiscalYear.objects.get(label="2023-24")
    url = reverse("admin:reporting_fiscalyear_delete", args=[year.pk])
    for response in (client.get(url), client.post(url, {"post": "yes"})):
        assert response.status_code == 302
        assert response.url == reverse("admin:reporting_fiscalyear_change", args=[year.pk])
        message = [str(m) for m in get_messages(response.wsgi_request)][-1]
        assert message.startswith("Fiscal year 2023-24 cannot be deleted: it holds ")
        assert " figures" in message
    assert FiscalYear.objects.filter(pk=year.pk).exists()
    changelist = client.get(reverse("admin:reporting_fiscalyear_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_an_empty_year_may_still_be_deleted(catalogue, client, administrator):
    from reporting import services
    from reporting.models import FiscalYear

    year = services.create_fiscal_year(label="2030-31", user=administrator)
    client.force_login(administrator)
    url = reverse("admin:reporting_fiscalyear_delete", args=[year.pk])
    assert "Are you sure" in client.get(url).content.decode()
    client.post(url, {"post": "yes"})
    assert not FiscalYear.objects.filter(pk=year.pk).exists()
