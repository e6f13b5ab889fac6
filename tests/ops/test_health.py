"""/health/ answers for load balancers: 200 when the database answers."""

from django.urls import reverse


def test_health_reports_ok_when_the_database_answers(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_needs_no_login_and_shows_no_figures(client, dataset):
    response = client.get(reverse("health"))
    assert set(response.json()) == {"status", "database"}
