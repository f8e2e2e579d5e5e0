"""Test helper: process the queue with django-tasks-db's own worker loop, in this process
(batch mode: every queued task, then return). Not an eager backend: the task goes through
the database queue exactly as with `manage.py db_worker`.

The worker calls close_old_connections() between tasks; inside a test's transaction Django
treats the connection as obsolete (autocommit off) and closes it, which on PostgreSQL throws
the test's data away. In this process the call is therefore skipped; the real worker
(tested as a separate process in jobs/tests/test_jobs.py) keeps it."""

from unittest import mock

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker


def run_worker() -> None:
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()
