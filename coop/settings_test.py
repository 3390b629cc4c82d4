"""Settings for the test suite: the real settings with test-only speed-ups.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite runs on SQLite
locally and on PostgreSQL and Redis in CI.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-the-checks-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("EMAIL_URL", "locmem:")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Each test process gets its own Redis key space, so parallel runs never share rate limits.
os.environ.setdefault("REDIS_PREFIX", f"coop-test-{os.getpid()}")

from coop.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Uploaded photos go to a throwaway folder per test process, removed when the process ends.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="coop-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process during tests unless a test asks for the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Serve static files from the apps' folders: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
