"""ETag and If-Match on a figure; 412 for a stale change, 409 for a create over a figure."""

from django.urls import reverse

from reporting import services

VALUES = reverse("api:figure-list")


def detail(figure):
    return reverse("api:figure-detail", args=[figure.pk])


def test_get_of_a_figure_gives_its_version_as_etag(intakes_q1, as_user, leader):
    response = as_user(leader).get(detail(intakes_q1))
    assert response["ETag"] == f'"{intakes_q1.version}"'
    assert response.json()["version"] == intakes_q1.version


def test_a_patch_with_the_current_etag_is_applied_and_answers_the_new_one(
    intakes_q1, as_user, clerk
):
    client = as_user(clerk)
    tag = client.get(detail(intakes_q1))["ETag"]
    response = client.patch(detail(intakes_q1), {"value": 700}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{intakes_q1.version + 1}"'


def test_a_put_with_a_stale_etag_is_412_naming_who_when_and_both_values(
    intakes_q1, as_user, clerk, administrator
):
    client = as_user(clerk)
    tag = client.get(detail(intakes_q1))["ETag"]
    services.record_figure(
        metric=intakes_q1.metric, period=intakes_q1.period, value="690", user=administrator
    )
    response = client.put(
        detail(intakes_q1), {"value": 700, "note": ""}, format="json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "stale"
    assert (body["changed_by"], body["seen_value"], body["current_value"]) == (
        "alice",
        "680.00",
        "690.00",
    )
    assert body["your_value"] == "700"
    assert "changed by alice" in body["detail"] and "you saw 680, it is now 690" in body["detail"]
    intakes_q1.refresh_from_db()
    assert intakes_q1.value == 690


def test_a_delete_with_a_stale_etag_is_412(intakes_q1, as_user, clerk, administrator):
    client = as_user(administrator)
    services.record_figure(
        metric=intakes_q1.metric, period=intakes_q1.period, value="690", user=administrator
    )
    response = client.delete(detail(intakes_q1), HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert type(intakes_q1).objects.filter(pk=intakes_q1.pk).exists()


def test_if_match_is_optional_and_star_matches_any_version(intakes_q1, as_user, clerk):
    client = as_user(clerk)
    assert client.patch(detail(intakes_q1), {"value": 1}, format="json").status_code == 200
    response = client.patch(detail(intakes_q1), {"value": 2}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200


def test_an_if_match_that_is_not_our_etag_is_a_400(intakes_q1, as_user, clerk):
    response = as_user(clerk).patch(
        detail(intakes_q1), {"value": 1}, format="json", HTTP_IF_MATCH='"abc"'
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["detail"]
