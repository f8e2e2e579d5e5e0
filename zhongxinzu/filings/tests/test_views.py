"""The filing pages end to end: a secretary submits from the group page, the supervisor who
set the task sees it on time and returns it with a reason, the group resubmits; the annual
report page shows its submitted state; wrong methods are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhongxinzu.compliance.models import Notification
from zhongxinzu.filings.models import FilingTask, Submission
from zhongxinzu.filings.tests.conftest import this_year

pytestmark = pytest.mark.django_db


def own_row(task, world) -> Submission:
    return Submission.objects.get(task=task, group=world.groups["own"])


def test_supervisor_creates_a_task_from_the_form(client, world):
    world.login(client, "supervisor")
    response = client.post(
        reverse("filings:task_create"),
        {
            "owner_unit": world.units["own"].pk,
            "kind": "session",
            "year": this_year(),
            "title": "一学一报",
            "working_days": 5,
        },
    )
    task = FilingTask.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/tasks/{task.pk}/")


def test_the_form_shows_every_error(client, world):
    world.login(client, "supervisor")
    response = client.post(
        reverse("filings:task_create"),
        {
            "owner_unit": world.units["own"].pk,
            "kind": "annual",
            "year": this_year(),
            "title": "材料",
        },
    )
    assert response.status_code == 200
    assert "年度学习材料须规定截止日期" in response.content.decode()
    assert not FilingTask.objects.exists()


def test_submit_see_on_time_return_and_resubmit(
    client, world, top, annual_task, plan, django_capture_on_commit_callbacks
):
    sub = own_row(annual_task, world)
    world.login(client, "secretary")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("filings:submission_submit", args=[sub.pk]),
            {"version": sub.version, "next": "group"},
        )
    assert response.status_code == 302
    page = client.get(reverse("filings:group_filings", args=[world.groups["own"].pk]))
    assert "按时报送" in page.content.decode()

    world.login(client, "top")
    detail = client.get(reverse("filings:task_detail", args=[annual_task.pk]), {"state": "on_time"})
    assert world.groups["own"].name in detail.content.decode()
    sub.refresh_from_db()
    client.post(
        reverse("filings:submission_return", args=[sub.pk]),
        {"version": sub.version, "reason": "名单未列党群部门负责人"},
    )
    sub.refresh_from_db()
    assert sub.status == Submission.Status.RETURNED

    world.login(client, "secretary")
    page = client.get(
        reverse("filings:group_filings", args=[world.groups["own"].pk])
    ).content.decode()
    assert "名单未列党群部门负责人" in page and "重新报送" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("filings:submission_submit", args=[sub.pk]), {"version": sub.version})
    sub.refresh_from_db()
    assert (sub.status, sub.revision) == (Submission.Status.SUBMITTED, 2)
    docs = client.get(reverse("filings:submission_detail", args=[sub.pk])).content.decode()
    assert "第2版" in docs and "第1版" in docs
    doc = sub.versions.get(revision=2).documents.get(kind="roster")
    download = client.get(reverse("filings:document", args=[doc.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"


def test_a_submit_without_version_changes_nothing(client, world, annual_task, plan):
    sub = own_row(annual_task, world)
    world.login(client, "secretary")
    client.post(reverse("filings:submission_submit", args=[sub.pk]), {})
    sub.refresh_from_db()
    assert sub.status == Submission.Status.NOT_SUBMITTED


def test_the_annual_report_page_shows_its_submitted_state(client, world, annual_task, plan, submit):
    world.login(client, "secretary")
    url = reverse("compliance:report_edit", args=[world.groups["own"].pk])
    last_year = this_year() - 1
    assert "未报送" in client.get(url, {"year": last_year}).content.decode()
    submit(actor=world.users["secretary"], submission=own_row(annual_task, world))
    html = client.get(url, {"year": last_year}).content.decode()
    state = html.split('id="report-filing"')[1].split("</p>")[0]
    assert "已报送" in state and annual_task.title in state
    # the report of the task's own year was not part of it
    assert "未报送" in client.get(url, {"year": this_year()}).content.decode()


def test_remind_button_fills_the_secretarys_inbox(client, world, top, annual_task):
    world.login(client, "top")
    response = client.post(reverse("filings:task_remind", args=[annual_task.pk]))
    assert response.status_code == 302
    assert Notification.objects.filter(user=world.users["secretary"], kind="filing").count() == 1


@pytest.mark.parametrize(
    "name,method",
    [
        ("filings:task_remind", "get"),
        ("filings:submission_submit", "get"),
        ("filings:submission_return", "get"),
        ("filings:task_detail", "post"),
    ],
)
def test_wrong_method_is_refused(client, world, top, annual_task, name, method):
    world.login(client, "top")
    pk = own_row(annual_task, world).pk if "submission" in name else annual_task.pk
    assert getattr(client, method)(reverse(name, args=[pk])).status_code == 405
