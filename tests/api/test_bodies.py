"""Every body has a budget (issue 20): the API answers JSON whatever the
body, naming the limit it met; nothing past the limit is read."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.importing.hostile import deep_json

FIGURE = {
    "unit": "ICE",
    "metric": "file-intakes",
    "fiscal_year": "2023-24",
    "period": "Q1",
    "value": 1,
    "note": "",
}


@pytest.fixture
def signed_in(dataset, clerk):
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    return client


def post(client, url: str, body: bytes):
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("url", ["api:figure-list", "api:figure-bulk"])
def test_body_over_the_limit_is_the_documented_json_413(signed_in, settings, url):
    body = json.dumps([{**FIGURE, "note": "x" * 1000}] * 11_000).encode()
    assert len(body) > settings.ALERT_IMPORT_MAX_BYTES
    response = post(signed_in, reverse(url), body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "over the limit of 10.0\xa0MB" in response.json()["detail"]


def test_body_between_djangos_default_and_our_limit_is_read_as_json(signed_in, settings):
    # Django's own DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) answered an HTML 400 here.
    body = json.dumps([{**FIGURE, "note": "x" * 1000}] * 3_000).encode()
    assert 2_621_440 < len(body) < settings.ALERT_IMPORT_MAX_BYTES
    response = post(signed_in, reverse("api:figure-bulk"), body)
    assert response["Content-Type"] == "application/json"
    assert response.status_code in (200, 400, 409)


@pytest.mark.parametrize("url", ["api:figure-list", "api:figure-bulk"])
def test_deep_body_is_a_json_400_naming_the_depth_limit(signed_in, url):
    response = post(signed_in, reverse(url), deep_json(5_000))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "nested too deeply" in response.json()["detail"]
    assert "at most 10 levels" in response.json()["detail"]


@pytest.mark.parametrize("url", ["api:figure-list", "api:figure-bulk"])
def test_key_given_twice_is_a_json_400_naming_the_key_and_line(signed_in, url):
    body = b'{"unit": "ICE",\n "value": 5,\n "value": 7}'
    if url == "api:figure-bulk":
        body = b"[" + body + b"]"
    response = post(signed_in, reverse(url), body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == (
        "Line 3: the key “value” is given twice in one object; keep one of them."
    )


def test_object_with_too_many_keys_is_a_json_400_naming_the_key_limit(signed_in):
    body = json.dumps({f"key{n}": n for n in range(500)}).encode()
    response = post(signed_in, reverse("api:figure-list"), body)
    assert response.status_code == 400
    assert "at most 100" in response.json()["detail"]
