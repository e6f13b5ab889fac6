"""The shared cache when REDIS_URL is set; each process's memory when it is not."""

from tests.ops.test_production_settings import manage

SHOW = (
    "from django.conf import settings; c = settings.CACHES['default']; "
    "print(c['BACKEND'], c.get('LOCATION', '-'), c['KEY_PREFIX'], settings.SESSION_ENGINE)"
)


def test_without_redis_url_each_process_caches_in_its_own_memory():
    result = manage("shell", "-c", SHOW, REDIS_URL=None, ALERT_CACHE_KEY_PREFIX=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "-",
        "alert",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_with_redis_url_sessions_throttles_and_pages_share_redis():
    result = manage(
        "shell", "-c", SHOW, REDIS_URL="redis://cache.internal:6379/2", ALERT_CACHE_KEY_PREFIX=None
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "alert.cache.FailOpenRedisCache",
        "redis://cache.internal:6379/2",
        "alert",
        "django.contrib.sessions.backends.cached_db",
    ]
