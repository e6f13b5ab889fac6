"""Each signed-in user, with their permissions and unit assignments, held in the shared cache.

Django's ``ModelBackend`` reads the signed-in user on every request, and
keeps their permissions on the user object, that is for one request: every
request asks the database again (the user, their own permissions, their
groups' permissions, and here their assigned units). The answers change
only when the user is saved or an administrator changes their groups,
permissions or units, so they are kept in the default cache (Redis, shared
by every app server, when REDIS_URL is set) under the user's id and
``ACCESS_CACHE_VERSION``. ``units.signals`` forgets a user's entry whenever
any of those changes (a save of the user included: a new password, a
deactivation), on every server at once since the cache is shared.
"""

import time

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import transaction

# Part of every key: raise it when the cached entry's shape changes, so that
# servers running the new code never read an entry written by the old.
ACCESS_CACHE_VERSION = 2
# A safety net only: entries are forgotten when what they hold changes.
ACCESS_CACHE_SECONDS = 60 * 60


# The generation of this installation's cached entries: part of the key of
# every entry that speaks of the records (a user's access here, the shared
# pages in reporting.caching). ``manage.py restore`` moves it on, which
# retires every such entry at once, on every server, without touching any
# other key of the cache (another installation's under its own prefix, or
# this one's throttle counters). One cache read per key built.
GENERATION_KEY = "records-generation"


def cache_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Lost (a new cache, an eviction): start from the clock, so that a
        # generation is never reused; add() lets the first process win.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def new_cache_generation() -> None:
    """Retire every entry keyed by the generation (after a restore)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: any new one will do
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def access_key(user_id: int, generation: int | None = None) -> str:
    generation = cache_generation() if generation is None else generation
    return f"user-access:v{ACCESS_CACHE_VERSION}:{generation}:{user_id}"


def user_access(user) -> dict[str, frozenset]:
    """``{"user": perms, "group": perms, "units": unit ids}`` of a saved user
    (and ``"account"``, the user as read from the database, once
    ``CachedPermissionsBackend.get_user`` has read it).

    Read from the shared cache at most once per user object (per request).
    """
    held = getattr(user, "_shared_access", None)
    if held is None:
        key = access_key(user.pk)
        held = cache.get(key)
        if held is None:
            held = _load_access(user)
            cache.set(key, held, ACCESS_CACHE_SECONDS)
        user._shared_access = held
    return held


def _load_access(user) -> dict[str, frozenset]:
    def names(permissions) -> frozenset[str]:
        rows = permissions.values_list("content_type__app_label", "codename")
        return frozenset(f"{app_label}.{codename}" for app_label, codename in rows)

    return {
        "user": names(Permission.objects.filter(user=user)),
        "group": names(Permission.objects.filter(group__user=user)),
        "units": frozenset(user.assigned_units.values_list("pk", flat=True)),
    }


def forget_access(user_ids) -> None:
    """Drop the cached access of these users, now and again when the
    transaction commits (so that a request reading between the two does not
    keep what the transaction is changing)."""
    generation = cache_generation()
    keys = [access_key(user_id, generation) for user_id in set(user_ids)]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


class CachedPermissionsBackend(ModelBackend):
    """Django's ``ModelBackend`` with permission lookups from ``user_access``.

    Superusers are answered as Django answers them (``has_perm`` never asks a
    backend for an active superuser); inactive users and object permissions
    get nothing, as with ``ModelBackend``.
    """

    def get_user(self, user_id):
        """The signed-in user of a request (None if unknown or inactive), from
        the shared cache with their access once read from the database."""
        key = access_key(user_id)
        held = cache.get(key)
        if held is None or "account" not in held:
            user = super().get_user(user_id)
            if user is None:
                return None
            # Never an instance from elsewhere, which may hold unsaved changes.
            held = {**(held or _load_access(user)), "account": user}
            cache.set(key, held, ACCESS_CACHE_SECONDS)
        user = held["account"]  # a fresh copy from the cache, for this request only
        user._shared_access = held
        return user

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        if not self._cacheable(user_obj, obj):
            return super().get_user_permissions(user_obj, obj)
        return set(user_access(user_obj)["user"])

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        if not self._cacheable(user_obj, obj):
            return super().get_group_permissions(user_obj, obj)
        return set(user_access(user_obj)["group"])

    @staticmethod
    def _cacheable(user_obj, obj) -> bool:
        return (
            obj is None
            and user_obj.is_active
            and not user_obj.is_anonymous
            and not user_obj.is_superuser
        )
