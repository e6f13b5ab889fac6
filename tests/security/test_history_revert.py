"""simple-history's admin saves a posted revert form for anyone who may merely
view the record; a reader must not be able to change a figure that way."""

from django.urls import reverse

from reporting.models import Figure


def test_leader_cannot_revert_a_figure_through_the_history_form(client, dataset, leader):
    figure = Figure.objects.order_by("pk").first()
    record = figure.history.order_by("pk").first()
    client.force_login(leader)
    url = reverse("admin:reporting_figure_simple_history", args=[figure.pk, record.pk])
    response = client.post(
        url,
        {
            "metric": figure.metric_id,
            "period": figure.period_id,
            "region": figure.region_id or "",
            "value": "999999",
            "note": "changed by a reader",
        },
    )
    figure.refresh_from_db()
    assert figure.value != 999999
    assert response.status_code == 403
