"""Who sees a job: the account that started it, and the supervisors of its unit's subtree
(the same rule as the work itself)."""

from django.db.models import Q, QuerySet

from zhongxinzu.jobs.models import Job
from zhongxinzu.org import access


def jobs_visible(user) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    p = access.principal_of(user)
    q = Q(started_by=user)
    if p.is_supervisor:
        q |= Q(unit__in=access.scoped_units(user))
    return Job.objects.filter(q).select_related("unit", "started_by")
