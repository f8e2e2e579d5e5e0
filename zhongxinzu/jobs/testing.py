"""Test helper: process the queue with django-tasks-db's own worker loop, in this process
(batch mode: every queued task, then return). Not an eager backend: the task goes through
the database queue exactly as with `manage.py db_worker`."""

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker


def run_worker() -> None:
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    ).run()
