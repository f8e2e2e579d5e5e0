"""/api/jobs: background jobs started through the API (the assessment computation) or the
pages, as their owner and the supervisors of their unit see them on the 后台任务 page. Poll
GET /api/jobs/{id} until `finished`; `result_url` then names the page of the result."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS
from zhongxinzu.api.schemas import Id
from zhongxinzu.jobs.access import jobs_visible
from zhongxinzu.jobs.models import Job
from zhongxinzu.jobs.services import status_payload

router = Router(tags=["后台任务"])


class JobOut(Schema):
    id: int
    kind: str
    kind_label: str
    unit_id: int
    year: int | None
    status: str
    status_label: str
    stage: str
    done: int
    total: int
    percent: int
    finished: bool
    result_text: str
    result_url: str
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def job_out(job: Job) -> dict:
    return {
        **status_payload(job),
        "kind": job.kind,
        "kind_label": job.kind_label,
        "unit_id": job.unit_id,
        "year": job.year,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.get("/{job_id}", response={200: JobOut, **ERRORS}, summary="后台任务的状态和进度")
def job_detail(request, job_id: Id):
    return job_out(scope.get(jobs_visible(request.auth), job_id))
