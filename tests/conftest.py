"""The shared cast of the test suite: one user per role, and the shipped dataset.

Every fixture shared by more than one test folder lives here.
"""

import os
import shutil

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from reporting.models import FiscalYear, RecordsVersion
from reporting.roles import ADMINISTRATORS, DATA_ENTRY, LEADERSHIP
from units.models import Unit


def empty_cache() -> None:
    """Forget everything this test run cached: the whole local-memory cache,
    or in a shared Redis only the keys under this run's prefix (other runs
    and installations may share the database)."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached (pages, throttle counts)."""
    empty_cache()
    yield
    empty_cache()


# The shipped dataset, loaded once per test session.
#
# ``load_dataset`` takes 0.4-0.5 s; hundreds of tests need its rows. The
# session loads it once (and once more published), keeps the rows it wrote,
# and rolls back; each test that asks for it gets the same rows back with
# their ids in one bulk insert per table (a few milliseconds), inside its own
# transaction, so the test may change them freely. Transactional tests
# (browser, reliability) get them the same way; their flush removes them.

# The tables the dataset writes: every model of these apps, histories included.
DATASET_APPS = ("units", "reporting")
# What the catalogue fixture leaves out: the figures and the import that wrote them.
FIGURE_TABLES = ("reporting_figure", "reporting_historicalfigure", "reporting_importbatch")


def _dataset_models() -> list:
    # Not the records version's one row: the migration made it, and a write
    # (the load included) only replaces its token.
    return [
        model
        for label in DATASET_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model is not RecordsVersion
    ]


class TableRows:
    """One table's rows, ready to insert again: multi-row INSERT statements and
    their parameters, the values as the database takes them."""

    def __init__(self, model, rows: list[dict]):
        fields = model._meta.concrete_fields
        quote = connection.ops.quote_name
        head = "INSERT INTO {} ({}) VALUES ".format(
            quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields)
        )
        one_row = "({})".format(", ".join(["%s"] * len(fields)))
        values = [
            [field.get_db_prep_save(row[field.attname], connection) for field in fields]
            for row in rows
        ]
        size = connection.ops.bulk_batch_size(fields, values) or 1
        self.model = model
        self.statements = [
            (head + ", ".join([one_row] * len(batch)), [value for row in batch for value in row])
            for batch in (values[start : start + size] for start in range(0, len(values), size))
        ]


class Snapshot:
    """Rows of several tables, written back with their ids by ``restore``."""

    def __init__(self, tables: list[TableRows]):
        self.tables = tables
        self.statements = [statement for table in tables for statement in table.statements]
        # PostgreSQL's sequences do not follow explicit ids (SQLite's do).
        reset = connection.ops.sequence_reset_sql(no_style(), [table.model for table in tables])
        self.statements += [(statement, None) for statement in reset]
        if connection.vendor == "postgresql":
            # One round trip, its text composed once: parsing the parameters of
            # large statements afresh for every test cost more than running them.
            self.statements = [
                (
                    ";\n".join(
                        connection.ops.compose_sql(*statement) for statement in self.statements
                    ),
                    None,
                )
            ]

    def without(self, *db_tables: str) -> "Snapshot":
        return Snapshot(
            [table for table in self.tables if table.model._meta.db_table not in db_tables]
        )

    def restore(self) -> None:
        # Foreign keys are checked at commit, so the tables' order does not matter.
        with transaction.atomic(), connection.cursor() as cursor:
            for statement, parameters in self.statements:
                cursor.execute(statement, parameters)


def _rows_after_loading(*options: str) -> Snapshot:
    """The rows ``load_dataset *options`` writes; the load itself is rolled back."""
    with transaction.atomic():
        call_command("load_dataset", *options, stdout=open(os.devnull, "w"))  # noqa: SIM115
        tables = [
            TableRows(model, list(model._base_manager.values())) for model in _dataset_models()
        ]
        transaction.set_rollback(True)
    return Snapshot([table for table in tables if table.statements])


@pytest.fixture(scope="session")
def _shipped_rows(django_db_setup, django_db_blocker) -> dict[str, Snapshot]:
    with django_db_blocker.unblock():
        drafts = _rows_after_loading("--drafts")
        return {
            "drafts": drafts,
            "published": _rows_after_loading(),
            "catalogue": drafts.without(*FIGURE_TABLES),
        }


@pytest.fixture
def dataset(db, _shipped_rows):
    """The shipped 2023-24 dataset with its years left as drafts, so that tests
    may change its figures (``load_dataset --drafts``)."""
    _shipped_rows["drafts"].restore()


@pytest.fixture
def published_dataset(db, _shipped_rows):
    """The shipped 2023-24 dataset as `make run` loads it: its three years published."""
    _shipped_rows["published"].restore()


@pytest.fixture
def published_year(dataset):
    """The dataset's 2023-24 published through ``publish_year`` (release 1), the
    two years before it left as drafts."""
    from tests.years import publish

    publish("2023-24")
    return FiscalYear.objects.get(label="2023-24")


@pytest.fixture
def catalogue(db, _shipped_rows):
    """The shipped catalogue and years, with no figures and no import records."""
    _shipped_rows["catalogue"].restore()


@pytest.fixture
def year(dataset) -> FiscalYear:
    """The shipped 2023-24, a draft."""
    return FiscalYear.objects.get(label="2023-24")


@pytest.fixture
def ice(dataset) -> Unit:
    return Unit.objects.get(code="ICE")


@pytest.fixture
def cfseu(dataset) -> Unit:
    return Unit.objects.get(code="CFSEU")


def _member(username: str, group: str | None, *, staff: bool = True) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery")
    user.is_staff = staff
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def administrator(db) -> User:
    """Alice runs the system: a member of Administrators (not a superuser)."""
    return _member("alice", ADMINISTRATORS)


@pytest.fixture
def clerk(db) -> User:
    """Bob enters the quarterly figures: a member of Data entry with the
    "every unit" box ticked (a test that assigns him units limits him to them)."""
    from reporting.people import every_unit_permission

    bob = _member("bob", DATA_ENTRY)
    bob.user_permissions.add(every_unit_permission())
    return bob


@pytest.fixture
def leader(db) -> User:
    """Carol reads the summary: a member of Leadership."""
    return _member("carol", LEADERSHIP)


@pytest.fixture
def outsider(db) -> User:
    """Dan has an account and staff status but no role at all."""
    return _member("dan", None)


@pytest.fixture
def ice_clerk(clerk, ice) -> User:
    """Bob, assigned to ICE only."""
    ice.data_entry_users.add(clerk)
    return clerk


@pytest.fixture
def media(settings, tmp_path):
    """Uploads and held files go to this test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def public(settings):
    """Anonymous readers read published years (ALERT_PUBLIC_REPORTS)."""
    settings.ALERT_PUBLIC_REPORTS = True


@pytest.fixture
def soffice() -> str:
    """LibreOffice's soffice; without it the test skips with the reason, unless
    ALERT_REQUIRE_LIBREOFFICE=1 (CI), which makes it a failure."""
    found = shutil.which("soffice")
    if found is None:
        reason = "LibreOffice (soffice) is not installed"
        if os.environ.get("ALERT_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(f"{reason} (ALERT_REQUIRE_LIBREOFFICE=1 makes this a failure)")
        pytest.skip(reason)
    return found
