"""The figures admin: entry through the services, history, bulk delete, formatting, queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.models import Figure, FiscalYear
from reporting.services import create_fiscal_year
from tests.lookups import figure_of, metric_of, period_of
from units.models import Metric

CHANGELIST = "admin:reporting_figure_changelist"


def _add(client, metric, period, value, note=""):
    return client.post(
        reverse("admin:reporting_figure_add"),
        {"metric": metric.pk, "period": period.pk, "region": "", "value": value, "note": note},
    )


def test_adding_a_figure_in_the_admin_records_it_with_history(catalogue, client, clerk):
    client.force_login(clerk)
    response = _add(client, metric_of("ICE", "file-intakes"), period_of("Q1"), "1,234")
    assert response.status_code == 302
    figure = figure_of("ICE", "file-intakes", "Q1")
    assert figure.value == Decimal(1234)
    record = figure.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        clerk,
        "admin",
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("twelve", "is not a number"),
        ("12.5", "not a whole number"),
        ("-3", "negative"),
        ("", "This field is required"),
    ],
)
def test_the_admin_form_names_what_is_wrong_with_a_figure(catalogue, client, clerk, typed, message):
    client.force_login(clerk)
    response = _add(client, metric_of("ICE", "file-intakes"), period_of("Q1"), typed)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["value"])
    assert not Figure.objects.exists()


def test_changing_a_figure_keeps_the_old_and_new_value(dataset, client, clerk):
    client.force_login(clerk)
    figure = figure_of("ICE", "file-intakes", "Q1")
    url = reverse("admin:reporting_figure_change", args=[figure.pk])
    assert client.get(url).context["adminform"].form.initial["value"] == "680"
    response = client.post(url, {"value": "$700", "note": "corrected from the Q1 return"})
    assert response.status_code == 302
    latest, previous = figure.history.all()[:2]
    assert (previous.value, latest.value) == (Decimal(680), Decimal(700))
    assert latest.note == "corrected from the Q1 return"
    assert (latest.history_user, latest.history_change_reason) == (clerk, "admin")


def test_deleting_a_figure_in_the_admin_leaves_a_history_record(dataset, client, clerk):
    client.force_login(clerk)
    figure = figure_of("ICE", "file-intakes", "Q1")
    url = reverse("admin:reporting_figure_delete", args=[figure.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Figure.objects.filter(pk=figure.pk).exists()
    record = Figure.history.filter(id=figure.pk).first()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-",
        clerk,
        "admin",
    )


def test_django_bulk_delete_is_replaced_by_one_that_writes_history(dataset, client, clerk):
    client.force_login(clerk)
    ids = list(Figure.objects.for_unit("ICE").for_year("2023-24").values_list("pk", flat=True))
    changelist = reverse(CHANGELIST)
    assert (
        "delete_selected"
        not in client.get(changelist).context["action_form"].fields["action"].choices.__repr__()
    )
    confirm = client.post(changelist, {"action": "delete_figures", "_selected_action": ids})
    assert confirm.status_code == 200  # Django's confirmation page
    done = client.post(
        changelist, {"action": "delete_figures", "_selected_action": ids, "post": "yes"}
    )
    assert done.status_code == 302
    assert not Figure.objects.filter(pk__in=ids).exists()
    deletions = Figure.history.filter(id__in=ids, history_type="-")
    assert deletions.count() == len(ids) == 30
    assert set(deletions.values_list("history_user", "history_change_reason")) == {
        (clerk.pk, "admin: bulk delete")
    }


def test_bulk_delete_in_a_locked_year_deletes_nothing_and_says_why(locked_year, client, clerk):
    client.force_login(clerk)
    ids = list(Figure.objects.for_unit("ICE").values_list("pk", flat=True))
    response = client.post(
        reverse(CHANGELIST),
        {"action": "delete_figures", "_selected_action": ids, "post": "yes"},
        follow=True,
    )
    assert "was published" in response.content.decode()
    assert "by alice" in response.content.decode()
    assert Figure.objects.filter(pk__in=ids).count() == len(ids)


def test_figures_are_formatted_for_reading(cfseu, client, leader):
    client.force_login(leader)
    response = client.get(reverse(CHANGELIST), {"metric__unit__id__exact": cfseu.pk, "q": "drugs"})
    page = response.content.decode()
    assert "$5,334,163" in page
    response = client.get(reverse(CHANGELIST), {"q": "ibis"})
    assert "1,334" in response.content.decode()


def test_the_note_filter_finds_the_figures_with_notes(dataset, client, leader):
    client.force_login(leader)
    response = client.get(reverse(CHANGELIST), {"has_note": "yes"})
    assert response.context["cl"].result_count == Figure.objects.exclude(note="").count() == 9
    response = client.get(reverse(CHANGELIST), {"has_note": "no"})
    assert response.context["cl"].result_count == Figure.objects.filter(note="").count()


def test_the_changelist_lists_quarters_before_the_full_year(dataset, client, leader):
    client.force_login(leader)
    response = client.get(reverse(CHANGELIST), {"q": "file intakes"})
    periods = [f.period.period for f in response.context["cl"].result_list][:5]
    assert periods == ["Q1", "Q2", "Q3", "Q4", "FY"]


def _fill(count: int) -> None:
    """``count`` figures in all: the catalogue's metrics over as many years as it takes."""
    metrics = list(Metric.objects.all())
    figures = []
    start = 2000
    while len(figures) < count:
        label = FiscalYear.label_for(start)
        year = FiscalYear.objects.filter(label=label).first() or create_fiscal_year(label=label)
        for period in year.periods.all():
            for metric in metrics:
                figures.append(Figure(metric=metric, period=period, value=Decimal(7)))
        start += 1
    Figure.objects.bulk_create(figures[:count])


def _changelist_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"all": ""})
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "changelist",
    ["admin:reporting_figure_changelist", "admin:reporting_historicalfigure_changelist"],
)
def test_a_changelist_costs_the_same_queries_at_10_and_500_rows(
    catalogue, client, administrator, changelist
):
    client.force_login(administrator)
    url = reverse(changelist)
    client.get(url)  # the user's permissions are read once, then come from the cache
    _fill(10)
    Figure.history.bulk_history_create(list(Figure.objects.all()))
    small, rows = _changelist_queries(client, url)
    assert rows == 10
    Figure.objects.all().delete()
    Figure.history.all().delete()
    _fill(500)
    Figure.history.bulk_history_create(list(Figure.objects.all()))
    large, rows = _changelist_queries(client, url)
    assert rows == 500
    assert small == large


def test_a_reader_sees_a_figure_as_people_read_it(cfseu, client, leader):
    client.force_login(leader)
    figure = figure_of("CFSEU", "est-value-of-drugs-seized", "FY", region="Red Deer")
    page = client.get(reverse("admin:reporting_figure_change", args=[figure.pk]))
    assert "$2,451,800" in page.content.decode()
    assert "2451800.00" not in page.content.decode()
