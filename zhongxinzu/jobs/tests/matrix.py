"""Job pages in the permission matrix.

Every signed-in user has a job list (their own jobs and those of the units they supervise);
a job that is not theirs to see answers 404; only supervisors start a compliance refresh.
"""

from zhongxinzu.lib.matrix import DENIED, HIDDEN, OK, Page, everyone_else

NOBODYS_JOB = {"pk": 999_999}

ENTRIES = [
    Page("jobs:list", "GET", everyone_else({}, OK)),
    Page("jobs:detail", "GET", everyone_else({}, HIDDEN), kwargs=NOBODYS_JOB),
    Page("jobs:status", "GET", everyone_else({}, HIDDEN), kwargs=NOBODYS_JOB),
    Page("jobs:compliance_refresh", "POST", everyone_else({"supervisor": OK}, DENIED)),
]
