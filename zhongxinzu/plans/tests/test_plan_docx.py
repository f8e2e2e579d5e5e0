"""The year plan as a GB/T 9704 .docx: reopened with python-docx and checked."""

import io

import pytest
from django.urls import reverse
from docx import Document
from docx.shared import Mm

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.documents.plan_docx import plan_docx
from zhongxinzu.plans.models import PlanTopic
from zhongxinzu.plans.tests.helpers import make_plan

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def plan(world):
    plan = make_plan(
        world,
        title="市教育局党委理论学习中心组2026年度学习计划",
        guidance="一、指导思想\n坚持以习近平新时代中国特色社会主义思想为指导。\n二、总体要求\n全年集体学习不少于12次。",
    )
    leader = world.users["leader"].person
    PlanTopic.objects.create(
        plan=plan,
        order=1,
        title="学习党的二十届四中全会精神",
        month=1,
        quarter=1,
        form="集体学习",
        lead=leader,
        content="原文学习全会公报\n交流研讨",
    )
    PlanTopic.objects.create(
        plan=plan, order=2, title="深入学习习近平经济思想", quarter=2, form="专题学习研讨"
    )
    return plan


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def test_plan_docx_has_title_guidance_and_topics(plan):
    doc = _open(plan_docx(plan, list(plan.topics.select_related("lead").order_by("order"))))
    text = _text(doc)
    assert "市教育局党委理论学习中心组2026年度学习计划" in text
    assert "一、指导思想" in text and "二、总体要求" in text
    # the topics section continues the guidance's numbering
    assert "三、学习专题安排" in text and "四、专题学习内容" in text
    assert "（一）学习党的二十届四中全会精神（1月）。" in text
    table = doc.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["序号", "时间", "学习专题", "学习形式", "领学/主讲"]
    assert cells[1] == ["1", "1月", "学习党的二十届四中全会精神", "集体学习", "leader人"]
    assert cells[2] == ["2", "第2季度", "深入学习习近平经济思想", "专题学习研讨", ""]
    assert "市教育局党委理论学习中心组" in text.splitlines()[-2]  # the signature


def test_plan_docx_is_a4_with_the_official_margins_and_fonts(plan):
    doc = _open(plan_docx(plan, list(plan.topics.all())))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert abs(section.top_margin - Mm(37)) < Mm(0.5)
    assert abs(section.left_margin - Mm(28)) < Mm(0.5)
    assert abs(section.right_margin - Mm(26)) < Mm(0.5)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.5)
    title = next(p for p in doc.paragraphs if p.text == plan.title)
    assert title.runs[0].font.size.pt == 22 and title.alignment == 1  # centred
    body = next(p for p in doc.paragraphs if p.text.startswith("坚持以"))
    assert body.runs[0].font.size.pt == 16 and "仿宋" in body.runs[0].font.name


def test_plan_without_topics_or_guidance_still_renders(world):
    plan = make_plan(world, title="空计划")
    text = _text(_open(plan_docx(plan, [])))
    assert "一、学习专题安排" in text and "尚未安排学习专题" in text


def test_download_view_serves_the_docx_and_audits_it(world, plan, as_role):
    response = as_role("member").get(reverse("plans:plan_docx", args=[plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    assert plan.title in _text(_open(response.content))
    entry = AuditEntry.objects.get(action="document", object_id=str(plan.pk))
    assert entry.detail == {"document": "year_plan", "topics": 2}
    assert entry.username == "member"


def test_download_outside_scope_is_404(world, plan, as_role):
    sibling = make_plan(world, "sibling")
    assert (
        as_role("secretary").get(reverse("plans:plan_docx", args=[sibling.pk])).status_code == 404
    )
    assert not AuditEntry.objects.filter(action="document").exists()
