"""Tests of a PostgreSQL deployment: collected only when the test database is PostgreSQL
(scripts/with-postgres.sh), by an explicit engine check here, never skipped inside."""

from django.conf import settings

if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    collect_ignore_glob = ["test_*.py"]
