"""Who sees and changes filing tasks and submissions (on the org.access primitives).

- A task is set by the supervisors of its owner unit (or of a unit above it), who change it
  and return or accept its submissions; the supervisors of units below the owner see it
  read-only (they follow up their own part of the subtree).
- The groups a task applies to (strictly below its owner unit) see it through their
  secretary and leaders; the secretary submits, the leaders read.
- A submission is seen by the supervisors of the group's subtree and by the group's staff.
Members, observers and the three admin roles see neither.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from zhongxinzu.filings.models import FilingTask, Submission
from zhongxinzu.org import access
from zhongxinzu.org.models import Unit


def may_use(p: access.Principal) -> bool:
    """The role check of every filings page: a supervisor or a group's secretary/leader."""
    return p.is_supervisor or bool(p.staff_group_ids())


def _strict_ancestor_paths(units) -> set[str]:
    paths: set[str] = set()
    for unit in units:
        paths.update(access.ancestor_paths(unit)[:-1])
    return paths


def tasks_visible(user) -> QuerySet[FilingTask]:
    p = access.principal_of(user)
    q = access.subtree_q(p.supervised, "owner_unit__")
    staff_units = [p.group_unit_ids[g] for g in p.staff_group_ids()]
    units = list(p.supervised)
    if staff_units:
        units += list(Unit.objects.filter(pk__in=staff_units).only("path"))
    paths = _strict_ancestor_paths(units)
    if paths:
        q |= Q(owner_unit__path__in=sorted(paths))
    return FilingTask.objects.filter(q)


def can_manage_task(user, task: FilingTask) -> bool:
    return access.supervises(user, task.owner_unit)


def get_task_for(user, pk, *, write: bool = False) -> FilingTask:
    task = access.get_in(tasks_visible(user).select_related("owner_unit"), pk)
    if write and not can_manage_task(user, task):
        raise PermissionDenied("只有布置该任务的督导单位可以执行此操作")
    return task


def submissions_visible(user) -> QuerySet[Submission]:
    p = access.principal_of(user)
    q = access.subtree_q(p.supervised, "group__unit__") | Q(group_id__in=p.staff_group_ids())
    return Submission.objects.filter(q)


def can_submit(user, submission: Submission) -> bool:
    return access.can_record_for_group(user, submission.group_id)


def can_review(user, submission: Submission) -> bool:
    return access.supervises(user, submission.task.owner_unit)


def get_submission_for(user, pk, *, action: str | None = None) -> Submission:
    """`action` "submit" (the group's secretary) or "review" (the task's supervisors)."""
    sub = access.get_in(
        submissions_visible(user).select_related("task__owner_unit", "group__unit", "session"),
        pk,
    )
    if action == "submit" and not can_submit(user, sub):
        raise PermissionDenied("只有本中心组的学习秘书可以报送")
    if action == "review" and not can_review(user, sub):
        raise PermissionDenied("只有布置该任务的督导单位可以退回或接收")
    return sub


def submission_abilities(user, submission: Submission) -> dict[str, bool]:
    """The one answer for the buttons, the views and the API."""
    submittable = submission.status in (
        Submission.Status.NOT_SUBMITTED,
        Submission.Status.RETURNED,
    )
    reviewable = submission.status == Submission.Status.SUBMITTED
    return {
        "submit": submittable and can_submit(user, submission),
        "review": reviewable and can_review(user, submission),
    }
