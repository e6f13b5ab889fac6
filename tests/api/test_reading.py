"""Reading figures: natural keys, every filter, ordering, pagination."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import services
from reporting.models import Figure

SEED_CSV = Path(__file__).resolve().parents[2] / "reporting/data/annual-report-2023-24.csv"
VALUES = reverse("api:figure-list")


def seed_rows(**wanted):
    with SEED_CSV.open(encoding="utf-8") as f:
        return [
            row
            for row in csv.DictReader(f)
            if all(row[key] == value for key, value in wanted.items())
        ]


def keys(results):
    return {
        (r["unit"], r["metric"], r["fiscal_year"], r["period"], r["region"] or "", r["value"])
        for r in results
    }


def get(client, **params):
    response = client.get(VALUES, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_ice_figures_of_2023_24_are_the_seed_figures(dataset, as_user, leader):
    data = get(as_user(leader), unit="ICE", fiscal_year="2023-24")
    expected = {
        (
            r["unit"],
            r["metric"],
            r["fiscal_year"],
            r["period"],
            r["region"],
            f"{Decimal(r['value']):.2f}",
        )
        for r in seed_rows(unit="ICE", fiscal_year="2023-24")
    }
    assert data["count"] == len(expected) == 30
    assert keys(data["results"]) == expected


def test_a_figure_carries_its_natural_keys_exact_value_and_url(intakes_q1, as_user, leader):
    client = as_user(leader)
    data = client.get(reverse("api:figure-detail", args=[intakes_q1.pk])).json()
    assert data == {
        "url": f"http://testserver{reverse('api:figure-detail', args=[intakes_q1.pk])}",
        "id": intakes_q1.pk,
        "unit": "ICE",
        "metric": "file-intakes",
        "fiscal_year": "2023-24",
        "period": "Q1",
        "region": None,
        "value": "680.00",
        "value_type": "count",
        "note": "",
        "public_note": "",
        "updated_at": data["updated_at"],
        "updated_by": None,
        "version": intakes_q1.version,
    }


def test_a_figure_reads_the_same_in_the_list_as_on_its_own_page(intakes_q1, as_user, leader):
    client = as_user(leader)
    listed = client.get(reverse("api:figure-list"), {"page_size": 1000}).json()["results"]
    alone = client.get(reverse("api:figure-detail", args=[intakes_q1.pk])).json()
    in_list = next(row for row in listed if row["id"] == intakes_q1.pk)
    assert list(in_list.items()) == list(alone.items())


def test_a_currency_figure_is_exact_to_the_cent(dataset, as_user, leader):
    data = get(as_user(leader), value_type="currency", page_size=1000)
    assert data["count"] > 0
    assert {r["value_type"] for r in data["results"]} == {"currency"}
    stored = {v.pk: v.value for v in Figure.objects.filter(metric__value_type="currency")}
    for r in data["results"]:
        assert Decimal(r["value"]) == stored[r["id"]]


@pytest.mark.parametrize(
    ("params", "seed_filter"),
    [
        ({"unit": "CFSEU"}, {"unit": "CFSEU"}),
        ({"unit": "ICE", "metric": "charges-laid"}, {"unit": "ICE", "metric": "charges-laid"}),
        ({"fiscal_year": "2023-24"}, {"fiscal_year": "2023-24"}),
        ({"period": "Q3"}, {"period": "Q3"}),
        ({"period": "FY"}, {"period": "FY"}),
        ({"region": "none"}, {"region": ""}),
    ],
)
def test_each_filter_returns_exactly_the_matching_seed_figures(
    dataset, as_user, leader, params, seed_filter
):
    data = get(as_user(leader), page_size=1000, **params)
    expected = {
        (
            r["unit"],
            r["metric"],
            r["fiscal_year"],
            r["period"],
            r["region"],
            f"{Decimal(r['value']):.2f}",
        )
        for r in seed_rows(**seed_filter)
    }
    assert data["count"] == len(expected) > 0
    assert keys(data["results"]) == expected


def test_region_filter_picks_one_region_whatever_its_case(dataset, as_user, leader):
    region = Figure.objects.regional().values_list("region__name", flat=True).first()
    data = get(as_user(leader), region=region.upper(), page_size=1000)
    assert data["count"] == Figure.objects.filter(region__name=region).count() > 0
    assert {r["region"] for r in data["results"]} == {region}


def test_value_type_filter_keeps_counts_apart_from_amounts(dataset, as_user, leader):
    data = get(as_user(leader), value_type="count", page_size=1000)
    assert data["count"] == Figure.objects.filter(metric__value_type="count").count()
    assert {r["value_type"] for r in data["results"]} == {"count"}


def test_changed_since_lists_only_figures_changed_at_or_after_the_moment(
    intakes_q1, as_user, leader, clerk
):
    moment = timezone.now()
    services.record_figure(
        metric=intakes_q1.metric, period=intakes_q1.period, value=681, user=clerk, source="test"
    )
    data = get(as_user(leader), changed_since=moment.isoformat())
    assert [r["id"] for r in data["results"]] == [intakes_q1.pk]
    assert get(as_user(leader), changed_since="2000-01-01")["count"] == Figure.objects.count()


def test_changed_since_takes_any_iso_offset_and_refuses_a_moment_past_the_calendar(
    dataset, as_user, leader
):
    # ISO 8601 allows offsets to ±23:59; PostgreSQL refused +20:59 (a 500).
    client = as_user(leader)
    assert get(client, changed_since="5739-07-07T09:15:20.98+20:59")["count"] == 0
    assert get(client, changed_since="2000-01-01T00:00:00-20:59")["count"] == Figure.objects.count()
    answer = client.get(VALUES, {"changed_since": "9999-12-31T23:00:00-20:00"})
    assert answer.status_code == 400
    assert "changed_since" in answer.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"unit": "NOPE"}, "unit"),
        ({"fiscal_year": "1999-00"}, "fiscal_year"),
        ({"period": "Q5"}, "period"),
        ({"value_type": "weight"}, "value_type"),
        ({"changed_since": "yesterday"}, "changed_since"),
        ({"ordering": "password"}, "ordering"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_parameter(dataset, as_user, leader, params, field):
    response = as_user(leader).get(VALUES, params)
    assert response.status_code == 400
    assert field in response.json()


def test_ordering_by_value_descending(dataset, as_user, leader):
    data = get(as_user(leader), ordering="-value", page_size=5)
    values = [Decimal(r["value"]) for r in data["results"]]
    assert values == sorted(values, reverse=True)
    assert values[0] == max(Figure.objects.values_list("value", flat=True))


def test_pages_hold_100_by_default_1_to_1000_and_cover_every_figure(dataset, as_user, leader):
    client = as_user(leader)
    total = Figure.objects.count()
    first = get(client)
    assert len(first["results"]) == 100 and first["count"] == total
    assert len(get(client, page_size=1000)["results"]) == min(total, 1000)
    for outside in ["0", "1001", "5000", "-1", "１０"]:
        answer = client.get(VALUES, {"page_size": outside})
        assert answer.status_code == 400, outside
        assert "from 1 to 1000" in answer.json()["page_size"][0]
    seen = []
    page = 1
    while True:
        data = get(client, page_size=37, page=page)
        seen += [r["id"] for r in data["results"]]
        if not data["next"]:
            break
        page += 1
    assert sorted(seen) == sorted(Figure.objects.values_list("pk", flat=True))
    assert client.get(VALUES, {"page": 999}).status_code == 404
    for outside in ["", "0", "-1", "last", "１"]:
        answer = client.get(VALUES, {"page": outside})
        assert answer.status_code == 400, outside
        assert "of 1 or more" in answer.json()["page"][0]


def test_catalogue_lists_are_readable_by_natural_key(dataset, as_user, leader):
    client = as_user(leader)
    units = client.get(reverse("api:unit-list")).json()
    assert "ICE" in [u["code"] for u in units["results"]]
    ice = client.get(reverse("api:unit-detail", args=["ICE"])).json()
    assert ice["code"] == "ICE"
    metrics = client.get(reverse("api:metric-list"), {"unit": "ICE"}).json()
    assert {m["unit"] for m in metrics["results"]} == {"ICE"}
    year = client.get(reverse("api:fiscalyear-detail", args=["2023-24"])).json()
    assert year["label"] == "2023-24" and year["summary"].endswith(
        reverse("api:summary", args=["2023-24"])
    )
    periods = client.get(reverse("api:reportingperiod-list"), {"fiscal_year": "2023-24"}).json()
    assert {p["period"] for p in periods["results"]} == {"Q1", "Q2", "Q3", "Q4", "FY"}
    q1 = next(p for p in periods["results"] if p["period"] == "Q1")
    assert (q1["start"], q1["end"]) == ("2023-04-01", "2023-06-30")
    regions = client.get(reverse("api:region-list")).json()
    assert regions["count"] == 8


def test_summary_is_build_summary_as_json(dataset, as_user, leader):
    from reporting.summary import build_summary

    summary = build_summary("2023-24")
    data = as_user(leader).get(reverse("api:summary", args=["2023-24"])).json()
    assert data["fiscal_year"] == "2023-24"
    assert [u["code"] for u in data["units"]] == [u.code for u in summary.units]
    ice = next(u for u in data["units"] if u["code"] == "ICE")
    intakes = next(r for r in ice["rows"] if r["code"] == "file-intakes")
    assert intakes["quarters"] == ["680.00", "872.00", "1149.00", "1114.00"]
    assert intakes["year"] == {"value": "3815.00", "source": "recorded"}
    assert len(data["headlines"]) == len(summary.headlines)


def test_summary_of_an_unknown_year_is_404(dataset, as_user, leader):
    assert as_user(leader).get(reverse("api:summary", args=["1999-00"])).status_code == 404


@pytest.mark.parametrize("size", ["0", "-5", "ten", "null"])
def test_a_page_size_that_is_not_a_whole_number_above_0_is_a_400(dataset, as_user, leader, size):
    response = as_user(leader).get(VALUES, {"page_size": size})
    assert response.status_code == 400
    assert "page_size" in response.json()
