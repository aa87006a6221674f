"""Loaded by pytest (``-p jixiao.core.pytest_env``) before pytest-django reads the settings.

Tests are a local run: the secret key is generated under var/, and Playwright's sync API may
share the thread with Django's ORM in live-server tests.
"""

from __future__ import annotations

import os

os.environ.setdefault("JIXIAO_LOCAL", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Live-server request threads would otherwise keep their PostgreSQL connections open, and the
# test database could not be dropped at the end of the run.
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "0")
