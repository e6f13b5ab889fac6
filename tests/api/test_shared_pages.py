"""The figures list is rendered once per records version and kept in the
shared cache, under a key that is also its ETag: a change shows at once,
and no reader gets another's page."""

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import services
from reporting.caching import records_version
from units.models import Unit


def values(response) -> dict[tuple[str, str, str], str]:
    return {
        (row["unit"], row["metric"], row["period"]): row["value"]
        for row in response.json()["results"]
        if row["region"] is None
    }


def test_a_change_to_a_figure_shows_in_the_cached_list_at_once(as_user, leader, clerk, intakes_q1):
    client = as_user(leader)
    url = reverse("api:figure-list")
    params = {"unit": "ICE", "fiscal_year": "2023-24"}
    assert values(client.get(url, params))[("ICE", "file-intakes", "Q1")] == "680.00"
    assert values(client.get(url, params))[("ICE", "file-intakes", "Q1")] == "680.00"  # cached
    services.record_figure(
        metric=intakes_q1.metric, period=intakes_q1.period, value="681", user=clerk, source="test"
    )
    assert values(client.get(url, params))[("ICE", "file-intakes", "Q1")] == "681.00"


def test_a_clerk_assigned_to_a_unit_never_gets_the_page_cached_for_everyone(
    as_user, leader, clerk, dataset
):
    url = reverse("api:figure-list")
    params = {"fiscal_year": "2023-24", "page_size": 1000}
    everyone = {row["unit"] for row in as_user(leader).get(url, params).json()["results"]}
    assert {"ICE", "CISA"} <= everyone
    Unit.objects.get(code="ICE").data_entry_users.add(clerk)
    mine = {row["unit"] for row in as_user(clerk).get(url, params).json()["results"]}
    assert mine == {"ICE"}


def test_each_host_gets_links_to_itself(leader, dataset, settings):
    settings.ALLOWED_HOSTS = ["testserver", "records.example.org"]
    client = APIClient()
    client.force_login(leader)
    url = reverse("api:figure-list")
    for host in ("testserver", "records.example.org"):
        page = client.get(url, {"page_size": 10}, HTTP_HOST=host).json()
        assert page["next"].startswith(f"http://{host}/")
        assert page["results"][0]["url"].startswith(f"http://{host}/")


def test_a_cached_list_still_asks_who_is_reading(api, leader, dataset):
    api.force_login(leader)
    url = reverse("api:figure-list")
    assert api.get(url).status_code == 200
    api.logout()
    assert api.get(url).status_code == 401
    nobody = User.objects.create_user("dave", password="a long passphrase 42")
    api.force_login(nobody)  # signed in, no role
    assert api.get(url).status_code == 403


def test_the_list_answers_304_until_the_records_change(as_user, leader, clerk, intakes_q1):
    client = as_user(leader)
    url = reverse("api:figure-list")
    params = {"unit": "ICE", "fiscal_year": "2023-24"}
    first = client.get(url, params)
    tag = first.headers["ETag"]
    unchanged = client.get(url, params, HTTP_IF_NONE_MATCH=tag)
    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == tag
    services.record_figure(
        metric=intakes_q1.metric, period=intakes_q1.period, value="681", user=clerk, source="test"
    )
    changed = client.get(url, params, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    assert values(changed)[("ICE", "file-intakes", "Q1")] == "681.00"


def test_a_clerk_assigned_to_a_unit_has_an_etag_of_their_own(as_user, leader, clerk, dataset):
    url = reverse("api:figure-list")
    everyone = as_user(leader).get(url).headers["ETag"]
    Unit.objects.get(code="ICE").data_entry_users.add(clerk)
    mine = as_user(clerk).get(url, HTTP_IF_NONE_MATCH=everyone)
    assert mine.status_code == 200
    assert mine.headers["ETag"] != everyone


def _rename_unit():
    unit = Unit.objects.get(code="ICE")
    unit.name = "Internet Child Exploitation (renamed)"
    unit.save()


def _import_a_figure(clerk):
    services.import_file(
        content=b"unit,metric,fiscal_year,period,region,value,note\n"
        b"ICE,file-intakes,2023-24,Q1,,682,\n",
        file_name="one.csv",
        user=clerk,
        source="command",
    )


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda clerk, figure: services.record_figure(
                metric=figure.metric, period=figure.period, value="681", user=clerk, source="t"
            ),
            id="record-a-figure",
        ),
        pytest.param(lambda clerk, figure: _import_a_figure(clerk), id="import-a-file"),
        pytest.param(
            lambda clerk, figure: services.delete_figure(figure=figure, user=clerk, source="t"),
            id="delete-a-figure",
        ),
        pytest.param(lambda clerk, figure: _rename_unit(), id="rename-a-unit"),
    ],
)
def test_every_kind_of_write_moves_the_records_version(clerk, intakes_q1, write):
    before = records_version()
    write(clerk, intakes_q1)
    assert records_version() != before


def test_a_write_rolled_back_leaves_the_records_version(clerk, intakes_q1):
    before = records_version()
    with transaction.atomic():
        services.record_figure(
            metric=intakes_q1.metric, period=intakes_q1.period, value="681", user=clerk, source="t"
        )
        assert records_version() != before  # this transaction's own
        transaction.set_rollback(True)
    assert records_version() == before
