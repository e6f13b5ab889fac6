"""A published year's page is rendered once per release; only the site's
navigation, the notices and the year picker are each reader's own."""

import re

from django.test import Client
from django.urls import reverse

URL = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})


def test_each_reader_sees_their_own_name_and_links_on_a_cached_page(
    client, clerk, administrator, published_dataset
):
    client.force_login(clerk)
    bob = client.get(URL).content.decode()
    client.force_login(administrator)
    alice = client.get(URL).content.decode()  # the release's page cached for Bob
    assert '<li class="site-user">bob</li>' in bob
    assert '<li class="site-user">alice</li>' in alice and "bob" not in alice
    # The same page around the navigation.
    nav = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
    assert nav.sub("", alice) == nav.sub("", bob)
    assert bob.count('<nav class="site-nav"') == 1


def test_the_log_out_button_of_a_cached_page_carries_the_readers_own_token(
    leader, administrator, published_dataset
):
    """Django checks the token against the reader's own CSRF cookie."""
    first = Client(enforce_csrf_checks=True)
    first.force_login(administrator)
    first.get(URL)
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(leader)
    page = reader.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = reader.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert reader.get(URL).status_code == 302  # signed out: sent to log in


def test_the_public_reads_a_published_year_without_any_navigation(settings, published_dataset):
    settings.ALERT_PUBLIC_REPORTS = True
    page = Client().get(URL)
    assert page.status_code == 200
    assert 'class="site-nav"' not in page.content.decode()
    assert "<!-- reader:" not in page.content.decode()
