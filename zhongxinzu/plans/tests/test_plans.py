import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import Person
from zhongxinzu.plans import selectors, services
from zhongxinzu.plans.models import PlanTopic, YearPlan
from zhongxinzu.plans.tests.helpers import make_plan, make_prompt, this_year
from zhongxinzu.rules.models import Rule
from zhongxinzu.rules.services import rule_value_set, rulebook_for


def _leader_person(world):
    return world.users["leader"].person


def _plan_with_topic(world, **kwargs):
    plan = services.plan_create(actor=world.users["secretary"], group=world.groups["own"], **kwargs)
    services.topic_add(actor=world.users["secretary"], plan=plan, title="专题一", month=3)
    return plan


# --- creating and editing ----------------------------------------------------------------


def test_secretary_creates_a_plan_with_a_default_title(world):
    plan = services.plan_create(
        actor=world.users["secretary"], group=world.groups["own"], year=this_year()
    )
    assert plan.title == f"{world.groups['own'].name}{this_year()}年度学习计划"
    assert plan.status == YearPlan.Status.DRAFT
    with pytest.raises(ValidationError, match="已存在"):
        services.plan_create(
            actor=world.users["secretary"], group=world.groups["own"], year=this_year()
        )


def test_only_the_groups_secretary_creates_its_plan(world):
    for role in ("leader", "member", "supervisor"):
        with pytest.raises(PermissionDenied):
            services.plan_create(
                actor=world.users[role], group=world.groups["own"], year=this_year()
            )
    with pytest.raises(PermissionDenied):
        services.plan_create(
            actor=world.users["secretary"], group=world.groups["child"], year=this_year()
        )


def test_plan_prefilled_with_one_topic_per_theme_line_of_the_years_prompts(world):
    make_prompt(world, "parent", quarter=2, themes="一、学习党的创新理论\n\n（二）深化改革")
    make_prompt(world, "own", quarter=1, themes="1. 学习全会精神")
    make_prompt(world, "own", status="draft", themes="草稿主题")
    make_prompt(world, "sibling", themes="同级主题")
    make_prompt(world, "own", year=this_year() - 1, themes="去年主题")
    plan = services.plan_create(
        actor=world.users["secretary"],
        group=world.groups["own"],
        year=this_year(),
        from_prompts=True,
    )
    topics = list(plan.topics.order_by("order").values_list("title", "quarter", "order"))
    assert topics == [
        ("学习全会精神", 1, 1),
        ("学习党的创新理论", 2, 2),
        ("深化改革", 2, 3),
    ]
    assert all(t.prompt_id for t in plan.topics.all())


def test_topic_validation(world):
    plan = services.plan_create(
        actor=world.users["secretary"], group=world.groups["own"], year=this_year()
    )
    outsider = Person.objects.create(unit=world.units["sibling"], name="外单位人", gender="男")
    with pytest.raises(ValidationError) as e:
        services.topic_add(
            actor=world.users["secretary"],
            plan=plan,
            title="",
            month=13,
            form="座谈会",
            lead=outsider,
        )
    errors = e.value.message_dict
    assert set(errors) == {"title", "month", "form", "lead"}
    assert "不在本中心组" in errors["lead"][0]
    with pytest.raises(ValidationError, match="请填写月份或季度"):
        services.topic_add(actor=world.users["secretary"], plan=plan, title="无时间")
    with pytest.raises(ValidationError, match="5月属于第2季度"):
        services.topic_add(actor=world.users["secretary"], plan=plan, title="x", month=5, quarter=3)
    assert not plan.topics.exists()


def test_topic_by_month_gets_its_quarter_and_a_roster_lead(world):
    plan = services.plan_create(
        actor=world.users["secretary"], group=world.groups["own"], year=this_year()
    )
    topic = services.topic_add(
        actor=world.users["secretary"],
        plan=plan,
        title="学习习近平经济思想",
        month=8,
        form="专题学习研讨",
        lead=_leader_person(world),
    )
    assert (topic.quarter, topic.order, topic.lead) == (3, 1, _leader_person(world))
    services.topic_update(
        actor=world.users["secretary"], topic=topic, title="改题", quarter=4, order=5
    )
    topic.refresh_from_db()
    assert (topic.title, topic.month, topic.quarter, topic.order) == ("改题", None, 4, 5)


# --- the approval path -------------------------------------------------------------------


def test_draft_submitted_approved_filed_each_by_the_right_role_and_audited(world):
    plan = _plan_with_topic(world, year=this_year())
    secretary, leader = world.users["secretary"], world.users["leader"]
    with pytest.raises(PermissionDenied):
        services.plan_submit(actor=leader, plan=plan)
    services.plan_submit(actor=secretary, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=secretary, plan=plan)
    with pytest.raises(ValidationError, match="不能修改"):
        services.topic_add(actor=secretary, plan=plan, title="晚加", month=1)
    services.plan_approve(actor=leader, plan=plan)
    assert plan.approved_by == leader and plan.approved_at
    with pytest.raises(PermissionDenied):
        services.plan_file(actor=leader, plan=plan)
    services.plan_file(actor=secretary, plan=plan)
    plan.refresh_from_db()
    assert plan.status == YearPlan.Status.FILED and plan.filed_at
    actions = list(
        AuditEntry.objects.filter(object_id=str(plan.pk), object_type="plans.YearPlan")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "submit", "approve", "file"]


def test_plan_without_topics_cannot_be_submitted(world):
    plan = services.plan_create(
        actor=world.users["secretary"], group=world.groups["own"], year=this_year()
    )
    with pytest.raises(ValidationError, match="还没有学习专题"):
        services.plan_submit(actor=world.users["secretary"], plan=plan)


def test_leader_returns_with_a_comment_back_to_draft(world):
    plan = _plan_with_topic(world, year=this_year())
    services.plan_submit(actor=world.users["secretary"], plan=plan)
    with pytest.raises(ValidationError, match="请填写修改意见"):
        services.plan_return(actor=world.users["leader"], plan=plan, comment=" ")
    services.plan_return(actor=world.users["leader"], plan=plan, comment="增加调研专题")
    plan.refresh_from_db()
    assert plan.status == YearPlan.Status.DRAFT and plan.return_comment == "增加调研专题"
    services.plan_submit(actor=world.users["secretary"], plan=plan)
    plan.refresh_from_db()
    assert plan.return_comment == ""


def test_filed_plan_is_locked_until_reopened_and_keeps_its_first_filing(world):
    plan = _plan_with_topic(world, year=this_year())
    secretary, leader = world.users["secretary"], world.users["leader"]
    services.plan_submit(actor=secretary, plan=plan)
    services.plan_approve(actor=leader, plan=plan)
    services.plan_file(actor=secretary, plan=plan)
    first_filing = plan.filed_at
    with pytest.raises(ValidationError, match="重新打开"):
        services.plan_update(actor=secretary, plan=plan, title="改")
    with pytest.raises(ValidationError, match="请填写重新打开的原因"):
        services.plan_reopen(actor=secretary, plan=plan, reason="")
    services.plan_reopen(actor=secretary, plan=plan, reason="上级调整学习重点")
    plan.refresh_from_db()
    assert plan.status == YearPlan.Status.DRAFT and plan.approved_at is None
    assert plan.filed_at == first_filing
    entry = AuditEntry.objects.get(action="reopen", object_id=str(plan.pk))
    assert entry.detail == {"from": "filed", "reason": "上级调整学习重点"}
    services.plan_update(actor=secretary, plan=plan, title="修订后的计划")
    services.plan_submit(actor=secretary, plan=plan)
    services.plan_approve(actor=leader, plan=plan)
    services.plan_file(actor=secretary, plan=plan)
    plan.refresh_from_db()
    assert plan.filed_at == first_filing and plan.title == "修订后的计划"


def test_concurrent_approval_is_a_conflict(world):
    plan = _plan_with_topic(world, year=this_year())
    services.plan_submit(actor=world.users["secretary"], plan=plan)
    stale = plan.version
    services.plan_return(
        actor=world.users["leader"], plan=plan, comment="退回", expected_version=stale
    )
    plan.status = YearPlan.Status.SUBMITTED  # as the second leader's page still showed it
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.plan_approve(actor=world.users["leader"], plan=plan, expected_version=stale)


# --- filing deadline -----------------------------------------------------------------------


def test_deadline_comes_from_the_rule_of_that_year(world):
    rule = Rule.objects.get(key="plan_due")
    rule_value_set(
        actor=world.users["supervisor"],
        rule=rule,
        scope=world.units["child"],
        year=2027,
        value="02-28",
    )
    assert selectors.plan_due_date(rulebook_for(world.units["own"], 2027), 2027) == dt.date(
        2027, 1, 31
    )
    assert selectors.plan_due_date(rulebook_for(world.units["child"], 2027), 2027) == dt.date(
        2027, 2, 28
    )
    assert selectors.plan_due_date(rulebook_for(world.units["child"], 2028), 2028) == dt.date(
        2028, 1, 31
    )


def test_a_leap_day_deadline_falls_on_the_28th_in_a_common_year(world):
    rule_value_set(
        actor=world.users["supervisor"],
        rule=Rule.objects.get(key="plan_due"),
        scope=world.units["child"],
        year=2027,
        value="02-29",
    )
    assert selectors.plan_due_date(rulebook_for(world.units["child"], 2027), 2027) == dt.date(
        2027, 2, 28
    )


def _at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_filing_overview_shows_on_time_late_and_missing(world, as_role):
    from zhongxinzu.plans.tests.helpers import add_groups

    (late_group,) = add_groups(world.units["child"], 1)
    make_plan(world, "own", year=2026, status="filed", filed_at=_at(dt.date(2026, 1, 20)))
    YearPlan.objects.create(
        group=late_group,
        year=2026,
        title="迟报计划",
        status="filed",
        filed_at=_at(dt.date(2026, 2, 10)),
    )
    make_plan(world, "child", year=2026, status="approved")
    make_plan(world, "sibling", year=2026, status="filed", filed_at=_at(dt.date(2026, 1, 2)))
    with time_machine.travel(_at(dt.date(2026, 3, 1)), tick=False):
        response = as_role("supervisor").get(reverse("plans:filing_overview"), {"year": 2026})
    html = response.content.decode()
    assert "共 3 个中心组：已报备 <strong>2</strong> 个，未报备 <strong>1</strong> 个" in html
    table = html[html.index('id="filings"') :]
    assert table.count("按时报备") == 1 and table.count("逾期报备") == 1
    assert table.count("逾期未报备") == 1
    assert world.groups["sibling"].name not in table


def test_filing_overview_before_the_deadline_says_not_yet_due(world, as_role):
    with time_machine.travel(_at(dt.date(2026, 1, 10)), tick=False):
        html = (
            as_role("supervisor")
            .get(reverse("plans:filing_overview"), {"year": 2026, "state": "unfiled"})
            .content.decode()
        )
    assert "未到期" in html and "逾期未报备" not in html


# --- pages -------------------------------------------------------------------------------


def test_secretary_creates_plan_adds_topic_and_submits_through_the_pages(world, as_role):
    client = as_role("secretary")
    response = client.post(
        reverse("plans:plan_create"),
        {"group": world.groups["own"].pk, "year": this_year(), "from_prompts": ""},
    )
    plan = YearPlan.objects.get()
    assert response["Location"] == reverse("plans:plan_detail", args=[plan.pk])
    response = client.post(
        reverse("plans:topic_create", args=[plan.pk]),
        {
            "title": "学习党的二十届四中全会精神",
            "month": "3",
            "form": "集体学习",
            "lead": _leader_person(world).pk,
            "content": "原文学习，交流研讨",
        },
    )
    assert response.status_code == 302
    topic = PlanTopic.objects.get()
    html = client.get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    assert topic.title in html and "leader人" in html and "3月" in html
    client.post(reverse("plans:plan_submit", args=[plan.pk]), {"version": plan.version})
    plan.refresh_from_db()
    assert plan.status == YearPlan.Status.SUBMITTED


def test_topic_form_rejects_a_lead_off_the_roster(world, as_role):
    plan = make_plan(world)
    outsider = Person.objects.create(unit=world.units["own"], name="非成员", gender="男")
    response = as_role("secretary").post(
        reverse("plans:topic_create", args=[plan.pk]),
        {"title": "专题", "month": "3", "lead": outsider.pk},
    )
    assert response.status_code == 200 and not plan.topics.exists()


def test_leader_approves_and_returns_from_the_detail_page(world, as_role):
    plan = make_plan(world, status="submitted")
    PlanTopic.objects.create(plan=plan, title="专题", month=1, quarter=1)
    html = as_role("leader").get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    assert "审批通过" in html and 'id="return-form"' in html
    response = as_role("leader").post(
        reverse("plans:plan_return", args=[plan.pk]),
        {"comment": "", "version": plan.version},
        follow=True,
    )
    assert "请填写修改意见" in response.content.decode()
    as_role("leader").post(reverse("plans:plan_approve", args=[plan.pk]), {"version": plan.version})
    plan.refresh_from_db()
    assert plan.status == YearPlan.Status.APPROVED


def test_member_reads_the_plan_without_any_action(world, as_role):
    plan = make_plan(world, status="submitted")
    html = as_role("member").get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    assert plan.title in html
    for action in ("提交组长审批", "审批通过", "向上级报备", "重新打开", "添加专题"):
        assert action not in html


def test_submitted_plan_edit_page_redirects_with_a_message(world, as_role):
    plan = make_plan(world, status="submitted")
    response = as_role("secretary").get(reverse("plans:plan_edit", args=[plan.pk]), follow=True)
    assert "不能修改" in response.content.decode()


def test_plan_list_is_scoped(world, as_role):
    own = make_plan(world, "own", title="本组计划")
    make_plan(world, "sibling", title="同级计划")
    make_plan(world, "child", title="下级计划")
    html = as_role("member").get(reverse("plans:plan_list")).content.decode()
    assert own.title in html and "同级计划" not in html and "下级计划" not in html
    html = as_role("supervisor").get(reverse("plans:plan_list")).content.decode()
    assert "本组计划" in html and "下级计划" in html and "同级计划" not in html


def test_wrong_method_is_405(world, as_role):
    plan = make_plan(world)
    client = as_role("secretary")
    assert client.get(reverse("plans:plan_submit", args=[plan.pk])).status_code == 405
    assert client.post(reverse("plans:plan_docx", args=[plan.pk])).status_code == 405
