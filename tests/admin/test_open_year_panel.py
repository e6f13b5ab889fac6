"""The admin home and the grid picker offer the next fiscal year to
administrators; to everyone else the notice is not shown (it is theirs to act on)."""

import pytest
from django.urls import reverse

from reporting.models import FiscalYear

OPEN_NEXT = reverse("admin:reporting_fiscalyear_open_next")


def test_administrators_see_the_button_on_the_home_page_and_the_grid_picker(
    client, administrator, dataset
):
    client.force_login(administrator)
    for page in [reverse("admin:index"), reverse("admin:reporting_figure_grid_pick")]:
        html = client.get(page).content.decode()
        assert "Open fiscal year 2024-25</button>" in html, page
        assert f'action="{OPEN_NEXT}"' in html


@pytest.mark.parametrize("role", ["clerk", "leader"])
def test_the_notice_is_for_administrators_only(client, role, request, dataset):
    client.force_login(request.getfixturevalue(role))
    for page in [reverse("admin:index"), reverse("admin:reporting_figure_grid_pick")]:
        response = client.get(page)
        if response.status_code == 403:
            continue  # leadership enters no figures: no grid picker
        html = response.content.decode()
        assert "2024-25 is not open yet" not in html, page
        assert "Open fiscal year 2024-25</button>" not in html


def test_the_button_opens_the_year_and_returns_to_the_page(client, administrator, dataset):
    client.force_login(administrator)
    picker = reverse("admin:reporting_figure_grid_pick")
    response = client.post(OPEN_NEXT, {"label": "2024-25", "next": picker}, follow=True)
    assert response.redirect_chain[-1][0] == picker
    year = FiscalYear.objects.get(label="2024-25")
    html = response.content.decode()
    assert "Fiscal year 2024-25 is open" in html
    assert f"?fiscal_year={year.pk}" in html
    assert "Open fiscal year 2025-26</button>" in html  # the next one, one at a time


def test_a_second_click_opens_nothing_more(client, administrator, dataset):
    client.force_login(administrator)
    client.post(OPEN_NEXT, {"label": "2024-25"})
    response = client.post(OPEN_NEXT, {"label": "2024-25"}, follow=True)
    assert "Fiscal year 2024-25 is already on record." in response.content.decode()
    assert FiscalYear.objects.filter(start_year__gt=2023).count() == 1


def test_clerks_cannot_open_a_year_and_get_is_refused(client, clerk, administrator, dataset):
    client.force_login(clerk)
    assert client.post(OPEN_NEXT, {"label": "2024-25"}).status_code == 403
    client.force_login(administrator)
    assert client.get(OPEN_NEXT).status_code == 405
    assert not FiscalYear.objects.filter(label="2024-25").exists()


def test_an_outside_return_address_is_not_followed(client, administrator, dataset):
    client.force_login(administrator)
    response = client.post(OPEN_NEXT, {"label": "2024-25", "next": "https://evil.example/"})
    assert response.url == reverse("admin:index")


def test_the_open_form_needs_its_csrf_token(administrator, dataset):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    assert client.post(OPEN_NEXT, {"label": "2024-25"}).status_code == 403
    assert not FiscalYear.objects.filter(label="2024-25").exists()
