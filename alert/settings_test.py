"""Test overlay: the real settings with a fast password hasher."""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-not-used-anywhere-else")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# The test client and live server speak plain HTTP; production redirects to HTTPS.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
# With REDIS_URL set, this run's keys carry their own prefix (inherited by the
# servers the two-server test starts), and tests/conftest.py deletes them
# after each test: a shared Redis keeps nothing of ours.
# Never an installation's own prefix, whatever the shell exports. Each
# pytest-xdist worker inherits the run's prefix and adds its name to it, so
# that one worker's clean-up never deletes another's keys.
prefix = os.environ.get("ALERT_CACHE_KEY_PREFIX", "")
if not prefix.startswith("alert-test-"):
    prefix = f"alert-test-{secrets.token_hex(6)}"
worker = os.environ.get("PYTEST_XDIST_WORKER")
if worker and not prefix.endswith(f"-{worker}"):
    prefix = f"{prefix}-{worker}"
os.environ["ALERT_CACHE_KEY_PREFIX"] = prefix

from alert.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
