"""Schemathesis fuzzes every operation of the OpenAPI description, per role.

Checks: never a 5xx; a 2xx never returns a record outside the caller's scope; and nothing
outside the scope changes. Path parameters and record references in bodies are pointed
at real records of every relation (own, child, parent, sibling, unrelated) half the
time, so the scope checks meet real cross-unit attempts, not only unknown ids.

Examples are derandomized (the same on every run) and few per operation to stay fast;
each runs in a transaction that is rolled back.
"""

import json
import os
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RELATIONS
from zhongxinzu.api.api import api
from zhongxinzu.api.services import token_issue
from zhongxinzu.assessment.models import (
    Adjustment,
    AssessmentResult,
    AssessmentScheme,
    Indicator,
    ManualScore,
)
from zhongxinzu.compliance.models import AnnualReportText
from zhongxinzu.meetings.models import AgendaItem, Attendance, LeaveRequest, MakeUp, StudySession
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.models import FirstItem, PlanTopic, Prompt, PromptAck, YearPlan
from zhongxinzu.rules.models import RuleValue
from zhongxinzu.supervision.models import (
    Expert,
    ObservationTeam,
    ObservationVisit,
    Problem,
    Rectification,
    RectificationReport,
    ScoreEntry,
    ScoreSheet,
    TeamMember,
    VisitPlan,
)
from zhongxinzu.tests.test_permission_matrix import OBJECTS as MATRIX

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Per operation, role and generation mode; FUZZ_EXAMPLES=50 for a deeper run by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 3))

# path parameter or body field -> the collection its id belongs to
REFERENCES = {
    "unit_id": "units",
    "group_id": "groups",
    "person_id": "people",
    "membership_id": "memberships",
    "prompt_id": "prompts",
    "item_id": "first_items",
    "plan_id": "plans",
    "topic_id": "topics",
    "output_id": "outputs",
    "conversion_id": "conversions",
    "value_id": "rule_values",
    "session_id": "sessions",
    "attendance_id": "attendance",
    "leave_id": "leave_requests",
    "makeup_id": "makeups",
    "expert_id": "experts",
    "team_id": "teams",
    "team_member_id": "team_members",
    "visit_plan_id": "visit_plans",
    "visit_id": "visits",
    "sheet_id": "score_sheets",
    "problem_id": "problems",
    "rectification_id": "rectifications",
    "scheme_id": "schemes",
    "adjustment_id": "adjustments",
    "indicator_id": "indicators",
    "result_id": "assessment_results",
    "parent": "units",
    "unit": "units",
    "issuer_unit": "units",
    "owner_unit": "units",
    "group": "groups",
    "person": "people",
    "lead": "people",
    "chair": "people",
    "lead_reader": "people",
    "session": "sessions",
    "output": "outputs",
    "first_item": "first_items",
    "topic": "topics",
    "expert": "experts",
    "team": "teams",
    "plan": "visit_plans",
    "home_unit": "units",
    "visit": "visits",
    "owner": "people",
    "indicator": "indicators",
}
WORLD_ATTR = {
    "units": "units",
    "groups": "groups",
    "people": "people",
    "memberships": "memberships",
}
# collection -> the permission matrix's object kind (built per relation from the world)
MATRIX_OBJECTS = {
    "prompts": "prompt",
    "first_items": "first_item",
    "plans": "plan",
    "topics": "topic",
    "outputs": "output",
    "conversions": "conversion",
    "rule_values": "rule_value",
    "sessions": "session",
    "attendance": "attendance",
    "leave_requests": "leave_request",
    "makeups": "makeup",
    "experts": "expert",
    "teams": "team",
    "team_members": "team_member",
    "visit_plans": "visit_plan",
    "visits": "visit",
    "score_sheets": "score_sheet",
    "problems": "problem",
    "rectifications": "reported_rectification",
    "schemes": "scheme",
    "adjustments": "adjustment",
    "indicators": "indicator",
    "assessment_results": "assessment_result",
}
# Collections whose own ids are checked against the scope; the study cycle's records are
# checked through the group, unit and person they name.
ID_CHECKED = {"units", "groups", "people", "memberships"}


def allowed_unit_ids(world, role) -> set[int]:
    own = Unit.objects.get(pk=world.units["own"].pk)
    if role == "supervisor":
        return set(Unit.objects.filter(path__startswith=own.path).values_list("pk", flat=True))
    return {own.pk}


def allowed_ids(units: set[int]) -> dict[str, set[int]]:
    return {
        "units": units,
        "groups": set(StudyGroup.objects.filter(unit__in=units).values_list("pk", flat=True)),
        "people": set(Person.objects.filter(unit__in=units).values_list("pk", flat=True)),
        "memberships": set(
            Membership.objects.filter(group__unit__in=units).values_list("pk", flat=True)
        ),
    }


def outside(world, role):
    """Everything outside the scope, as it stands (tree paths aside: a reorder inside the
    scope may renumber a sibling's path without changing it)."""
    units = allowed_unit_ids(world, role)
    return (
        list(
            Unit.objects.exclude(pk__in=units)
            .order_by("pk")
            .values_list("pk", "version", "name", "code", "kind", "order", "is_active")
        ),
        list(
            StudyGroup.objects.exclude(unit__in=units)
            .order_by("pk")
            .values_list("pk", "version", "name", "is_active")
        ),
        list(
            Person.objects.exclude(unit__in=units)
            .order_by("pk")
            .values_list("pk", "version", "unit_id", "name", "post", "phone", "is_active")
        ),
        list(
            Membership.objects.exclude(group__unit__in=units)
            .order_by("pk")
            .values_list("pk", "version", "group_id", "person_id", "role", "end_date")
        ),
        *(
            list(model.objects.exclude(**{unit_field: units}).order_by("pk").values_list(*fields))
            for model, unit_field, fields in STUDY_CYCLE + SUPERVISION
        ),
    )


# The study cycle's records outside the scope (by the unit they belong to) must not change.
STUDY_CYCLE = [
    (Prompt, "issuer_unit__in", ("pk", "version", "status", "title", "themes")),
    (PromptAck, "group__unit__in", ("pk", "prompt_id", "group_id")),
    (FirstItem, "owner_unit__in", ("pk", "title", "kind", "released_on", "summary")),
    (YearPlan, "group__unit__in", ("pk", "version", "status", "title", "guidance")),
    (PlanTopic, "plan__group__unit__in", ("pk", "title", "month", "quarter", "lead_id")),
    (StudySession, "group__unit__in", ("pk", "version", "status", "title", "place", "minutes")),
    (AgendaItem, "session__group__unit__in", ("pk", "title", "first_item_id")),
    (Attendance, "session__group__unit__in", ("pk", "person_id", "status", "reason")),
    (LeaveRequest, "session__group__unit__in", ("pk", "status", "reason")),
    (MakeUp, "attendance__session__group__unit__in", ("pk", "status", "evidence_text")),
    (Output, "group__unit__in", ("pk", "version", "status", "title", "body")),
    (Conversion, "output__group__unit__in", ("pk", "title", "doc_number")),
    (RuleValue, "scope__in", ("pk", "value", "year", "note")),
    (AnnualReportText, "group__unit__in", ("pk", "version", "problems")),
]
# Supervision's records outside the scope, by the unit that owns them or hosts the visit.
SUPERVISION = [
    (Expert, "owner_unit__in", ("pk", "version", "name", "is_active", "user_id")),
    (ObservationTeam, "owner_unit__in", ("pk", "version", "name", "is_active")),
    (TeamMember, "team__owner_unit__in", ("pk", "expert_id", "is_leader")),
    (VisitPlan, "owner_unit__in", ("pk", "version", "status", "title")),
    (
        ObservationVisit,
        "group__unit__in",
        ("pk", "version", "stage", "team_id", "planned_on", "checklist", "summary_overall"),
    ),
    (ScoreSheet, "visit__group__unit__in", ("pk", "version", "total", "submitted_at")),
    (ScoreEntry, "sheet__visit__group__unit__in", ("pk", "score", "remark")),
    (Problem, "group__unit__in", ("pk", "version", "description")),
    (Rectification, "problem__group__unit__in", ("pk", "version", "status", "deadline")),
    (RectificationReport, "rectification__problem__group__unit__in", ("pk", "text")),
    (AssessmentScheme, "owner_unit__in", ("pk", "version", "status", "edition", "grades")),
    (Indicator, "scheme__owner_unit__in", ("pk", "weight", "method")),
    (ManualScore, "group__unit__in", ("pk", "score", "reason")),
    (Adjustment, "group__unit__in", ("pk", "points", "reason")),
    (AssessmentResult, "group__unit__in", ("pk", "total", "rank", "grade")),
]


def check_in_scope(collection: str, body, allowed: dict[str, set[int]], where: str):
    items = body["items"] if isinstance(body, dict) and "items" in body else [body]
    for item in items:
        if not isinstance(item, dict) or "id" not in item:
            continue
        if collection in ID_CHECKED:
            assert item["id"] in allowed[collection], f"{where}: {collection} {item['id']}"
        for field, ref in [
            ("parent_id", "units"),
            ("unit_id", "units"),
            ("group_id", "groups"),
            ("person_id", "people"),
        ]:
            value = item.get(field)
            assert value is None or value in allowed[ref], f"{where}: {field}={value}"


@pytest.mark.parametrize("role", ["supervisor", "secretary", "member", "observer"])
def test_fuzz_every_operation(world, role):
    # One world per role, every operation on it: building the world dominates otherwise.
    raw, _ = token_issue(user=world.users[role])
    client = Client()
    pools = {
        c: [getattr(world, attr)[rel].pk for rel in RELATIONS] for c, attr in WORLD_ATTR.items()
    }
    for c, kind in MATRIX_OBJECTS.items():
        pools[c] = [MATRIX[kind](world, rel).pk for rel in RELATIONS]
    # Every example is rolled back, so each starts from this state.
    before = outside(world, role)
    for operation in OPERATIONS:
        fuzz(world, role, operation, client, {"Authorization": f"Bearer {raw}"}, pools, before)


def fuzz(world, role, operation, client, headers, pools, before):
    collection = operation.path.split("/")[2]
    strategy = st.one_of(
        operation.as_strategy(), operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def run(case, data):
        for name in list(case.path_parameters):
            if name in REFERENCES and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(pools[REFERENCES[name]]))
        if isinstance(case.body, dict):
            for name in set(case.body) & set(REFERENCES):
                if data.draw(st.booleans()):
                    case.body[name] = data.draw(st.sampled_from(pools[REFERENCES[name]]))
            if "version" in case.body and data.draw(st.booleans()):
                case.body["version"] = 1  # the records' current version, so updates can land
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        payload = json.dumps(kwargs["json"]) if "json" in kwargs else kwargs.get("data") or ""
        url = urlsplit(kwargs["url"])
        where = f"{role} {kwargs['method']} {url.path} {kwargs.get('params')} {payload!r:.300}"
        writes = kwargs["method"] not in ("GET", "HEAD")
        with transaction.atomic():
            response = client.generic(
                kwargs["method"],
                url.path,
                data=payload,
                content_type=kwargs["headers"].get("Content-Type", "application/json"),
                headers=headers,
                QUERY_STRING=urlencode(kwargs.get("params") or {}, doseq=True),
            )
            assert response.status_code < 500, where
            json_body = response.content and response["Content-Type"].startswith("application/json")
            if 200 <= response.status_code < 300 and json_body and collection != "auth":
                allowed = allowed_ids(allowed_unit_ids(world, role))
                check_in_scope(collection, response.json(), allowed, where)
            if writes:
                assert outside(world, role) == before, f"{where}: changed outside the scope"
            transaction.set_rollback(True)

    run()
