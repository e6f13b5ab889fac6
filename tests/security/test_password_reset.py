"""Password links from the sign-in page: Django's views, mailed, throttled, and
never telling whether an address has an account."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

RESET = reverse("password_reset")


@pytest.fixture
def carol(leader):
    leader.email = "carol@example.org"
    leader.save()
    return leader


def _ask(client, email, address="203.0.113.7"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def _page(response, email) -> str:
    """The page with the typed address and the CSRF token taken out."""
    html = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_both_sign_in_pages_link_to_the_password_reset(client, db):
    assert f'href="{reverse("password_reset")}"' in client.get(reverse("login")).content.decode()
    admin_login = client.get(reverse("admin:login")).content.decode()
    assert f'href="{reverse("admin_password_reset")}"' in admin_login


def test_a_known_address_gets_a_link_that_sets_a_new_password(client, carol):
    response = _ask(client, "Carol@Example.org")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["carol@example.org"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    client.post(
        set_url, {"new_password1": "brand new phrase 17", "new_password2": "brand new phrase 17"}
    )
    carol.refresh_from_db()
    assert carol.check_password("brand new phrase 17")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, carol):
    known = _ask(client, "carol@example.org", "203.0.113.1")
    unknown = _ask(client, "nobody@example.org", "203.0.113.2")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1
    done = client.get(known.url).content.decode()
    assert "If the address you typed belongs to an account" in done


def test_repeated_requests_from_one_address_are_throttled_alike(client, carol):
    limit = settings.ALERT_PASSWORD_RESET_LIMIT
    for number in range(limit):
        assert _ask(client, f"someone{number}@example.org").status_code == 302
    refused_unknown = _ask(client, "nobody@example.org")
    refused_known = _ask(client, "carol@example.org")
    assert refused_unknown.status_code == refused_known.status_code == 429
    assert _page(refused_unknown, "nobody@example.org") == _page(refused_known, "carol@example.org")
    assert "Too many password links" in refused_known.content.decode()
    assert mail.outbox == []
    assert _ask(client, "carol@example.org", "198.51.100.9").status_code == 302  # another address


def test_repeated_requests_for_one_email_are_throttled_from_any_address(client, carol):
    limit = settings.ALERT_PASSWORD_RESET_LIMIT
    for number in range(limit):
        assert _ask(client, "carol@example.org", f"198.51.100.{number + 1}").status_code == 302
    assert _ask(client, "CAROL@example.org", "198.51.100.99").status_code == 429
    assert len(mail.outbox) == limit


def test_a_person_who_never_set_a_password_can_ask_for_a_link(client, db):
    User.objects.create_user("dana", email="dana@example.org")  # no password yet
    _ask(client, "dana@example.org")
    assert [m.to for m in mail.outbox] == [["dana@example.org"]]


def test_an_inactive_account_gets_no_link(client, carol):
    carol.is_active = False
    carol.save()
    assert _ask(client, "carol@example.org").status_code == 302
    assert mail.outbox == []
