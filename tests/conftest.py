"""The shared cast of the test suite: one user per role, and the dataset."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from reporting.roles import ADMINISTRATORS, DATA_ENTRY, LEADERSHIP


def empty_cache() -> None:
    """Forget everything this test run cached: the whole local-memory cache,
    or in a shared Redis only the keys under this run's prefix."""
    from django.conf import settings
    from django.core.cache import cache

    from reporting.caching import forget_local_copies

    forget_local_copies()  # this process's copies of shared pages
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(write=True)
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached (the summary page caches its content)."""
    empty_cache()
    yield
    empty_cache()


def _quiet():
    return open("/dev/null", "w")  # noqa: SIM115


@pytest.fixture
def dataset(db):
    """The shipped 2023-24 dataset with its years left as drafts, so that tests
    may change its figures (``load_dataset --drafts``)."""
    call_command("load_dataset", "--drafts", stdout=_quiet())


@pytest.fixture
def published_dataset(db):
    """The shipped 2023-24 dataset as `make run` loads it: its three years published."""
    call_command("load_dataset", stdout=_quiet())


@pytest.fixture
def catalogue(db):
    """The shipped catalogue and years, with no figures and no import records."""
    from reporting.models import Figure, ImportBatch

    call_command("load_dataset", "--drafts", stdout=_quiet())
    Figure.objects.all().delete()
    Figure.history.all().delete()
    ImportBatch.objects.all().delete()


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
