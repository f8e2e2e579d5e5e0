"""Starting and running background jobs.

job_start records a Job and enqueues it on django-tasks' database backend once the
transaction commits; the worker (`manage.py db_worker`) runs jobs.tasks.run_job, which calls
job_run. The partial unique constraint job_one_active_per_scope refuses a second queued or
running job of the same kind for the same unit, year and object.

"A failed job changes nothing": each runner says what that means for its kind (see
jobs/runners.py) — the assessment writes its results only in its final step, the compliance
refresh replaces snapshots that are recomputable from the records, a roster import runs in
one transaction."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhongxinzu.audit.services import audit_record
from zhongxinzu.jobs.models import Job
from zhongxinzu.jobs.registry import KINDS

logger = logging.getLogger(__name__)
Status = Job.Status


def job_start(
    *,
    actor,
    kind: str,
    unit,
    year: int | None = None,
    target_id: int = 0,
    params: dict | None = None,
) -> Job:
    """Queue one run; ValidationError if the same job is already queued or running."""
    if kind not in KINDS:
        raise ValidationError("未知的任务类型")
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                unit=unit,
                year=year,
                target_id=target_id,
                params=params or {},
                started_by=actor if getattr(actor, "pk", None) else None,
                stage="等待后台进程处理",
            )
    except IntegrityError:
        raise ValidationError(
            f"同一范围的“{KINDS[kind].label}”任务正在排队或进行中，请等待其完成"
        ) from None
    audit_record(actor=actor, action="job.start", obj=job, detail={"kind": kind})

    def enqueue():
        from zhongxinzu.jobs.tasks import run_job

        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def status_payload(job: Job) -> dict:
    """What the progress page polls (status.json) and the API returns."""
    return {
        "id": job.pk,
        "kind": job.kind_label,
        "status": job.status,
        "status_label": job.get_status_display(),
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "result_text": job.result_text,
        "result_url": job.result_url,
        "error": job.error,
        "finished": not job.active,
    }


def job_progress(job: Job):
    """The `progress(done, total, stage)` callable handed to the services."""

    def progress(done: int, total: int, stage: str = "") -> None:
        Job.objects.filter(pk=job.pk).update(
            done=max(0, int(done)), total=max(0, int(total)), stage=str(stage)[:100]
        )

    return progress


def job_run(*, job_id: int) -> None:
    """Run one queued job in the worker: running → done, or failed with a Chinese reason."""
    updated = Job.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), stage="开始处理"
    )
    if not updated:
        return
    job = Job.objects.select_related("unit", "started_by").get(pk=job_id)
    try:
        text, url = KINDS[job.kind].runner(job=job, progress=job_progress(job))
    except ValidationError as e:
        _fail(job, "；".join(e.messages))
        return
    except PermissionDenied as e:
        _fail(job, str(e) or "发起人已无权执行此任务")
        return
    except Exception:
        logger.exception("job %s failed", job_id)
        _fail(job, "任务执行出错，未做任何更改；请稍后重试或联系系统管理员")
        return
    Job.objects.filter(pk=job.pk).update(
        status=Status.DONE,
        stage="",
        finished_at=timezone.now(),
        result_text=(text or "")[:300],
        result_url=(url or "")[:300],
    )


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Status.FAILED, finished_at=timezone.now(), error=message, stage=""
    )
