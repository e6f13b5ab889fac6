"""The OpenAPI schema and its documentation page."""

import re

import yaml
from django.core.management import call_command
from django.urls import reverse


def test_the_schema_generates_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/figures/",
        "/api/v1/figures/{id}/",
        "/api/v1/figures/bulk/",
        "/api/v1/summary/{label}/",
        "/api/v1/units/{code}/",
        "/api/v1/fiscal-years/{label}/",
    ):
        assert path in paths
    value = schema["components"]["schemas"]["Figure"]["properties"]["value"]
    assert value["type"] == "string" and value["format"] == "decimal"
    params = {p["name"] for p in paths["/api/v1/figures/"]["get"]["parameters"]}
    assert {
        "unit",
        "metric",
        "fiscal_year",
        "period",
        "region",
        "value_type",
        "changed_since",
        "ordering",
        "page",
        "page_size",
    } <= params
    assert {"401", "403", "409", "412", "413"} <= set(
        paths["/api/v1/figures/{id}/"]["patch"]["responses"]
    )
    assert {"409", "412"} <= set(paths["/api/v1/figures/{id}/"]["delete"]["responses"])
    assert {"409", "413"} <= set(paths["/api/v1/figures/bulk/"]["post"]["responses"])
    assert "412" not in paths["/api/v1/figures/bulk/"]["post"]["responses"]
    reading = set(paths["/api/v1/figures/"]["get"]["responses"])
    assert {"401", "403", "429"} <= reading and not {"409", "412", "413"} & reading


def test_schema_is_served_to_a_logged_in_user(dataset, as_user, leader):
    response = as_user(leader).get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_docs_page_loads_everything_from_this_server_with_no_inline_code(dataset, as_user, leader):
    client = as_user(leader)
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/") for src in sources), sources
    assert "<style" not in html and "style=" not in html
    assert re.search(r"<script>", html) is None
    assert any("swagger-ui-bundle.js" in src for src in sources)
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
