"""Assessment pages in the permission matrix.

Schemes belong to a supervising unit and are managed by the supervisors of that unit and of
the units above it (the subtree rule). A group's secretary and leaders read their own
group's score card once the scheme is published; members, observers and admins see nothing.
"""

from zhongxinzu.lib.matrix import DENIED, OK, OWN, SUBTREE, Page, everyone_else

SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
SCHEME = everyone_else({"supervisor": SUBTREE}, DENIED)
CARD = everyone_else({"supervisor": SUBTREE, "secretary": OWN, "leader": OWN}, DENIED)
MINE = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK}, DENIED)


def _scheme(world, rel, status="draft"):
    from decimal import Decimal

    from zhongxinzu.assessment.metrics import defaults
    from zhongxinzu.assessment.models import AssessmentScheme, Indicator

    year = {"draft": 2030, "published": 2031}[status]
    scheme, created = AssessmentScheme.objects.get_or_create(
        owner_unit=world.units[rel],
        year=year,
        defaults={"name": "矩阵考核方案", "status": status, "grades": defaults()["grades"]},
    )
    if created:
        for n, i in enumerate(defaults()["indicators"], start=1):
            Indicator.objects.create(
                scheme=scheme,
                order=n,
                name=i["name"],
                weight=Decimal(str(i["weight"])),
                method=i["method"],
                metric=i["metric"],
            )
    return scheme


def _indicator(world, rel):
    from zhongxinzu.assessment.models import Indicator

    return Indicator.objects.get_or_create(
        scheme=_scheme(world, rel),
        name="矩阵人工指标",
        defaults={"order": 99, "weight": 0, "method": "manual"},
    )[0]


def _adjustment(world, rel):
    from zhongxinzu.assessment.models import Adjustment

    return Adjustment.objects.get_or_create(
        scheme=_scheme(world, rel),
        group=world.groups[rel],
        defaults={
            "points": 2,
            "reason": "矩阵加分",
            "evidence": "矩阵依据",
            "created_by": world.users["supervisor"],
        },
    )[0]


def _result(world, rel):
    from django.utils import timezone

    from zhongxinzu.assessment.models import AssessmentResult

    return AssessmentResult.objects.get_or_create(
        scheme=_scheme(world, rel, "published"),
        group=world.groups[rel],
        defaults={"total": 88, "rank": 1, "grade": "良好", "computed_at": timezone.now()},
    )[0]


OBJECTS = {
    "scheme": _scheme,
    "published_scheme": lambda w, rel: _scheme(w, rel, "published"),
    "indicator": _indicator,
    "adjustment": _adjustment,
    "assessment_result": _result,
}

ENTRIES = [
    Page("assessment:scheme_list", "GET", SUPERVISOR_ONLY),
    Page("assessment:scheme_create", "GET", SUPERVISOR_ONLY),
    Page("assessment:scheme_create", "POST", SUPERVISOR_ONLY, data={"year": "x"}),
    Page("assessment:my_results", "GET", MINE),
    Page("assessment:scheme_detail", "GET", SCHEME, obj="scheme"),
    Page("assessment:scheme_detail", "GET", SCHEME, obj="published_scheme"),
    Page("assessment:scheme_edit", "GET", SCHEME, obj="scheme"),
    Page("assessment:scheme_edit", "POST", SCHEME, obj="scheme", data={"name": ""}),
    Page("assessment:indicator_add", "POST", SCHEME, obj="scheme"),
    Page("assessment:indicator_delete", "POST", SCHEME, obj="indicator"),
    Page("assessment:manual_scores", "GET", SCHEME, obj="indicator"),
    Page("assessment:manual_scores", "POST", SCHEME, obj="indicator"),
    Page("assessment:adjustment_add", "POST", SCHEME, obj="scheme", data={"points": ""}),
    Page("assessment:adjustment_delete", "POST", SCHEME, obj="adjustment"),
    Page("assessment:scheme_compute", "POST", SCHEME, obj="scheme"),
    Page("assessment:scheme_publish", "GET", SCHEME, obj="scheme"),
    Page("assessment:scheme_publish", "POST", SCHEME, obj="scheme"),
    Page("assessment:scheme_new_edition", "POST", SCHEME, obj="published_scheme"),
    Page("assessment:ranking", "GET", SCHEME, obj="scheme"),
    Page("assessment:ranking", "GET", SCHEME, obj="published_scheme"),
    Page("assessment:ranking_export", "GET", SCHEME, obj="published_scheme"),
    Page("assessment:talk_list_export", "GET", SCHEME, obj="published_scheme"),
    Page("assessment:result_detail", "GET", CARD, obj="assessment_result"),
]
