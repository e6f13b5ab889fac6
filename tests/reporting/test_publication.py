"""Publishing a year: the review's gate, releases kept as published, revisions,
corrections prepared with a reason, and the shipped years published as release 1."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reporting import services
from reporting.findings import Severity, year_findings
from reporting.models import (
    Figure,
    FiscalYear,
    PublicationEvent,
    Release,
    ReleaseRefused,
    UnitQuarter,
)
from reporting.publication import finding_key, release_history, review_year
from units.models import Region, Unit

CFSEU_CHARGES = {"metric__unit__code": "CFSEU", "metric__code": "charges-laid"}


def charges(period: str, year: str = "2023-24") -> Figure:
    return Figure.objects.get(
        **CFSEU_CHARGES, period__fiscal_year__label=year, period__period=period, region=None
    )


def set_charges(period: str, value: str, user) -> None:
    figure = charges(period)
    services.record_figure(metric=figure.metric, period=figure.period, value=value, user=user)


# The shipped 2023-24 is not complete: three Firearms rows have no quarters.
INCOMPLETE = "Firearms' three rows were printed without quarters."


def publish(**kwargs):
    """``services.publish_year`` with the shipped year's incompleteness acknowledged."""
    return services.publish_year(**{"incomplete_reason": INCOMPLETE, **kwargs})


def errors_of(year: FiscalYear) -> list:
    return [f for f in year_findings(year) if f.severity == Severity.ERROR]


@pytest.fixture
def year_with_an_error(year, administrator) -> FiscalYear:
    # The quarters and the regions add up to 800; a full year of 801 contradicts both.
    set_charges("FY", "801", administrator)
    assert [f.kind for f in errors_of(year)] == ["quarters-vs-year", "regions-vs-unit"]
    return year


def test_publishing_with_an_open_error_needs_an_acknowledgement(year_with_an_error, administrator):
    year = year_with_an_error
    with pytest.raises(ValidationError, match="fix this error or acknowledge it"):
        publish(fiscal_year=year, user=administrator)
    first, second = errors_of(year)
    for partly in (
        {finding_key(first): "   ", finding_key(second): "As printed."},
        {finding_key(first): "As printed."},
    ):
        with pytest.raises(ValidationError, match="acknowledge it with a reason"):
            publish(fiscal_year=year, user=administrator, acknowledgements=partly)
    year.refresh_from_db()
    assert not year.is_locked and not Release.objects.filter(fiscal_year=year).exists()

    reason = "The printed report says 801; the lab log agrees."
    release = publish(
        fiscal_year=year,
        user=administrator,
        acknowledgements={finding_key(first): reason, finding_key(second): reason},
    )
    year.refresh_from_db()
    assert year.is_locked and release.number == 1
    event = PublicationEvent.objects.get(fiscal_year=year)
    assert (event.action, event.by, event.release) == ("published", administrator, release)
    assert event.acknowledgements == [
        {"kind": f.kind, "unit": "CFSEU", "message": f.message, "reason": reason}
        for f in (first, second)
    ] + [
        {
            "kind": "incomplete",
            "unit": "",
            "message": "2023-24 is 86 % complete: 132 of 152 expected figures entered.",
            "reason": INCOMPLETE,
        }
    ]


def test_only_administrators_publish_and_prepare_corrections(year, clerk, leader):
    for user in (clerk, leader):
        with pytest.raises(PermissionDenied):
            publish(fiscal_year=year, user=user)
        with pytest.raises(PermissionDenied):
            services.prepare_correction(fiscal_year=year, user=user, reason="x")
    year.refresh_from_db()
    assert not year.is_locked


def test_preparing_a_correction_needs_a_reason_and_is_recorded(year, administrator):
    publish(fiscal_year=year, user=administrator)
    with pytest.raises(ValidationError, match="Say what is to be corrected"):
        services.prepare_correction(fiscal_year=year, user=administrator, reason="  ")
    year.refresh_from_db()
    assert year.is_locked
    services.prepare_correction(fiscal_year=year, user=administrator, reason="CFSEU Q3 mistyped")
    year.refresh_from_db()
    assert not year.is_locked
    latest = PublicationEvent.objects.filter(fiscal_year=year).first()
    assert (latest.action, latest.reason, latest.by) == (
        "unpublished",
        "CFSEU Q3 mistyped",
        administrator,
    )


def correct_charges_q4(year, administrator) -> None:
    """Publish (unless published), prepare a correction, move two CFSEU charges from Q3 to Q4
    (237 -> 235, 231 -> 233: the year stays 800)."""
    if not Release.objects.filter(fiscal_year=year).exists():
        publish(fiscal_year=year, user=administrator)
    services.prepare_correction(fiscal_year=year, user=administrator, reason="CFSEU Q4 mistyped")
    set_charges("Q3", "235", administrator)
    set_charges("Q4", "233", administrator)


def test_republishing_needs_its_reason_and_makes_release_2(year, administrator):
    correct_charges_q4(year, administrator)
    with pytest.raises(ValidationError, match="Say why 2023-24 is published again"):
        publish(fiscal_year=year, user=administrator)
    release = publish(
        fiscal_year=year, user=administrator, reason="Q4 corrected from the unit's log"
    )
    assert release.number == 2
    assert Release.objects.filter(fiscal_year=year).count() == 2


def test_a_revision_lists_its_change_and_reason(client, year, administrator, leader):
    correct_charges_q4(year, administrator)
    publish(fiscal_year=year, user=administrator, reason="Q4 corrected from the unit's log")
    history = release_history(year)
    (revision,) = history.revisions
    assert [str(change) for change in revision.changes] == [
        "CFSEU · Charges laid Q3: 237 → 235",
        "CFSEU · Charges laid Q4: 231 → 233",
    ]
    client.force_login(leader)
    page = client.get(reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"}))
    text = page.content.decode()
    assert "Release 2, published" in text and "Revised in release 2, " in text
    assert "CFSEU · Charges laid Q4: 231 → 233" in text
    assert "— Q4 corrected from the unit&#x27;s log" in text
    assert reverse("reporting:download_release", args=["2023-24", 1]) in text


def test_the_first_release_never_changes(client, year, administrator, leader):
    first = publish(fiscal_year=year, user=administrator)
    published = list(first.figures)
    (q4,) = [
        e
        for e in published
        if (e["unit"], e["metric"], e["period"], e["region"]) == ("CFSEU", "charges-laid", "Q4", "")
    ]
    assert (q4["value"], q4["metric_label"]) == ("231", "Charges laid")
    correct_charges_q4(year, administrator)
    publish(fiscal_year=year, user=administrator, reason="Q4 corrected")

    first.reason = "rewritten"
    with pytest.raises(ReleaseRefused):
        first.save()
    with pytest.raises(ReleaseRefused):
        first.delete()
    with pytest.raises(ReleaseRefused):
        Release.objects.filter(pk=first.pk).update(reason="rewritten")
    with pytest.raises(ReleaseRefused):
        Release.objects.filter(pk=first.pk).delete()
    with pytest.raises(ReleaseRefused):
        PublicationEvent.objects.all().delete()

    stored = Release.objects.get(fiscal_year=year, number=1)
    assert stored.figures == published and stored.reason == "First publication"
    client.force_login(leader)
    csv = client.get(reverse("reporting:download_release", args=["2023-24", 1])).content.decode()
    # The release keeps its public notes (the shipped footnotes), so the row ends with one.
    assert (
        "CFSEU,Combined Special Forces Enforcement,charges-laid,Charges laid,count,"
        "2023-24,Q4,Q4 (Jan–Mar),,231,\r\n" in csv
    )
    assert ",Q4 (Jan–Mar),,233" not in csv


def test_the_shipped_years_are_published_as_release_1(published_dataset):
    for label in ("2021-22", "2022-23", "2023-24"):
        year = FiscalYear.objects.get(label=label)
        assert year.is_locked
        (release,) = Release.objects.filter(fiscal_year=year)
        assert release.number == 1
        assert release.published_as == "ALERT's 2023-24 annual report"
        assert release.published_on is None
        assert len(release.figures) == Figure.objects.for_year(year).count()


def test_the_review_page_blocks_an_unacknowledged_error_then_publishes(
    client, year_with_an_error, administrator
):
    year = year_with_an_error
    client.force_login(administrator)
    url = reverse("admin:reporting_fiscalyear_publish", args=[year.pk])
    page = client.get(url)
    assert page.status_code == 200
    keys = [finding_key(f) for f in errors_of(year)]
    assert all(f'name="ack-{key}"' in page.content.decode() for key in keys)

    refused = client.post(url, {"confirm": "yes", f"ack-{keys[0]}": "As printed."})
    assert refused.status_code == 200
    assert "fix this error or acknowledge it with a reason" in refused.content.decode()
    year.refresh_from_db()
    assert not year.is_locked

    unconfirmed = client.post(url, {f"ack-{key}": "As printed." for key in keys})
    assert "I have reviewed this year" in unconfirmed.content.decode()
    done = client.post(
        url,
        {
            "confirm": "yes",
            "incomplete_reason": INCOMPLETE,
            **{f"ack-{key}": "As printed." for key in keys},
        },
    )
    assert done.status_code == 302
    year.refresh_from_db()
    assert year.is_locked


def test_the_correction_page_needs_a_reason(client, year, administrator):
    publish(fiscal_year=year, user=administrator)
    client.force_login(administrator)
    url = reverse("admin:reporting_fiscalyear_correct", args=[year.pk])
    assert "Say what is to be corrected" in client.post(url, {"reason": ""}).content.decode()
    year.refresh_from_db()
    assert year.is_locked
    assert client.post(url, {"reason": "Q3 to correct"}).status_code == 302
    year.refresh_from_db()
    assert not year.is_locked


def test_the_review_lists_the_quarters_not_yet_approved(year, administrator, clerk, client):
    cfseu = Unit.objects.get(code="CFSEU")
    services.move_quarter(action="submit", unit=cfseu, fiscal_year=year, quarter="Q1", user=clerk)
    services.move_quarter(
        action="approve", unit=cfseu, fiscal_year=year, quarter="Q1", user=administrator
    )

    unapproved = [q.label for q in review_year(year).completeness.unapproved]
    assert "CFSEU Q1" not in unapproved
    assert {"CFSEU Q2", "CFSEU Q3", "CFSEU Q4", "ICE Q1"} <= set(unapproved)

    client.force_login(administrator)
    page = client.get(reverse("admin:reporting_fiscalyear_publish", args=[year.pk]))
    content = page.content.decode()
    assert "CFSEU Q2: in progress, 5 / 5" in content and "CFSEU Q1:" not in content


def test_the_review_shows_completeness_per_unit_and_for_the_year(catalogue, administrator, client):
    """A year where one unit has entered a quarter and the others nothing: every
    unit-quarter is listed, units that have not started included."""
    year = FiscalYear.objects.get(label="2023-24")
    ice = Unit.objects.get(code="ICE")
    for metric in ice.metrics.filter(active=True):
        services.record_figure(
            metric=metric, period=year.periods.get(period="Q1"), value="1", user=administrator
        )
    completeness = review_year(year).completeness
    ice_progress = next(u for u in completeness.units if u.unit.code == "ICE")
    assert (ice_progress.entered, ice_progress.expected, ice_progress.percent) == (6, 24, 25)
    assert [q.label for q in ice_progress.unapproved] == ["ICE Q1", "ICE Q2", "ICE Q3", "ICE Q4"]
    assert [q.state for q in ice_progress.unapproved] == [
        "in_progress",
        "not_started",
        "not_started",
        "not_started",
    ]
    assert {u.unit.code for u in completeness.units} == set(
        Unit.objects.active().values_list("code", flat=True)
    )
    assert len(completeness.unapproved) == 4 * len(completeness.units)
    assert completeness.entered == 6 and completeness.percent == 6 * 100 // 152

    client.force_login(administrator)
    url = reverse("admin:reporting_fiscalyear_publish", args=[year.pk])
    content = client.get(url).content.decode()
    assert "Completeness: 3 %" in content
    assert "CFSEU Q1: not started, 0 / 5" in content
    assert "Reason for publishing 2023-24 at 3 %" in content


def test_publishing_an_incomplete_year_needs_a_typed_acknowledgement(
    catalogue, administrator, client
):
    year = FiscalYear.objects.get(label="2023-24")
    intakes = Unit.objects.get(code="ICE").metrics.get(code="file-intakes")
    services.record_figure(
        metric=intakes, period=year.periods.get(period="Q1"), value="5", user=administrator
    )
    with pytest.raises(ValidationError, match="2023-24 is 0 % complete: 1 of 152 expected"):
        services.publish_year(fiscal_year=year, user=administrator, incomplete_reason="  ")
    client.force_login(administrator)
    url = reverse("admin:reporting_fiscalyear_publish", args=[year.pk])
    refused = client.post(url, {"confirm": "yes"})
    assert "Say why it is published as it is." in refused.content.decode()
    year.refresh_from_db()
    assert not year.is_locked
    done = client.post(url, {"confirm": "yes", "incomplete_reason": "Entry starts next month."})
    assert done.status_code == 302
    event = PublicationEvent.objects.get(fiscal_year=year)
    assert event.acknowledgements[-1]["kind"] == "incomplete"
    assert event.acknowledgements[-1]["reason"] == "Entry starts next month."


def test_a_complete_year_needs_no_acknowledgement(dataset, administrator):
    year = FiscalYear.objects.get(label="2023-24")
    # Fill the rows the report printed without quarters: the year is complete.
    expected = review_year(year).completeness
    for unit_progress in expected.units:
        for metric in unit_progress.unit.metrics.filter(active=True):
            for quarter in ("Q1", "Q2", "Q3", "Q4"):
                period = year.periods.get(period=quarter)
                if not Figure.objects.filter(metric=metric, period=period, region=None).exists():
                    services.record_figure(
                        metric=metric, period=period, value="0", user=administrator
                    )
            if metric.regional_label:
                for region in Region.objects.all():
                    period = year.periods.get(period="FY")
                    if not Figure.objects.filter(
                        metric=metric, period=period, region=region
                    ).exists():
                        services.record_figure(
                            metric=metric,
                            period=period,
                            region=region,
                            value="0",
                            user=administrator,
                        )
    assert review_year(year).completeness.percent == 100
    acknowledgements = {finding_key(f): "As printed." for f in errors_of(year)}
    release = services.publish_year(
        fiscal_year=year, user=administrator, acknowledgements=acknowledgements
    )
    assert release.number == 1


def test_the_shipped_years_quarters_are_recorded_as_approved(published_dataset):
    year = FiscalYear.objects.get(label="2023-24")
    assert review_year(year).completeness.unapproved == []
    assert (
        UnitQuarter.objects.for_year(year).approved().count()
        == 4 * Unit.objects.filter(metrics__figures__period__fiscal_year=year).distinct().count()
    )
    record = UnitQuarter.objects.for_year(year).first()
    assert (
        record.history.get().history_change_reason
        == "As published in ALERT's 2023-24 annual report."
    )
