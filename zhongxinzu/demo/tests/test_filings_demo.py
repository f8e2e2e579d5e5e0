"""The demo city's filings: the annual task shows on time, late, missing and returned groups;
the 一学一报 task late and missing reports; the documents open."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhongxinzu.filings.demo import DEMO_GROUP, LATE, MISSING
from zhongxinzu.filings.models import FilingTask, Submission, SubmissionDocument
from zhongxinzu.filings.selectors import filing_status, state_counts, with_state

pytestmark = pytest.mark.django_db


def _counts(task):
    from django.utils import timezone

    today = timezone.localdate()
    return state_counts(with_state(Submission.objects.filter(task=task), today), today)


def test_the_annual_task_has_every_state(city):
    task = FilingTask.objects.get(kind="annual", owner_unit__code="JC")
    counts = _counts(task)
    assert counts["late"] == len(LATE) and counts["missing"] >= len(MISSING)
    assert counts["returned"] == 1 and counts["on_time"] >= 10
    returned = Submission.objects.get(task=task, status="returned")
    assert returned.group.unit.code == DEMO_GROUP and returned.return_reason
    assert Submission.objects.filter(task=task, status="accepted").exists()


def test_the_session_task_has_late_and_missing_reports(city):
    task = FilingTask.objects.get(kind="session")
    counts = _counts(task)
    assert counts["late"] >= 2 and counts["missing"] >= 1 and counts["on_time"] >= 1
    ids = list(Submission.objects.filter(task=task).values_list("group_id", flat=True))
    assert sum(v["late"] for v in filing_status(ids, year=task.year).values()) >= counts["late"]


def test_the_documents_open_for_the_supervisor(client, city):
    from zhongxinzu.accounts.models import User

    client.force_login(
        User.objects.get(username="supervisor"),
        backend="zhongxinzu.accounts.backends.PolicyModelBackend",
    )
    doc = SubmissionDocument.objects.filter(kind="report").first()
    response = client.get(reverse("filings:document", args=[doc.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("username", ["supervisor", "secretary", "leader"])
def test_every_filing_page_opens_on_the_demo(client, city, username):
    from django.utils import timezone

    from zhongxinzu.accounts.models import User

    client.force_login(
        User.objects.get(username=username),
        backend="zhongxinzu.accounts.backends.PolicyModelBackend",
    )
    start = client.get(reverse("filings:my_filings"), follow=True)
    assert start.status_code == 200
    html = client.get(reverse("filings:task_list"), {"year": timezone.localdate().year})
    links = set(re.findall(r'href="(/filings/[^"]+)"', html.content.decode()))
    links |= set(re.findall(r'href="(/filings/[^"]+)"', start.content.decode()))
    seen = set()
    while links:
        link = links.pop().replace("&amp;", "&")
        if link in seen or len(seen) > 80:
            continue
        seen.add(link)
        response = client.get(link)
        assert response.status_code == 200, link
        if "text/html" in response["Content-Type"]:
            links |= set(re.findall(r'href="(/filings/[^"]+)"', response.content.decode()))
    assert any("/submissions/" in s for s in seen)
