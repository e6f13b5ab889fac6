"""Backup and restore of the whole record, derived from the models.

What is written is not a list kept by hand: it is every concrete field of
every model of the project's own apps (the apps whose code lives in this
repository: the catalogue, the records, their change history, import
batches, and whatever model is added to them later), plus, unless left out,
the people: users, groups and their memberships and permissions.

Rows keep their database ids, so a restore reproduces the database exactly.
Three kinds of reference are written by what they name instead of by id,
because a freshly migrated database makes its own rows for them:
permissions and content types (app label, model, codename) and, in a backup
without the people, users (username, matched to the users of the target).

``take_backup()`` reads everything in one snapshot: one REPEATABLE READ,
READ ONLY transaction on PostgreSQL (READ COMMITTED, the default, would let
each query see a different moment); on SQLite one transaction already is one.

``restore()`` writes a backup into an empty, migrated database in ONE
transaction under the database's own constraints (foreign keys checked
before it commits); any refusal rolls all of it back.
"""

import contextlib
import datetime
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from reporting.models import records_changed

FORMAT = "alert-results-backup"
VERSION = 2

# People, restored with the record unless the backup leaves them out.
PEOPLE_MODELS = ("auth.user", "auth.group")
# Working files, not records: an upload held between preview and confirm (or
# for its list of problems) lives a day at most and is never backed up.
# The records version keys the figures API's cached pages: the restore gives
# the restored records a new one.
WORKING_MODELS = ("uploads.heldupload", "reporting.recordsversion")


class RestoreError(Exception):
    """The file cannot be restored here; nothing was written."""


# -- which models --------------------------------------------------------------


def project_app_labels() -> list[str]:
    """The apps whose code is in this repository: they hold the project's data."""
    base = Path(settings.BASE_DIR).resolve()
    labels = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        # Not an installed library, even when the virtual environment sits here.
        if path.is_relative_to(base) and not any(
            part == "site-packages" or part.startswith(".") for part in path.relative_to(base).parts
        ):
            labels.append(config.label)
    return labels


def backed_up_models(*, with_users: bool = True) -> list[type[models.Model]]:
    """Every model the backup holds, auto-created many-to-many tables included."""
    chosen: list[type[models.Model]] = []
    working = {apps.get_model(label) for label in WORKING_MODELS}
    for label in project_app_labels():
        chosen.extend(
            model
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
            if model not in working
        )
    if with_users:
        for label in PEOPLE_MODELS:
            model = apps.get_model(label)
            chosen.append(model)
            chosen.extend(
                field.remote_field.through
                for field in model._meta.local_many_to_many
                if field.remote_field.through._meta.auto_created
            )
    return chosen


def field_names(model: type[models.Model]) -> list[str]:
    """The columns of a model, by attribute name (``unit_id`` for a foreign key)."""
    return [field.attname for field in model._meta.concrete_fields]


# -- references by name ----------------------------------------------------------


def _reference_kind(field: models.Field, with_users: bool) -> str | None:
    """Which by-name table a foreign key's ids are looked up in, if any."""
    if not field.is_relation or not field.many_to_one:
        return None
    target = field.related_model
    if target is Permission:
        return "permission"
    if target is ContentType:
        return "content_type"
    if not with_users and target._meta.label_lower == settings.AUTH_USER_MODEL.lower():
        return "user"
    return None


def _reference_names(kind: str, ids: set) -> dict[str, list[str]]:
    if kind == "permission":
        rows = Permission.objects.filter(pk__in=ids).values_list(
            "pk", "content_type__app_label", "content_type__model", "codename"
        )
    elif kind == "content_type":
        rows = ContentType.objects.filter(pk__in=ids).values_list("pk", "app_label", "model")
    else:
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        rows = user_model._base_manager.filter(pk__in=ids).values_list(
            "pk", user_model.USERNAME_FIELD
        )
    return {str(row[0]): list(row[1:]) for row in rows}


def _reference_ids(kind: str) -> dict[tuple, int]:
    """In the target database: the id of each name."""
    if kind == "permission":
        rows = Permission.objects.values_list(
            "content_type__app_label", "content_type__model", "codename", "pk"
        )
    elif kind == "content_type":
        rows = ContentType.objects.values_list("app_label", "model", "pk")
    else:
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        rows = user_model._base_manager.values_list(user_model.USERNAME_FIELD, "pk")
    return {tuple(row[:-1]): row[-1] for row in rows}


# -- export ------------------------------------------------------------------------


def _plain(value: object) -> object:
    """A column's value as JSON holds it exactly (no float, full microseconds)."""
    if value is None or isinstance(value, bool | int | str | dict | list):
        return value  # a JSONField's value is JSON already
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # datetimes too
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """One consistent view of the database for as long as the block runs."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def take_backup(*, with_users: bool = True) -> dict:
    """The whole record as a JSON-able dict (see the module docstring)."""
    with snapshot():
        tables = []
        references: dict[str, set] = {}
        for model in backed_up_models(with_users=with_users):
            names = field_names(model)
            kinds = {
                position: kind
                for position, field in enumerate(model._meta.concrete_fields)
                if (kind := _reference_kind(field, with_users))
            }
            rows = []
            for row in model._base_manager.order_by("pk").values_list(*names).iterator(2000):
                for position, kind in kinds.items():
                    if row[position] is not None:
                        references.setdefault(kind, set()).add(row[position])
                rows.append([_plain(value) for value in row])
            tables.append({"model": model._meta.label_lower, "fields": names, "rows": rows})
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "with_users": with_users,
            "references": {
                kind: _reference_names(kind, ids) for kind, ids in sorted(references.items())
            },
            "models": tables,
        }


# -- restore -----------------------------------------------------------------------


@contextlib.contextmanager
def _stored_timestamps(model_classes) -> Iterator[None]:
    """Keep the file's timestamps instead of stamping "now" on every row.

    bulk_create applies auto_now and auto_now_add; they are switched off for
    the length of the restore (a command, alone in its process).
    """
    fields = [
        field
        for model in model_classes
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _check_shape(data: dict) -> list[type[models.Model]]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RestoreError(f"This is not an {FORMAT} file.")
    if data.get("version") != VERSION:
        raise RestoreError(
            f"This backup is of version {data.get('version')}; this release restores version "
            f"{VERSION}. Restore it with the release that wrote it, then back up again."
        )
    with_users = bool(data.get("with_users"))
    expected = {m._meta.label_lower: m for m in backed_up_models(with_users=with_users)}
    given = {table["model"]: table for table in data["models"]}
    problems = []
    for label in sorted(set(expected) - set(given)):
        problems.append(f"the file has no table {label}")
    for label in sorted(set(given) - set(expected)):
        problems.append(f"the file holds a table {label} this database does not have")
    for label in sorted(set(expected) & set(given)):
        wanted, found = field_names(expected[label]), given[label]["fields"]
        if sorted(wanted) != sorted(found):
            missing = sorted(set(wanted) - set(found))
            extra = sorted(set(found) - set(wanted))
            problems.append(
                f"{label} differs: "
                + "; ".join(
                    part
                    for part in (
                        f"missing {', '.join(missing)}" if missing else "",
                        f"unknown {', '.join(extra)}" if extra else "",
                    )
                    if part
                )
            )
    if problems:
        raise RestoreError(
            "The file was written by a different version of the database schema ("
            + "; ".join(problems)
            + "). Migrate this database to the version the backup was taken on."
        )
    return list(expected.values())


def restore(data: dict) -> dict[str, int]:
    """Write a backup into an empty, migrated database; all of it or nothing."""
    model_classes = _check_shape(data)
    with_users = bool(data.get("with_users"))
    by_label = {m._meta.label_lower: m for m in model_classes}
    counts: dict[str, int] = {}
    with transaction.atomic(), _stored_timestamps(model_classes):
        # migrate makes the roles' groups; a backup with the people brings its own.
        replaced = {Group, Group.permissions.through} if with_users else set()
        held = [m._meta.label_lower for m in model_classes if m not in replaced]
        occupied = [label for label in held if by_label[label]._base_manager.exists()]
        if occupied:
            raise RestoreError(
                f"The database already holds records ({', '.join(occupied)}): restore only "
                "into an empty database (run `manage.py migrate` on a new database first)."
            )
        if with_users:
            Group.objects.all().delete()
        lookups = {kind: _reference_ids(kind) for kind in data.get("references", {})}
        tables = {table["model"]: table for table in data["models"]}
        for model in _referenced_first(model_classes):
            table = tables[model._meta.label_lower]
            fields = [model._meta.get_field(_field_name(model, name)) for name in table["fields"]]
            converters = [_converter(field, with_users, data, lookups) for field in fields]
            objects = []
            for number, row in enumerate(table["rows"], start=1):
                try:
                    values = {
                        field.attname: convert(value)
                        for field, convert, value in zip(fields, converters, row, strict=True)
                    }
                except (ValueError, TypeError, KeyError, LookupError) as exc:
                    raise RestoreError(f"{table['model']}, row {number}: {exc}") from exc
                objects.append(model(**values))
            model._base_manager.bulk_create(objects, batch_size=1000)
            counts[table["model"]] = len(objects)
        # Rows were written with their own ids: the id sequences continue after them.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), model_classes):
                cursor.execute(statement)
        # Foreign keys are checked when the transaction commits; check them
        # now, so that a dangling reference is refused like any other.
        connection.check_constraints(table_names=[m._meta.db_table for m in model_classes])
        # Pages cached before the restore were keyed by versions of other records.
        records_changed()
    return counts


def _referenced_first(model_classes: list) -> list:
    """The models ordered so that a row's foreign keys point at rows already written."""
    remaining = list(model_classes)
    ordered: list = []
    while remaining:
        ready = [
            model
            for model in remaining
            if not any(
                field.related_model in remaining and field.related_model is not model
                for field in model._meta.concrete_fields
                if field.is_relation and field.many_to_one and field.db_constraint
            )
        ]
        if not ready:  # a cycle: deferred foreign keys still hold until the end
            ready = remaining[:1]
        ordered.extend(ready)
        remaining = [model for model in remaining if model not in ready]
    return ordered


def _field_name(model: type[models.Model], attname: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field.name
    raise RestoreError(f"{model._meta.label_lower} has no field {attname}.")


def _converter(field: models.Field, with_users: bool, data: dict, lookups: dict):
    kind = _reference_kind(field, with_users)
    if kind is None:
        target = field.target_field if field.is_relation else field
        return lambda value: None if value is None else target.to_python(value)
    names = data.get("references", {}).get(kind, {})
    ids = lookups.get(kind, {})

    def convert(value):
        if value is None:
            return None
        name = tuple(names[str(value)])
        if name not in ids:
            raise RestoreError(
                f"the file refers to {kind.replace('_', ' ')} “{'.'.join(name)}”, which this "
                "database does not have"
                + (" (create the user first, or restore a backup with the people)")
                * (kind == "user")
                + "."
            )
        return ids[name]

    return convert
