"""Password guessing through the admin's real login form is throttled (django-axes)."""

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse


def _sign_in(client, password):
    return client.post(
        reverse("admin:login"),
        {"username": "carol", "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR="203.0.113.7",
    )


def test_correct_password_signs_in_through_the_login_form(client, leader):
    response = _sign_in(client, "correct horse battery")
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_too_many_wrong_passwords_lock_the_account_out_even_with_the_right_one(client, leader):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "guess").status_code == 200  # the form again, with an error
    locked = _sign_in(client, "guess")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content

    refused = _sign_in(client, "correct horse battery")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_listed_in_the_admin_and_clearing_it_lets_the_user_in(
    client, leader, administrator
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "guess")
    attempt = AccessAttempt.objects.get(username="carol")
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT

    admin_client = client.__class__()
    admin_client.force_login(administrator)
    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert b"carol" in listing.content

    AccessAttempt.objects.filter(username="carol").delete()  # what axes_reset_username does
    assert _sign_in(client, "correct horse battery").status_code == 302


def test_client_address_is_the_one_our_proxy_saw_not_one_the_client_wrote(rf, settings):
    from alert.security import client_ip

    settings.ALERT_PROXY_COUNT = 1
    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(spoofed) == "198.51.100.9"
    settings.ALERT_PROXY_COUNT = 0
    assert client_ip(spoofed) == "10.0.0.2"
