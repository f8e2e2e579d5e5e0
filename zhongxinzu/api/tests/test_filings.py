"""/api/filings: a supervisor sets a task, the secretary submits, the supervisor who set it
returns it; errors are Chinese, per field, all at once, and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import PASSWORD
from zhongxinzu.accounts.models import Role, RoleGrant, User
from zhongxinzu.filings.models import FilingTask, Submission
from zhongxinzu.plans.models import YearPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def top(world):
    user = User.objects.create_user(
        "top", password=PASSWORD, first_name="市委督导", password_changed_at=timezone.now()
    )
    RoleGrant.objects.create(user=user, role=Role.SUPERVISOR, unit=world.units["parent"])
    world.users["top"] = user
    return user


def test_create_reports_every_error_at_once_and_creates_nothing(world, api):
    response = api("supervisor").post(
        "/api/filings/tasks",
        {"owner_unit": world.units["parent"].pk, "year": 2026, "kind": "annual", "title": "  "},
    )
    assert response.status_code == 400
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {"owner_unit", "title", "due_on"}
    assert fields["due_on"] == "年度学习材料须规定截止日期"
    assert not FilingTask.objects.exists()


def test_set_submit_return_resubmit_through_the_api(world, api, top):
    year = timezone.localdate().year
    YearPlan.objects.create(
        group=world.groups["own"], year=year, title="学习计划", status=YearPlan.Status.APPROVED
    )
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    created = api("top").post(
        "/api/filings/tasks",
        {
            "owner_unit": world.units["parent"].pk,
            "year": year,
            "kind": "annual",
            "title": "年度学习有关材料",
            "due_on": due,
        },
    )
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["deadline_text"].endswith("前")
    assert task["id"] in [
        t["id"] for t in api("secretary").get("/api/filings/tasks").json()["items"]
    ]

    listing = api("top").get(f"/api/filings/tasks/{task['id']}/submissions").json()
    assert listing["counts"]["pending"] == listing["count"] == 3
    # A's supervisor sees A's and A1's rows only
    mine = api("supervisor").get(f"/api/filings/tasks/{task['id']}/submissions").json()
    assert {r["group_id"] for r in mine["items"]} == {
        world.groups["own"].pk,
        world.groups["child"].pk,
    }

    sub = Submission.objects.get(task_id=task["id"], group=world.groups["own"])
    path = f"/api/filings/submissions/{sub.pk}"
    sent = api("secretary").post(f"{path}/submit", {"version": sub.version})
    assert sent.status_code == 200, sent.content
    body = sent.json()
    assert (body["state"], body["revision"]) == ("on_time", 1)
    assert {d["kind"] for d in body["documents"]} == {"plan", "report", "roster"}
    assert api("secretary").post(f"{path}/submit", {"version": body["version"]}).status_code == 400

    refused = api("top").post(f"{path}/return", {"version": body["version"], "reason": " "})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "请填写退回理由"
    returned = api("top").post(f"{path}/return", {"version": body["version"], "reason": "名单不全"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    filtered = (
        api("top").get(f"/api/filings/tasks/{task['id']}/submissions", {"state": "returned"}).json()
    )
    assert [r["id"] for r in filtered["items"]] == [sub.pk]
    assert filtered["counts"]["returned"] == 1

    again = api("secretary").post(f"{path}/submit", {"version": returned.json()["version"]})
    assert again.status_code == 200 and again.json()["revision"] == 2
