"""Job pages and the job API operation in the permission matrix.

Every signed-in user has a job list (their own jobs and those of the units they supervise);
a job is seen by whoever started it and by the supervisors of its unit's subtree, by nobody
else (404); only supervisors start a compliance refresh.
"""

from zhongxinzu.jobs.models import Job
from zhongxinzu.lib.matrix import ALL_HIDDEN, DENIED, HIDDEN, OK, SUBTREE, Api, Page, everyone_else

NOBODYS_JOB = {"pk": 999_999}
SUPERVISED = everyone_else({"supervisor": SUBTREE}, ALL_HIDDEN)


def _job(world, rel):
    """A finished compliance refresh of the unit `rel`, started by nobody left (the timer)."""
    return Job.objects.create(
        kind="compliance.refresh", unit=world.units[rel], year=2026, status=Job.Status.DONE
    )


OBJECTS = {"job": _job}

ENTRIES = [
    Page("jobs:list", "GET", everyone_else({}, OK)),
    Page("jobs:detail", "GET", everyone_else({}, HIDDEN), kwargs=NOBODYS_JOB),
    Page("jobs:detail", "GET", SUPERVISED, obj="job"),
    Page("jobs:status", "GET", everyone_else({}, HIDDEN), kwargs=NOBODYS_JOB),
    Page("jobs:status", "GET", SUPERVISED, obj="job"),
    Page("jobs:compliance_refresh", "POST", everyone_else({"supervisor": OK}, DENIED)),
    Api("/api/jobs/{job_id}", "GET", SUPERVISED, obj="job"),
]
