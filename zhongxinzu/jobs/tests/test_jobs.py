"""Background jobs (issue 8, point 3): a queued job is run by the worker of django-tasks'
database backend, reports its progress as JSON, fails with a Chinese reason and no change,
and is not started twice for the same scope."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from zhongxinzu.compliance.models import GroupCompliance
from zhongxinzu.jobs.models import Job
from zhongxinzu.jobs.services import job_start
from zhongxinzu.jobs.tasks import run_job
from zhongxinzu.jobs.testing import run_worker
from zhongxinzu.org.models import Membership, StudyGroup
from zhongxinzu.org.tests.sheets import roster_file, roster_row, upload

ROOT = Path(settings.BASE_DIR)


def refresh_job(world):
    return job_start(
        actor=world.users["supervisor"],
        kind="compliance.refresh",
        unit=world.units["own"],
        year=2026,
    )


def test_the_same_job_for_the_same_scope_is_not_started_twice(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = refresh_job(world)
    with pytest.raises(ValidationError, match="正在排队或进行中"):
        refresh_job(world)
    assert Job.objects.count() == 1
    run_worker()
    first.refresh_from_db()
    assert first.status == Job.Status.DONE
    refresh_job(world)  # finished: the same work may run again
    assert Job.objects.count() == 2


def test_progress_is_reported_as_json_while_the_user_may_leave_and_come_back(
    world, django_capture_on_commit_callbacks
):
    client = world.login(Client(), "supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("jobs:compliance_refresh"), {"year": "2026"})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("jobs:detail", args=[job.pk])
    status = client.get(reverse("jobs:status", args=[job.pk]))
    assert status["Cache-Control"] == "no-store"
    assert status.json()["status"] == "queued" and not status.json()["finished"]
    run_worker()
    payload = client.get(reverse("jobs:status", args=[job.pk])).json()
    groups = StudyGroup.objects.filter(unit__path__startswith=world.units["own"].path).count()
    assert payload["status"] == "done" and payload["finished"]
    assert payload["done"] == payload["total"] == groups
    assert payload["result_url"] == reverse("compliance:overview")
    assert GroupCompliance.objects.filter(year=2026).count() == groups
    page = client.get(reverse("jobs:list")).content.decode()
    assert reverse("jobs:detail", args=[job.pk]) in page and "已完成" in page
    # Another user does not see it.
    other = world.login(Client(), "member")
    assert other.get(reverse("jobs:status", args=[job.pk])).status_code == 404


@pytest.fixture
def big_imports(settings, tmp_path):
    """Imports above one row go to the background."""
    settings.JOBS_IMPORT_SYNC_MAX_ROWS = 1
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_large_roster_import_runs_as_a_job(
    world, big_imports, django_capture_on_commit_callbacks
):
    client = world.login(Client(), "secretary")
    rows = [roster_row("王一", rank=1, phone="13911110001"), roster_row("李二", rank=2, phone="")]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("org:import_roster"), {"file": upload(roster_file(rows))})
    job = Job.objects.get(kind="org.import_roster")
    assert r["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.params["rows"] == 2 and job.started_by == world.users["secretary"]
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert set(
        Membership.objects.filter(group=world.groups["own"]).values_list("person__name", flat=True)
    ) >= {"王一", "李二"}
    assert not list(big_imports.rglob("*.xlsx"))  # the stored upload is removed


def test_a_failed_import_job_says_why_and_changes_nothing(
    world, big_imports, django_capture_on_commit_callbacks
):
    client = world.login(Client(), "secretary")
    rows = [roster_row("王一", rank=1), roster_row("外人", code="X", rank=2)]  # X: not theirs
    before = Membership.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("org:import_roster"), {"file": upload(roster_file(rows))})
    run_worker()
    job = Job.objects.get(kind="org.import_roster")
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("导入未执行") and "第3行" in job.error
    assert Membership.objects.count() == before
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert job.error in html and "失败" in html


def _copy_of_test_database(target: Path) -> str:
    """A DATABASE_URL a separate process can open: the PostgreSQL test database itself, or
    a file copy of SQLite's in-memory test database."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        user, password = quote(s["USER"] or "", safe=""), quote(s["PASSWORD"] or "", safe="")
        host = f"{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}"
        return f"postgres://{user}:{password}@{host}/{s['NAME']}"
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    return f"sqlite:///{target}"


@pytest.mark.django_db(transaction=True)
def test_the_worker_process_of_make_run_processes_a_queued_job(world, tmp_path):
    import importlib

    from django.apps import apps

    # A transactional test runs on a database that earlier transactional tests flushed,
    # data migrations included: put the default rule values back, as a fresh install has.
    importlib.import_module("zhongxinzu.rules.migrations.0002_default_values").load(apps, None)
    # Queued as job_start does, without its audit entry: young audit rows cannot be deleted
    # (append-only triggers), and this test's database is flushed afterwards.
    job = Job.objects.create(kind="compliance.refresh", unit=world.units["own"], year=2026)
    run_job.enqueue(job.pk)
    url = _copy_of_test_database(tmp_path / "db.sqlite3")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "zhongxinzu.settings_test"}
    done = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    if connection.vendor == "postgresql":
        status, total, error = Job.objects.values_list("status", "total", "error").get(pk=job.pk)
    else:
        with sqlite3.connect(tmp_path / "db.sqlite3") as db:
            status, total, error = db.execute(
                "SELECT status, total, error FROM jobs_job WHERE id = ?", [job.pk]
            ).fetchone()
    assert status == "done" and total > 0, (status, error, done.stderr[-2000:])
