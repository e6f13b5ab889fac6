"""Every response carries the browser protections: CSP without unsafe-inline,
frame denial, a referrer policy, no MIME sniffing."""

from django.urls import reverse


def test_admin_pages_carry_a_strict_content_security_policy(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:reporting_figure_changelist"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_responses_deny_framing_sniffing_and_cross_site_referrers(client):
    response = client.get(reverse("admin:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_expires_after_the_configured_age(client, leader, settings):
    client.force_login(leader)
    client.get(reverse("admin:index"))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    # In the database, which every server shares, with the cache in front.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
