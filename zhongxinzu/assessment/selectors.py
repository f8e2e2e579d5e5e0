"""Who sees which assessment schemes and results (the pages and the API alike)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhongxinzu.assessment.models import AssessmentResult, AssessmentScheme
from zhongxinzu.org import access


def schemes_visible(user) -> QuerySet[AssessmentScheme]:
    """Schemes owned within the subtrees the user supervises (managed by those supervisors);
    nobody else sees a scheme."""
    qs = AssessmentScheme.objects.select_related("owner_unit", "previous")
    return access.owned_in_subtree(user, qs)


def results_visible(user) -> QuerySet[AssessmentResult]:
    """Supervisors: results of the schemes they own; a group's secretary and leaders: their
    own group's results of published schemes."""
    p = access.principal_of(user)
    q = access.subtree_q(p.supervised, "scheme__owner_unit__")
    if staff := p.staff_group_ids():
        q |= Q(group_id__in=staff, scheme__status=AssessmentScheme.Status.PUBLISHED)
    return AssessmentResult.objects.filter(q)
