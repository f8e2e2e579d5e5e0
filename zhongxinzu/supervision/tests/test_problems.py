"""Problems and rectification (三清单): raise, report, close-out, send back, overdue,
exports, evidence uploads and the statistics for the assessment."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib.tests.test_xlsx_layout import assert_prints_well
from zhongxinzu.supervision import problems
from zhongxinzu.supervision.models import Problem, Rectification, RectificationReport

PDF = b"%PDF-1.4\n% evidence\n"


def login(world, role):
    return world.login(Client(), role)


def raise_problem(world, rel="own", *, actor="supervisor", source="supervision", **kw):
    today = timezone.localdate()
    fields = {
        "category": "学习制度",
        "description": kw.pop("description", "研讨发言念稿，联系实际不够"),
        "found_on": kw.pop("found_on", today),
        "measures": "发言人提前准备提纲，脱稿交流",
        "deadline": kw.pop("deadline", today + dt.timedelta(days=30)),
        **kw,
    }
    return problems.problem_create(
        actor=world.users[actor], group=world.groups[rel], source=source, **fields
    )


def test_supervisor_raises_problem_with_rectification(world):
    problem = raise_problem(world, owner=world.people["own"], department="办公室")
    rect = problem.rectification
    assert rect.status == Rectification.Status.OPEN
    assert rect.owner == world.people["own"]
    assert AuditEntry.objects.filter(action="problem_create").exists()


def test_owner_must_be_from_the_groups_unit(world):
    with pytest.raises(ValidationError) as e:
        raise_problem(world, owner=world.people["sibling"])
    assert "责任人应为本单位人员" in str(e.value)


def test_secretary_raises_self_check_only(world):
    problem = raise_problem(world, actor="secretary", source="self_check")
    assert problem.source == "self_check"
    with pytest.raises(ValidationError, match="自查"):
        raise_problem(world, actor="secretary", source="inspection")
    with pytest.raises(PermissionDenied):
        raise_problem(world, "sibling", actor="secretary", source="self_check")
    with pytest.raises(PermissionDenied):
        raise_problem(world, "sibling")  # outside the supervisor's subtree


def test_create_page(world):
    c = login(world, "supervisor")
    url = reverse("supervision:problem_create")
    assert c.get(url + f"?group={world.groups['child'].pk}").status_code == 200
    today = timezone.localdate()
    response = c.post(
        url,
        {
            "group": world.groups["child"].pk,
            "source": "inspection",
            "category": "学习计划",
            "description": "年度计划未报备",
            "found_on": today.isoformat(),
            "measures": "补报年度计划",
            "deadline": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert "整改时限不能早于发现日期" in response.content.decode()
    response = c.post(
        url,
        {
            "group": world.groups["child"].pk,
            "source": "inspection",
            "category": "学习计划",
            "description": "年度计划未报备",
            "found_on": today.isoformat(),
            "measures": "补报年度计划",
            "deadline": (today + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Problem.objects.get(description="年度计划未报备").group == world.groups["child"]


def test_report_close_by_supervisor_only(world):
    problem = raise_problem(world)
    detail = reverse("supervision:problem_detail", args=[problem.pk])
    secretary = login(world, "secretary")
    assert secretary.get(detail).status_code == 200
    response = secretary.post(
        reverse("supervision:rectification_report", args=[problem.pk]),
        {
            "text": "已组织脱稿研讨",
            "evidence_file": SimpleUploadedFile("记录.pdf", PDF),
            "version": problem.rectification.version,
        },
    )
    assert response.status_code == 302
    rect = Rectification.objects.get(problem=problem)
    assert rect.status == Rectification.Status.REPORTED
    report = RectificationReport.objects.get(rectification=rect)
    assert report.evidence_file.name.startswith("supervision/")
    assert "记录" not in report.evidence_file.name  # stored under a random name
    # the secretary may not close it
    close = reverse("supervision:rectification_close", args=[problem.pk])
    assert secretary.post(close).status_code == 403
    assert login(world, "leader").post(close).status_code == 403
    with pytest.raises(PermissionDenied):
        problems.rectification_close(actor=world.users["secretary"], rectification=rect)
    assert login(world, "supervisor").post(close, {"version": rect.version}).status_code == 302
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.CLOSED
    assert rect.closed_by == world.users["supervisor"]
    with pytest.raises(ValidationError, match="已销号"):
        problems.rectification_report_add(
            actor=world.users["secretary"], rectification=rect, text="再次报送"
        )


def test_supervisor_cannot_report_progress(world):
    problem = raise_problem(world)
    url = reverse("supervision:rectification_report", args=[problem.pk])
    assert login(world, "supervisor").post(url, {"text": "x"}).status_code == 403


def test_close_needs_a_report(world):
    problem = raise_problem(world)
    with pytest.raises(ValidationError, match="报送整改进展后方可销号"):
        problems.rectification_close(
            actor=world.users["supervisor"], rectification=problem.rectification
        )


def test_send_back_with_note(world):
    problem = raise_problem(world)
    problems.rectification_report_add(
        actor=world.users["secretary"], rectification=problem.rectification, text="已整改"
    )
    url = reverse("supervision:rectification_return", args=[problem.pk])
    c = login(world, "supervisor")
    version = Rectification.objects.get(problem=problem).version
    c.post(url, {"note": "", "version": version})
    assert Rectification.objects.get(problem=problem).status == "reported"
    response = c.post(url, {"note": "佐证材料不足，请补充学习记录", "version": version})
    assert response.status_code == 302
    rect = Rectification.objects.get(problem=problem)
    assert rect.status == Rectification.Status.RETURNED
    assert rect.return_note == "佐证材料不足，请补充学习记录"
    page = login(world, "secretary").get(reverse("supervision:problem_detail", args=[problem.pk]))
    assert "佐证材料不足" in page.content.decode()
    assert login(world, "secretary").post(url, {"note": "x"}).status_code == 403


def test_stale_version_refused(world):
    problem = raise_problem(world)
    rect = problem.rectification
    problems.rectification_report_add(
        actor=world.users["secretary"], rectification=rect, text="已整改", expected_version=1
    )
    with pytest.raises(ValidationError, match="已被他人修改"):
        problems.rectification_close(
            actor=world.users["supervisor"], rectification=rect, expected_version=1
        )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("证明.exe", b"MZ\x90\x00", "文件类型不正确"),
        ("证明.pdf", b"MZ\x90\x00", "文件内容与扩展名不符"),
        ("证明.docm", b"PK\x03\x04", "不接受含宏的文件"),
        ("证明.png", b"", "空文件"),
    ],
)
def test_bad_evidence_rejected(world, name, data, message):
    problem = raise_problem(world)
    c = login(world, "secretary")
    response = c.post(
        reverse("supervision:rectification_report", args=[problem.pk]),
        {
            "text": "已整改",
            "evidence_file": SimpleUploadedFile(name, data),
            "version": problem.rectification.version,
        },
    )
    assert response.status_code == 422  # the form again, with the reason
    assert message in response.content.decode()
    assert not RectificationReport.objects.exists()
    assert Rectification.objects.get(problem=problem).status == "open"


def test_evidence_downloaded_as_attachment_within_scope(world, django_capture_on_commit_callbacks):
    problem = raise_problem(world)
    with django_capture_on_commit_callbacks(execute=True):  # the file is written on commit
        report = problems.rectification_report_add(
            actor=world.users["secretary"],
            rectification=problem.rectification,
            text="已整改",
            file_name="记录.pdf",
            file_data=PDF,
        )
    url = reverse("supervision:rectification_report_file", args=[report.pk])
    response = login(world, "supervisor").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert login(world, "member").get(url).status_code == 403
    assert login(world, "observer").get(url).status_code == 403


def test_overdue_flag_and_filters(world):
    today = timezone.localdate()
    late = raise_problem(
        world,
        description="逾期问题",
        found_on=today - dt.timedelta(days=40),
        deadline=today - dt.timedelta(days=1),
    )
    raise_problem(world, description="未到期问题", source="inspection")
    flagged = {p.pk: p.overdue for p in problems.with_overdue(Problem.objects.all())}
    assert flagged[late.pk] is True
    assert sum(flagged.values()) == 1
    c = login(world, "supervisor")
    url = reverse("supervision:problem_list")
    text = c.get(url + "?overdue=on").content.decode()
    assert "逾期问题" in text and "未到期问题" not in text
    text = c.get(url + "?source=inspection").content.decode()
    assert "未到期问题" in text and "逾期问题" not in text
    text = c.get(url + "?status=closed").content.decode()
    assert "暂无问题" in text
    detail = c.get(reverse("supervision:problem_detail", args=[late.pk])).content.decode()
    assert 'id="rect-overdue"' in detail


def test_problem_list_query_count_constant(world):
    c = login(world, "supervisor")
    url = reverse("supervision:problem_list")
    raise_problem(world, owner=world.people["own"])
    c.get(url)
    with CaptureQueriesContext(connection) as one:
        assert c.get(url).status_code == 200
    for n in range(4):
        raise_problem(world, "child", description=f"问题{n}", owner=world.people["child"])
    with CaptureQueriesContext(connection) as five:
        c.get(url)
    assert len(one) == len(five)


def test_secretary_sees_only_own_group(world):
    mine = raise_problem(world, description="本组问题")
    raise_problem(world, "child", description="下级问题")
    text = login(world, "secretary").get(reverse("supervision:problem_list")).content.decode()
    assert "本组问题" in text and "下级问题" not in text
    assert login(world, "member").get(reverse("supervision:problem_list")).status_code == 403
    other = raise_problem(world, "child", description="下级问题2")
    detail = reverse("supervision:problem_detail", args=[other.pk])
    assert login(world, "secretary").get(detail).status_code == 404
    assert mine.pk


def _lists_setup(world):
    from zhongxinzu.plans.models import PlanTopic, YearPlan

    year = timezone.localdate().year
    plan = YearPlan.objects.create(group=world.groups["own"], year=year, title="年度学习计划")
    PlanTopic.objects.create(plan=plan, order=1, title="学习贯彻四中全会精神", quarter=1)
    problem = raise_problem(world, description="=发言念稿", owner=world.people["own"])
    problems.rectification_report_add(
        actor=world.users["secretary"], rectification=problem.rectification, text="已整改"
    )
    problems.rectification_close(
        actor=world.users["supervisor"], rectification=problem.rectification
    )
    return year


def test_three_lists_page_and_exports(world):
    import openpyxl
    from docx import Document

    year = _lists_setup(world)
    gid = world.groups["own"].pk
    c = login(world, "secretary")
    page = c.get(reverse("supervision:problem_group_lists", args=[gid])).content.decode()
    for section in ('id="study-list"', 'id="problem-list"', 'id="rectification-list"'):
        assert section in page
    assert "学习贯彻四中全会精神" in page and "已销号" in page
    response = c.get(reverse("supervision:problem_group_lists_xlsx", args=[gid]))
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["学习清单", "问题清单", "整改清单"]
    assert wb["学习清单"]["A1"].value == f"{world.groups['own'].name}{year}年学习清单"
    assert wb["学习清单"]["B3"].value == "学习贯彻四中全会精神"
    described = wb["问题清单"]["D3"]
    assert described.value == "=发言念稿" and described.data_type == "s"  # never a formula
    assert described.quotePrefix
    assert wb["整改清单"]["G3"].value == "已销号"
    assert wb["整改清单"]["D3"].value == "成员own"
    for ws, columns in zip(wb, (5, 6, 8), strict=True):
        assert_prints_well(ws, header_row=2, columns=columns)
    assert wb["整改清单"].page_setup.orientation == "landscape"
    response = c.get(reverse("supervision:problem_group_lists_docx", args=[gid]))
    assert response["Content-Disposition"].startswith("attachment")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{year}年学习清单、问题清单、整改清单" in text
    assert "一、学习清单" in text and "三、整改清单" in text
    assert len(doc.tables) == 3
    assert doc.tables[2].rows[1].cells[6].text == "已销号"
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.5)
    # other groups' lists stay hidden
    sibling = world.groups["sibling"].pk
    assert c.get(reverse("supervision:problem_group_lists", args=[sibling])).status_code == 404


def test_rectification_stats_one_query(world):
    today = timezone.localdate()
    year = today.year
    on_time = raise_problem(world, found_on=today, deadline=today + dt.timedelta(days=5))
    late = raise_problem(world, found_on=today, deadline=today + dt.timedelta(days=5))
    raise_problem(world, found_on=today, deadline=today)  # open, not overdue yet
    for p in (on_time, late):
        problems.rectification_report_add(
            actor=world.users["secretary"], rectification=p.rectification, text="已整改"
        )
        problems.rectification_close(actor=world.users["supervisor"], rectification=p.rectification)
    Rectification.objects.filter(problem=late).update(deadline=today - dt.timedelta(days=1))
    Problem.objects.filter(pk=late.pk).update(found_on=today - dt.timedelta(days=2))
    overdue = raise_problem(world, "child")
    Rectification.objects.filter(problem=overdue).update(deadline=today - dt.timedelta(days=1))
    groups = [world.groups["own"], world.groups["child"], world.groups["sibling"]]
    with CaptureQueriesContext(connection) as queries:
        stats = problems.rectification_stats(groups, year)
    assert len(queries) == 1
    own = stats[world.groups["own"].pk]
    if (today - dt.timedelta(days=2)).year == year:
        assert (own.closed_on_time, own.closed_late, own.open, own.overdue) == (1, 1, 1, 0)
    child = stats[world.groups["child"].pk]
    assert (child.open, child.overdue) == (1, 1)
    assert world.groups["sibling"].pk not in stats


def test_overdue_reminder_to_the_secretary_once(world):
    from zhongxinzu.compliance.models import Notification
    from zhongxinzu.compliance.services import reminders_send

    today = timezone.localdate()
    late = raise_problem(
        world, found_on=today - dt.timedelta(days=40), deadline=today - dt.timedelta(days=1)
    )
    raise_problem(world)  # not due yet
    closed = raise_problem(
        world, found_on=today - dt.timedelta(days=40), deadline=today - dt.timedelta(days=1)
    )
    problems.rectification_report_add(
        actor=world.users["secretary"], rectification=closed.rectification, text="已整改"
    )
    problems.rectification_close(
        actor=world.users["supervisor"], rectification=closed.rectification
    )
    assert reminders_send(on=today)["rectification"] == 1
    note = Notification.objects.get(kind="rectification")
    assert note.user == world.users["secretary"]
    assert note.link == reverse("supervision:problem_detail", args=[late.pk])
    assert "已超过整改时限" in note.message
    assert reminders_send(on=today)["rectification"] == 0


def test_problem_raised_from_a_visit(world):
    from zhongxinzu.supervision.models import ObservationVisit

    visit = ObservationVisit.objects.create(
        group=world.groups["child"], planned_on=dt.date(2026, 5, 1)
    )
    c = login(world, "supervisor")
    url = reverse("supervision:problem_create") + f"?visit={visit.pk}"
    page = c.get(url).content.decode()
    assert f'<option value="{visit.pk}" selected>' in page
    today = timezone.localdate()
    response = c.post(
        url,
        {
            "group": world.groups["child"].pk,
            "source": "observation",
            "visit": visit.pk,
            "category": "研讨交流",
            "description": "旁听发现发言念稿",
            "found_on": today.isoformat(),
            "measures": "脱稿研讨",
            "deadline": (today + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Problem.objects.get(description="旁听发现发言念稿").visit == visit
    with pytest.raises(ValidationError, match="不是该中心组"):
        raise_problem(world, "own", visit=visit)
    other = ObservationVisit.objects.create(group=world.groups["sibling"], planned_on=today)
    assert c.get(reverse("supervision:problem_create") + f"?visit={other.pk}").status_code == 404
