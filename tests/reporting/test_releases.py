"""A release is the whole published page, kept as published: its content and
digest, the database's own refusal to change it, and the pages drawn from it
whatever happens to the records afterwards."""

import hashlib
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from reporting import services
from reporting.models import Figure, FiscalYear, PublicationEvent, Release
from reporting.releases import summary_of, to_plain
from reporting.summary.build import build_summary
from tests.years import publish

SUMMARY = reverse("reporting:summary", args=["2023-24"])


def charges(period: str, year: str = "2023-24") -> Figure:
    return Figure.objects.get(
        metric__unit__code="CFSEU",
        metric__code="charges-laid",
        period__fiscal_year__label=year,
        period__period=period,
        region=None,
    )


def set_charges(period: str, value: str, user, year: str = "2023-24") -> None:
    figure = charges(period, year)
    services.record_figure(metric=figure.metric, period=figure.period, value=value, user=user)


def test_a_release_holds_the_page_as_canonical_json_with_its_digest(published_year):
    release = Release.objects.get(fiscal_year=published_year)
    assert release.sha256 == hashlib.sha256(release.content.encode()).hexdigest()
    data = json.loads(release.content)
    # One text for one content: keys sorted, no spaces, decimals as strings.
    assert release.content == json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    ice = next(unit for unit in data["summary"]["units"] if unit["code"] == "ICE")
    intakes = next(row for row in ice["rows"] if row["code"] == "file-intakes")
    assert intakes["year"]["source"] == "recorded"
    assert Decimal(intakes["year"]["value"]) == 3815  # a string, exact
    assert intakes["label"] == "File intakes" and intakes["value_type"] == "count"
    assert data["summary"]["text_before"] or ice["text_before"]  # the report's text
    assert data["release"]["number"] == 1
    # The page as the records build it now is the page the release holds.
    assert to_plain(summary_of(release)) == data["summary"]
    built = to_plain(build_summary(published_year, published=True))
    assert built["units"] == data["summary"]["units"]


def test_the_shipped_years_say_where_they_were_published_and_invent_no_date(
    client, published_dataset, public
):
    page = client.get(SUMMARY).content.decode()
    assert "as published in ALERT’s 2023-24 annual report" in page.replace("'", "’").replace(
        "&#x27;", "’"
    )
    assert "recorded here on" in page
    assert "First published" not in page


@pytest.mark.parametrize("table", ["reporting_release", "reporting_publicationevent"])
def test_the_database_refuses_to_change_or_remove_a_release_or_the_log(published_year, table):
    row = Release if table == "reporting_release" else PublicationEvent
    pk = row.objects.values_list("pk", flat=True).first()
    for statement in (
        f"UPDATE {table} SET reason = 'rewritten' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises((IntegrityError, DatabaseError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [pk])
    assert row.objects.get(pk=pk).reason != "rewritten"


def test_a_person_who_published_cannot_be_deleted(dataset, administrator):
    publish("2023-24", user=administrator)
    with pytest.raises(ProtectedError):
        administrator.delete()
    assert Release.objects.get(fiscal_year__label="2023-24").published_by == administrator


def test_the_admin_says_to_deactivate_a_person_who_published(client, dataset, administrator):
    from django.contrib.auth.models import Group, User

    publisher = User.objects.create_user("pat", password="correct horse battery", is_staff=True)
    publisher.groups.add(Group.objects.get(name="Administrators"))
    publish("2023-24", user=publisher)
    client.force_login(administrator)
    page = client.get(reverse("admin:auth_user_delete", args=[publisher.pk])).content.decode()
    assert "deactivate" in page.lower()
    assert User.objects.filter(pk=publisher.pk).exists()


def test_a_published_year_keeps_its_label(client, published_year, administrator):
    published_year.label = "2019-20"
    with pytest.raises(ValidationError, match="cannot change"):
        published_year.full_clean()
    with pytest.raises(ValidationError, match="cannot change"):
        services.change_fiscal_year(fiscal_year=published_year, user=administrator)
    client.force_login(administrator)
    url = reverse("admin:reporting_fiscalyear_change", args=[published_year.pk])
    response = client.post(url, {"label": "2019-20"})
    assert response.status_code == 200 and "cannot change" in response.content.decode()
    assert FiscalYear.objects.filter(label="2023-24").exists()
    # A draft's label may still be corrected.
    draft = FiscalYear.objects.get(label="2021-22")
    draft.label = "2020-21"
    services.change_fiscal_year(fiscal_year=draft, user=administrator)


def test_the_page_is_the_newest_release_through_a_correction_and_every_release_stays(
    client, dataset, administrator, public
):
    """Publish, prepare a correction, edit, republish, again: the published page
    shows the newest release's figures at every step, and each earlier release
    still renders byte for byte as it did."""
    for label in ("2021-22", "2022-23", "2023-24"):
        publish(label, user=administrator)
    year = FiscalYear.objects.get(label="2023-24")
    release_url = reverse("reporting:release_page", args=["2023-24", 1])
    first_page = client.get(release_url).content
    first_csv = client.get(reverse("reporting:download_release", args=["2023-24", 1])).content
    assert b"This page is <strong>release 1</strong>" in client.get(SUMMARY).content

    pages = {1: first_page}
    for number, (q4, reason) in enumerate(
        [("233", "Q4 corrected from the unit's log"), ("234", "One more charge found")], start=2
    ):
        services.prepare_correction(fiscal_year=year, user=administrator, reason=reason)
        set_charges("Q4", q4, administrator)
        # During the correction every reader keeps the newest release.
        during = client.get(SUMMARY).content.decode()
        assert f">{q4}<" not in during
        assert client.get("/", follow=True).redirect_chain[-1][0] == SUMMARY
        publish(year, user=administrator, reason=reason)
        after = client.get(SUMMARY).content.decode()
        row = after[after.index('id="table-CFSEU"') :]
        row = row[row.index('data-metric="charges-laid"') :]
        row = row[: row.index("</tr>")]
        assert f">{q4}<sup" in row  # the revised Q4 cell, with its mark
        pages[number] = client.get(
            reverse("reporting:release_page", args=["2023-24", number])
        ).content
        for earlier, content in pages.items():
            assert (
                client.get(reverse("reporting:release_page", args=["2023-24", earlier])).content
                == content
            )
        assert (
            client.get(reverse("reporting:download_release", args=["2023-24", 1])).content
            == first_csv
        )
        newest = Release.objects.filter(fiscal_year=year).order_by("-number").first()
        assert newest.number == number
        assert summary_of(newest).units == build_summary(year, published=True).units


def test_a_revised_cell_is_marked_and_its_footnote_says_what_changed(
    client, dataset, administrator, leader
):
    for label in ("2021-22", "2022-23", "2023-24"):
        publish(label, user=administrator)
    year = FiscalYear.objects.get(label="2023-24")
    services.prepare_correction(fiscal_year=year, user=administrator, reason="Q4 mistyped")
    set_charges("Q4", "233", administrator)
    release = publish(year, user=administrator, reason="Q4 corrected from the unit's log")
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    assert 'href="#revision-2-1"' in page
    # The page gives the date in the site's zone (America/Edmonton), not UTC.
    when = timezone.localtime(release.published_at).strftime("%-d %B %Y")
    note = page[page.index('id="revision-2-1"') :]
    note = note[: note.index("</li>")]
    assert f"Revised in release 2, {when}: CFSEU · Charges laid Q4: 231 → 233" in note
    assert "Q4 corrected from the unit&#x27;s log" in note
    assert "This page is <strong>release 2</strong>" in page


def test_home_never_leaves_a_published_year_during_its_correction(
    client, dataset, administrator, leader, clerk
):
    for label in ("2021-22", "2022-23", "2023-24"):
        publish(label, user=administrator)
    year = FiscalYear.objects.get(label="2023-24")
    client.force_login(leader)
    assert client.get("/", follow=True).redirect_chain[-1][0] == SUMMARY
    services.prepare_correction(fiscal_year=year, user=administrator, reason="Q4 mistyped")
    assert client.get("/", follow=True).redirect_chain[-1][0] == SUMMARY
    page = client.get(SUMMARY).content.decode()
    assert "A correction of 2023-24 is being prepared" in page
    assert reverse("reporting:draft", args=["2023-24"]) in page
    assert "Draft — not yet published" not in page
    set_charges("Q4", "233", clerk)
    draft = client.get(reverse("reporting:draft", args=["2023-24"])).content.decode()
    assert "Draft of a correction" in draft and ">233<" in draft


def test_a_prior_year_is_compared_as_released_never_as_its_draft(
    client, dataset, administrator, public
):
    for label in ("2021-22", "2022-23"):
        publish(label, user=administrator)
    year = FiscalYear.objects.get(label="2022-23")
    services.prepare_correction(fiscal_year=year, user=administrator, reason="A check")
    published_value = charges("FY", "2022-23").value
    set_charges("FY", str(published_value + 1000), administrator, year="2022-23")
    release = publish("2023-24", user=administrator)
    (cfseu,) = [u for u in summary_of(release).units if u.code == "CFSEU"]
    (row,) = [r for r in cfseu.rows if r.code == "charges-laid"]
    assert row.prior_years[0].value == published_value  # 2022-23 as released
    assert summary_of(release).compared_releases == {"2022-23": 1, "2021-22": 1}
    csv = client.get(reverse("reporting:download_csv", args=["2023-24"])).content.decode()
    assert f"CFSEU,charges-laid,2022-23,FY,,{published_value + 1000}" not in csv


def test_a_prior_year_never_published_is_left_out_of_a_release(dataset, administrator):
    release = publish("2023-24", user=administrator)
    assert summary_of(release).prior_years == []


def test_the_published_page_answers_a_repeat_request_with_304(client, published_dataset, leader):
    client.force_login(leader)
    first = client.get(SUMMARY)
    release = Release.objects.get(fiscal_year__label="2023-24")
    assert first["ETag"].startswith(f'"{release.sha256[:32]}')
    assert "Cookie" in first["Vary"]
    again = client.get(SUMMARY, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # A draft is never cached: no ETag to answer with.
    draft = client.get(reverse("reporting:draft", args=["2023-24"]))
    assert draft.status_code == 200 and not draft.has_header("ETag")


def test_the_digest_and_the_content_of_a_release_can_be_downloaded(client, published_year, leader):
    client.force_login(leader)
    release = Release.objects.get(fiscal_year=published_year)
    content = client.get(reverse("reporting:download_release_content", args=["2023-24", 1]))
    assert content.content.decode() == release.content
    digest = client.get(reverse("reporting:download_release_digest", args=["2023-24", 1]))
    assert digest.content.decode().split()[0] == hashlib.sha256(content.content).hexdigest()
    page = client.get(SUMMARY).content.decode()
    assert release.sha256[:12] in page


def test_the_downloads_of_a_published_year_are_its_release(client, dataset, administrator, leader):
    publish("2023-24", user=administrator)
    services.prepare_correction(
        fiscal_year=FiscalYear.objects.get(label="2023-24"), user=administrator, reason="Check"
    )
    set_charges("Q4", "999", administrator)
    client.force_login(leader)
    csv = client.get(reverse("reporting:download_csv", args=["2023-24"])).content.decode()
    assert "charges-laid,Charges laid,count,2023-24,Q4,Q4 (Jan–Mar),,231," in csv
    assert ",999," not in csv
    api = client.get(reverse("api:summary", args=["2023-24"])).json()
    (cfseu,) = [u for u in api["units"] if u["code"] == "CFSEU"]
    (row,) = [r for r in cfseu["rows"] if r["code"] == "charges-laid"]
    assert Decimal(row["quarters"][3]) == 231 and api["release"] == 1


def test_an_anonymous_reader_cannot_tell_a_draft_from_nothing(client, dataset, public):
    services.create_fiscal_year(label="2024-25")
    assert client.get(reverse("reporting:summary", args=["2024-25"])).status_code == 404
    assert client.get(reverse("reporting:summary", args=["2031-32"])).status_code == 404


def test_a_later_migration_left_the_triggers_in_place():
    """A migration that rebuilds the release table on SQLite drops its triggers."""
    assert Release.objects.count() == 0
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    assert {name for name in names if "reporting_release" in name}
    assert {name for name in names if "reporting_publicationevent" in name}


test_a_later_migration_left_the_triggers_in_place = pytest.mark.django_db(
    test_a_later_migration_left_the_triggers_in_place
)


def test_an_acknowledged_finding_may_carry_a_note_for_readers(
    client, dataset, administrator, leader
):
    from reporting.findings import Severity, year_findings
    from reporting.publication import finding_key

    set_charges("FY", "801", administrator)  # the quarters and the regions add up to 800
    year = FiscalYear.objects.get(label="2023-24")
    errors = [f for f in year_findings(year) if f.severity == Severity.ERROR]
    keys = [finding_key(f) for f in errors]
    services.publish_year(
        fiscal_year=year,
        user=administrator,
        acknowledgements=dict.fromkeys(keys, "As printed."),
        public_notes={keys[0]: "The unit counted one charge laid after its regional return."},
        incomplete_reason="Published as printed.",
    )
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    assert "The unit counted one charge laid after its regional return." in page
    event = PublicationEvent.objects.get(fiscal_year=year)
    assert event.acknowledgements[0]["public_note"].startswith("The unit counted")
