"""Tests of SQLite's single-writer lock: collected on SQLite (make test-sqlite) only, by an
explicit engine check here, never skipped inside. On PostgreSQL readers never wait for a
writer, so there is nothing of this kind to test."""

from django.conf import settings

if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    collect_ignore_glob = ["test_*.py"]
