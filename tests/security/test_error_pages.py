"""Every error page is a page: the 403 says which roles open it and offers
sign-out, the lockout says when to try again and links back; the favicon is
served; HEAD answers as GET; the API answers JSON only."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LEADERSHIP_PAGES = [
    "/",
    reverse("reporting:year_list"),
    reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"}),
    reverse("reporting:download_csv", kwargs={"fiscal_year": "2023-24"}),
    reverse("reporting:download_xlsx", kwargs={"fiscal_year": "2023-24"}),
    reverse("reporting:print_running_header", kwargs={"fiscal_year": "2023-24"}),
    reverse("login"),
    reverse("health"),
]


def test_a_signed_in_user_without_a_role_gets_a_page_naming_the_roles_and_a_sign_out(
    client, dataset, outsider
):
    client.force_login(outsider)
    response = client.get(reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"}))
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>This page is not open to your account</h1>" in page
    assert "signed in as <strong>dan</strong>" in page
    for role in ["Leadership", "Data entry", "Administrators"]:
        assert f"<strong>{role}</strong>" in page
    assert f'action="{reverse("logout")}"' in page and "Sign out</button>" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'class="site-header"' in page  # a page of the site, not a bare line


def test_the_lockout_page_says_when_to_try_again_and_links_back(client, leader):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("login"),
            {"username": "carol", "password": "guess"},
            REMOTE_ADDR="203.0.113.9",
        )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Try again in 1 hour, after <strong>" in page
    assert f'href="{reverse("login")}">Back to the sign-in page</a>' in page
    assert 'rel="icon"' in page


@pytest.mark.parametrize("path", LEADERSHIP_PAGES)
def test_head_answers_as_get_does(client, dataset, leader, path):
    client.force_login(leader)
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code, path
    assert head.status_code != 405
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]


def test_head_of_the_home_page_signed_out_is_a_redirect_to_sign_in_not_405(client, db):
    response = client.head("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_favicon_is_served_and_named_by_every_page(client, dataset, leader):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
    from django.contrib.staticfiles import finders

    assert "<svg" in Path(finders.find("favicon.svg")).read_text("utf-8")
    client.force_login(leader)
    page = client.get(reverse("reporting:year_list")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page


def test_the_api_answers_json_only(client, dataset, leader):
    client.force_login(leader)
    response = client.get(reverse("api:figure-list"), HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 406)
    assert "text/html" not in response["Content-Type"]
    response = client.get(reverse("api:figure-list"), HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
