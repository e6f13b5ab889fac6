"""Who may do what: per role and per method, by session and by token."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reporting.models import Figure
from units.models import Unit

LISTS = [
    "api:unit-list",
    "api:metric-list",
    "api:region-list",
    "api:fiscalyear-list",
    "api:reportingperiod-list",
    "api:figure-list",
]


def new_figure():
    return {
        "unit": "ICE",
        "metric": "file-intakes",
        "fiscal_year": "2022-23",
        "period": "Q1",
        "value": "500",
    }


@pytest.mark.parametrize("name", [*LISTS, "api:api-root"])
def test_anonymous_requests_get_401_with_a_token_challenge(dataset, api, name):
    response = api.get(reverse(name))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_cannot_read_the_summary_schema_or_docs(dataset, api):
    for url in (reverse("api:summary", args=["2023-24"]), reverse("api:schema")):
        assert api.get(url).status_code == 401
    assert api.get(reverse("api:docs")).status_code in (401, 403)


@pytest.mark.parametrize("role", ["administrator", "clerk", "leader"])
@pytest.mark.parametrize("name", LISTS)
def test_every_role_reads_every_list(dataset, as_user, request, role, name):
    assert as_user(request.getfixturevalue(role)).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_an_account_with_no_role_reads_nothing(dataset, as_user, outsider, name):
    client = as_user(outsider)
    assert client.get(reverse(name)).status_code == 403
    assert client.head(reverse(name)).status_code == 403
    assert client.options(reverse(name)).status_code == 403


def test_an_account_with_no_role_cannot_read_a_figure_or_the_summary(intakes_q1, as_user, outsider):
    client = as_user(outsider)
    assert client.get(reverse("api:figure-detail", args=[intakes_q1.pk])).status_code == 403
    assert client.get(reverse("api:summary", args=["2023-24"])).status_code == 403


def test_token_authentication_reads_as_the_token_owner(dataset, leader, outsider):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=leader).key}")
    assert client.get(reverse("api:figure-list")).status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=outsider).key}")
    assert client.get(reverse("api:figure-list")).status_code == 403
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(reverse("api:figure-list")).status_code == 401


@pytest.mark.parametrize(
    ("role", "create", "update", "delete"),
    [
        ("administrator", 201, 200, 204),
        ("clerk", 201, 200, 204),  # clearing a figure: the grid and the API alike
        ("leader", 403, 403, 403),
        ("outsider", 403, 403, 403),
    ],
)
def test_writes_per_role(dataset, intakes_q1, as_user, request, role, create, update, delete):
    client = as_user(request.getfixturevalue(role))
    detail = reverse("api:figure-detail", args=[intakes_q1.pk])
    assert client.post(reverse("api:figure-list"), new_figure()).status_code == create
    assert client.patch(detail, {"value": "681"}).status_code == update
    assert client.put(detail, {"value": "682", "note": ""}).status_code == update
    assert client.delete(detail).status_code == delete
    assert Figure.objects.filter(pk=intakes_q1.pk).exists() == (delete != 204)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("administrator", 200), ("clerk", 200), ("leader", 403), ("outsider", 403)],
)
def test_bulk_upsert_per_role(dataset, as_user, request, role, expected):
    client = as_user(request.getfixturevalue(role))
    response = client.post(reverse("api:figure-bulk"), [new_figure()], format="json")
    assert response.status_code == expected


def test_anonymous_writes_get_401(dataset, intakes_q1, api):
    detail = reverse("api:figure-detail", args=[intakes_q1.pk])
    assert api.post(reverse("api:figure-list"), new_figure()).status_code == 401
    assert api.patch(detail, {"value": "1"}).status_code == 401
    assert api.delete(detail).status_code == 401
    assert api.post(reverse("api:figure-bulk"), [new_figure()], format="json").status_code == 401


def test_catalogue_is_read_only_even_for_administrators(dataset, as_user, administrator):
    client = as_user(administrator)
    response = client.post(reverse("api:unit-list"), {"code": "NEW", "name": "New"})
    assert response.status_code == 405
    assert client.delete(reverse("api:unit-detail", args=["ICE"])).status_code == 405


def test_session_writes_need_the_csrf_token(dataset, clerk):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post(reverse("api:figure-list"), new_figure())
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_clerk_assigned_to_a_unit_reads_and_changes_only_its_figures(dataset, as_user, clerk):
    Unit.objects.get(code="ICE").data_entry_users.add(clerk)
    client = as_user(clerk)
    listed = client.get(reverse("api:figure-list"), {"page_size": 1000}).json()["results"]
    assert {row["unit"] for row in listed} == {"ICE"}
    cfseu = Figure.objects.filter(metric__unit__code="CFSEU").first()
    detail = reverse("api:figure-detail", args=[cfseu.pk])
    assert client.patch(detail, {"value": "1"}, format="json").status_code == 404
    response = client.post(
        reverse("api:figure-bulk"),
        [
            {
                "unit": "CFSEU",
                "metric": "charges-laid",
                "fiscal_year": "2023-24",
                "period": "Q1",
                "value": "1",
            }
        ],
        format="json",
    )
    assert response.status_code == 400
    assert "not assigned to CFSEU" in str(response.json())
