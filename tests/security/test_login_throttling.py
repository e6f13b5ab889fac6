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


def test_a_forged_forwarded_address_does_not_dodge_the_lockout(client, leader):
    """With no trusted proxy (the default), X-Forwarded-For is the client's own
    words: writing a new address for every guess still counts every guess."""
    assert settings.ALERT_TRUSTED_PROXIES == []
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("admin:login"),
            {"username": "carol", "password": "guess", "next": reverse("admin:index")},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt + 1}",
        )
    assert response.status_code == 429
    assert AccessAttempt.objects.get(username="carol").ip_address == "203.0.113.7"


def test_forwarded_addresses_are_believed_only_from_a_trusted_proxy(rf, settings):
    from alert.security import client_ip

    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9", REMOTE_ADDR="10.0.0.2")
    settings.ALERT_TRUSTED_PROXIES = []
    assert client_ip(spoofed) == "10.0.0.2"
    settings.ALERT_TRUSTED_PROXIES = ["10.0.0.0/24"]
    # Our proxy saw 198.51.100.9; "1.2.3.4" was written by that client.
    assert client_ip(spoofed) == "198.51.100.9"
    settings.ALERT_TRUSTED_PROXIES = ["10.0.0.2", "198.51.100.9"]  # two proxies of ours
    assert client_ip(spoofed) == "1.2.3.4"
    direct = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="203.0.113.50")
    assert client_ip(direct) == "203.0.113.50"  # not from a proxy: the header is ignored


def test_a_malformed_trusted_proxy_setting_stops_start_up():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "DJANGO_SETTINGS_MODULE": "alert.settings",
            "DJANGO_DEBUG": "1",
            "DJANGO_TRUSTED_PROXIES": "10.0.0.0/24, not-an-address",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES: 'not-an-address' is not an address" in result.stderr
