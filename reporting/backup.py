"""Backup and restore of the whole record, by natural keys (no database ids).

``take_backup()`` returns a plain JSON-able dict: users and groups (optional),
the catalogue, fiscal years with their lock state, reporting periods, every
import batch, every figure with its note and the batch that wrote it, and
the change history of figures and years. Rows refer to each other by what
people call them (unit code, metric code, "2023-24", "Q1", region name,
username); import batches have no natural key, so a figure names its batch
by the batch's position in the file ("batch": 3).

``restore()`` writes such a dict into an empty database in ONE transaction,
under the database's own constraints, then exports what it wrote and
compares it with the file: any difference rolls the whole restore back.
"""

import contextlib
import datetime
from decimal import Decimal

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils.dateparse import parse_datetime

from reporting.importing.longform import STATED_COLUMNS
from reporting.models import (
    Figure,
    FiscalYear,
    ImportBatch,
    NarrativeBlock,
    PublicationEvent,
    PublishedTotal,
    Release,
    ReportingPeriod,
)
from units.models import Metric, Region, Unit

FORMAT = "alert-results-backup"
VERSION = 1


NARRATIVE_FIELDS = [
    "key",
    "kind",
    "placement",
    "display_order",
    "title",
    "body",
    "pull_quotes",
    "link_text",
    "link_url",
]


class RestoreError(Exception):
    """The file cannot be restored here; nothing was written."""


def _when(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _parse_when(text: str | None) -> datetime.datetime | None:
    return parse_datetime(text) if text else None


def _without(row: dict, *keys: str) -> dict:
    return {key: value for key, value in row.items() if key not in keys}


def _money(number: Decimal) -> str:
    return f"{number:.2f}"


def _stated(figure) -> dict:
    """What a figure (or a historical record of one) states, by the long form's names."""
    return {column: getattr(figure, column) for column in STATED_COLUMNS} | {
        "value": _money(figure.value)
    }


def _stated_fields(row: dict) -> dict:
    return {column: row[column] for column in STATED_COLUMNS} | {"value": Decimal(row["value"])}


# -- export ------------------------------------------------------------------


def take_backup(*, with_users: bool = True) -> dict:
    usernames = dict(User.objects.values_list("pk", "username"))
    units = dict(Unit.objects.values_list("pk", "code"))
    metrics = {m.pk: [units[m.unit_id], m.code] for m in Metric.objects.all()}
    regions = dict(Region.objects.values_list("pk", "name"))
    years = dict(FiscalYear.objects.values_list("pk", "label"))
    periods = {
        pk: [years[fy], period]
        for pk, fy, period in ReportingPeriod.objects.values_list("pk", "fiscal_year_id", "period")
    }
    batches = list(ImportBatch.objects.order_by("created_at", "pk"))
    batch_ref = {batch.pk: position for position, batch in enumerate(batches, start=1)}

    def figure_key(row) -> dict:
        return {
            "metric": metrics.get(row.metric_id),
            "period": periods.get(row.period_id),
            "region": regions.get(row.region_id),
        }

    data: dict = {"format": FORMAT, "version": VERSION}
    if with_users:
        data["groups"] = [
            {
                "name": group.name,
                "permissions": sorted(
                    [p.content_type.app_label, p.codename] for p in group.permissions.all()
                ),
            }
            for group in Group.objects.prefetch_related("permissions__content_type").order_by(
                "name"
            )
        ]
        data["users"] = [
            {
                "username": user.username,
                "password": user.password,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_active": user.is_active,
                "is_staff": user.is_staff,
                "is_superuser": user.is_superuser,
                "date_joined": _when(user.date_joined),
                "last_login": _when(user.last_login),
                "groups": sorted(g.name for g in user.groups.all()),
                "permissions": sorted(
                    [p.content_type.app_label, p.codename] for p in user.user_permissions.all()
                ),
            }
            for user in User.objects.prefetch_related(
                "groups", "user_permissions__content_type"
            ).order_by("username")
        ]
    data["units"] = [
        {
            "code": u.code,
            "name": u.name,
            "program": u.program,
            "team": u.team,
            "description": u.description,
            "display_order": u.display_order,
            "active": u.active,
        }
        for u in Unit.objects.order_by("code")
    ]
    data["metrics"] = [
        {
            "unit": units[m.unit_id],
            "code": m.code,
            "label": m.label,
            "value_type": m.value_type,
            "display_order": m.display_order,
            "regional_label": m.regional_label,
            "headline": m.headline,
            "note": m.note,
            "polarity": m.polarity,
            "active": m.active,
        }
        for m in sorted(Metric.objects.all(), key=lambda m: (units[m.unit_id], m.code))
    ]
    data["regions"] = [
        {"name": r.name, "display_order": r.display_order} for r in Region.objects.order_by("name")
    ]
    data["fiscal_years"] = [
        {
            "label": fy.label,
            "status": fy.status,
            "locked_at": _when(fy.locked_at),
            "locked_by": usernames.get(fy.locked_by_id),
        }
        for fy in FiscalYear.objects.order_by("label")
    ]
    data["periods"] = sorted(periods.values())
    # The report's text and ALERT's published totals, as they stand (their
    # change history is not part of the backup).
    data["narrative_blocks"] = [
        {
            "fiscal_year": b.fiscal_year.label,
            "unit": b.unit.code if b.unit_id else None,
            **{name: getattr(b, name) for name in NARRATIVE_FIELDS},
        }
        for b in NarrativeBlock.objects.select_related("fiscal_year", "unit").order_by(
            "fiscal_year__label", "unit__code", "key"
        )
    ]
    data["published_totals"] = [
        {
            "fiscal_year": t.fiscal_year.label,
            "metric_code": t.metric_code,
            "value": _money(t.value),
            "note": t.note,
        }
        for t in PublishedTotal.objects.select_related("fiscal_year").order_by(
            "fiscal_year__label", "metric_code"
        )
    ]
    # Releases are the figures as published, kept whole; the log says who, when, why.
    data["releases"] = [
        {
            "fiscal_year": years[r.fiscal_year_id],
            "number": r.number,
            "published_at": _when(r.published_at),
            "published_by": usernames.get(r.published_by_id),
            "reason": r.reason,
            "figures": r.figures,
        }
        for r in Release.objects.order_by("fiscal_year__start_year", "number")
    ]
    data["publication_events"] = [
        {
            "fiscal_year": years[e.fiscal_year_id],
            "action": e.action,
            "at": _when(e.at),
            "by": usernames.get(e.by_id),
            "reason": e.reason,
            "release": e.release.number if e.release_id else None,
            "acknowledgements": e.acknowledgements,
        }
        for e in PublicationEvent.objects.select_related("release").order_by("at", "pk")
    ]
    data["import_batches"] = [
        {
            "file_name": b.file_name,
            "checksum": b.checksum,
            "file_format": b.file_format,
            "source": b.source,
            "user": usernames.get(b.user_id),
            "created_at": _when(b.created_at),
            "status": b.status,
            "new": b.new,
            "updated": b.updated,
            "unchanged": b.unchanged,
            "skipped": b.skipped,
            "rejected": b.rejected,
        }
        for b in batches
    ]
    data["values"] = sorted(
        (
            figure_key(v)
            | _stated(v)
            | {
                "batch": batch_ref.get(v.import_batch_id),
                "updated_at": _when(v.updated_at),
                "updated_by": usernames.get(v.updated_by_id),
            }
            for v in Figure.objects.all()
        ),
        key=_figure_order,
    )
    data["value_history"] = [
        figure_key(h)
        | _stated(h)
        | {
            "batch": batch_ref.get(h.import_batch_id),
            "updated_by": usernames.get(h.updated_by_id),
            "history_date": _when(h.history_date),
            "history_type": h.history_type,
            "history_change_reason": h.history_change_reason,
            "history_user": usernames.get(h.history_user_id),
        }
        for h in Figure.history.order_by("history_date", "history_id")
    ]
    data["year_history"] = [
        {
            "label": h.label,
            "status": h.status,
            "locked_at": _when(h.locked_at),
            "locked_by": usernames.get(h.locked_by_id),
            "history_date": _when(h.history_date),
            "history_type": h.history_type,
            "history_change_reason": h.history_change_reason,
            "history_user": usernames.get(h.history_user_id),
        }
        for h in FiscalYear.history.order_by("history_date", "history_id")
    ]
    return data


def _figure_order(row: dict) -> tuple:
    return (row["metric"] or [], row["period"] or [], row["region"] or "")


# -- restore -----------------------------------------------------------------


@contextlib.contextmanager
def _stored_timestamps():
    """Keep the timestamps of the file instead of stamping "now" on every row."""
    fields = [
        Figure._meta.get_field("updated_at"),
        ImportBatch._meta.get_field("created_at"),
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def restore(data: dict) -> dict[str, int]:
    """Write a backup into an empty database; all of it or nothing."""
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise RestoreError(f"This is not an {FORMAT} file of version {VERSION}.")
    with transaction.atomic(), _stored_timestamps():
        if (
            Unit.objects.exists()
            or FiscalYear.objects.exists()
            or Figure.objects.exists()
            or ImportBatch.objects.exists()
            or Figure.history.exists()
            or FiscalYear.history.exists()
            or NarrativeBlock.objects.exists()
        ):
            raise RestoreError(
                "The database already holds records: restore only into an empty database "
                "(run `manage.py migrate` on a new database first)."
            )
        with_users = "users" in data
        if with_users:
            _restore_users(data)
        user_pk = dict(User.objects.values_list("username", "pk"))

        def user_of(name):
            if name is None:
                return None
            if name not in user_pk:
                raise RestoreError(f"The file refers to a user “{name}” it does not contain.")
            return user_pk[name]

        Unit.objects.bulk_create(Unit(**row) for row in data["units"])
        unit_pk = dict(Unit.objects.values_list("code", "pk"))
        Metric.objects.bulk_create(
            Metric(**_without(row, "unit"), unit_id=unit_pk[row["unit"]]) for row in data["metrics"]
        )
        Region.objects.bulk_create(Region(**row) for row in data["regions"])
        FiscalYear.objects.bulk_create(
            FiscalYear(
                label=row["label"],
                start_year=FiscalYear.start_year_from_label(row["label"]),
                status=row["status"],
                locked_at=_parse_when(row["locked_at"]),
                locked_by_id=user_of(row["locked_by"]),
            )
            for row in data["fiscal_years"]
        )
        year_pk = dict(FiscalYear.objects.values_list("label", "pk"))
        # A file from before releases were kept has none (bulk_create: stored as written).
        Release.objects.bulk_create(
            Release(
                fiscal_year_id=year_pk[row["fiscal_year"]],
                number=row["number"],
                published_at=_parse_when(row["published_at"]),
                published_by_id=user_of(row["published_by"]),
                reason=row["reason"],
                figures=row["figures"],
            )
            for row in data.get("releases", [])
        )
        release_pk = {
            (label, number): pk
            for pk, label, number in Release.objects.values_list(
                "pk", "fiscal_year__label", "number"
            )
        }
        PublicationEvent.objects.bulk_create(
            PublicationEvent(
                fiscal_year_id=year_pk[row["fiscal_year"]],
                action=row["action"],
                at=_parse_when(row["at"]),
                by_id=user_of(row["by"]),
                reason=row["reason"],
                release_id=release_pk.get((row["fiscal_year"], row["release"])),
                acknowledgements=row["acknowledgements"],
            )
            for row in data.get("publication_events", [])
        )
        ReportingPeriod.objects.bulk_create(
            ReportingPeriod(fiscal_year_id=year_pk[label], period=period)
            for label, period in data["periods"]
        )
        metric_pk = {
            (unit_code, code): pk
            for pk, unit_code, code in Metric.objects.values_list("pk", "unit__code", "code")
        }
        region_pk = dict(Region.objects.values_list("name", "pk"))
        period_pk = {
            (label, period): pk
            for pk, label, period in ReportingPeriod.objects.values_list(
                "pk", "fiscal_year__label", "period"
            )
        }
        batches = ImportBatch.objects.bulk_create(
            ImportBatch(
                **_without(row, "user", "created_at"),
                created_at=_parse_when(row["created_at"]),
                user_id=user_of(row["user"]),
            )
            for row in data["import_batches"]
        )
        batch_pk = {position: b.pk for position, b in enumerate(batches, start=1)}

        def keys_of(row) -> dict:
            return {
                "metric_id": metric_pk[tuple(row["metric"])] if row["metric"] else None,
                "period_id": period_pk[tuple(row["period"])] if row["period"] else None,
                "region_id": region_pk[row["region"]] if row["region"] else None,
                **_stated_fields(row),
                "import_batch_id": batch_pk[row["batch"]] if row["batch"] else None,
                "updated_by_id": user_of(row["updated_by"]),
            }

        Figure.objects.bulk_create(
            (
                Figure(**keys_of(row), updated_at=_parse_when(row["updated_at"]))
                for row in data["values"]
            ),
            batch_size=1000,
        )
        _restore_history(data, keys_of, user_of, year_pk)
        data.setdefault("narrative_blocks", [])  # backups taken before the report's text
        data.setdefault("published_totals", [])
        NarrativeBlock.objects.bulk_create(
            NarrativeBlock(
                **_without(row, "fiscal_year", "unit"),
                fiscal_year_id=year_pk[row["fiscal_year"]],
                unit_id=unit_pk[row["unit"]] if row["unit"] else None,
            )
            for row in data["narrative_blocks"]
        )
        PublishedTotal.objects.bulk_create(
            PublishedTotal(
                fiscal_year_id=year_pk[row["fiscal_year"]],
                metric_code=row["metric_code"],
                value=Decimal(row["value"]),
                note=row["note"],
            )
            for row in data["published_totals"]
        )
        if _comparable(take_backup(with_users=with_users)) != _comparable(data):
            raise RestoreError(
                "The restored database differs from the file; nothing was written. "
                "Was the file edited by hand?"
            )
    return {
        "units": len(data["units"]),
        "metrics": len(data["metrics"]),
        "fiscal_years": len(data["fiscal_years"]),
        "releases": len(data.get("releases", [])),
        "import_batches": len(data["import_batches"]),
        "values": len(data["values"]),
        "history": len(data["value_history"]) + len(data["year_history"]),
    }


def _restore_users(data: dict) -> None:
    for row in data["groups"]:
        group, _ = Group.objects.get_or_create(name=row["name"])
        group.permissions.set(_permissions(row["permissions"]))
    for row in data["users"]:
        user = User.objects.filter(username=row["username"]).first() or User(
            username=row["username"]
        )
        for field in ("password", "first_name", "last_name", "email"):
            setattr(user, field, row[field])
        for field in ("is_active", "is_staff", "is_superuser"):
            setattr(user, field, row[field])
        user.date_joined = _parse_when(row["date_joined"])
        user.last_login = _parse_when(row["last_login"])
        user.save()
        user.groups.set(Group.objects.filter(name__in=row["groups"]))
        user.user_permissions.set(_permissions(row["permissions"]))


def _permissions(pairs: list[list[str]]) -> list[Permission]:
    wanted = {tuple(pair) for pair in pairs}
    found = [
        p
        for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted
    ]
    if len(found) != len(wanted):
        missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
        raise RestoreError(f"Unknown permissions in the file: {sorted(missing)}")
    return found


def _restore_history(data, keys_of, user_of, year_pk) -> None:
    # A historical record carries the id of the figure it describes; figures
    # deleted since have no id any more, so each gets a fresh one, shared by
    # all of its records.
    current = {
        (v.metric_id, v.period_id, v.region_id): v.pk
        for v in Figure.objects.only("pk", "metric_id", "period_id", "region_id")
    }
    next_id = max(current.values(), default=0) + 1
    HistoricalValue = Figure.history.model
    records = []
    for row in data["value_history"]:
        fields = keys_of(row)
        key = (fields["metric_id"], fields["period_id"], fields["region_id"])
        if key not in current:
            current[key], next_id = next_id, next_id + 1
        records.append(
            HistoricalValue(
                id=current[key],
                **fields,
                history_date=_parse_when(row["history_date"]),
                history_type=row["history_type"],
                history_change_reason=row["history_change_reason"],
                history_user_id=user_of(row["history_user"]),
            )
        )
    HistoricalValue.objects.bulk_create(records, batch_size=1000)
    HistoricalYear = FiscalYear.history.model
    HistoricalYear.objects.bulk_create(
        HistoricalYear(
            id=year_pk.get(row["label"], 0),
            label=row["label"],
            start_year=FiscalYear.start_year_from_label(row["label"]),
            status=row["status"],
            locked_at=_parse_when(row["locked_at"]),
            locked_by_id=user_of(row["locked_by"]),
            history_date=_parse_when(row["history_date"]),
            history_type=row["history_type"],
            history_change_reason=row["history_change_reason"],
            history_user_id=user_of(row["history_user"]),
        )
        for row in data["year_history"]
    )


def _comparable(data: dict) -> dict:
    """The parts of a backup that must survive a restore exactly."""
    return {key: value for key, value in data.items() if key != "created_at"}
