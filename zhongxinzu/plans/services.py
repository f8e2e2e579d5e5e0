"""Writes for study prompts, the first-item pool and year plans. Each one checks who is
acting, validates, runs atomically and writes its audit record."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from zhongxinzu.audit.services import audit_record
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.lib.uploads import validate_office_upload
from zhongxinzu.lib.versioning import save_versioned
from zhongxinzu.org import access
from zhongxinzu.org.models import Membership, Person, StudyGroup, Unit
from zhongxinzu.plans import perms, selectors
from zhongxinzu.plans.models import (
    FirstItem,
    PlanTopic,
    Prompt,
    PromptAck,
    PromptAttachment,
    YearPlan,
)

ATTACHMENT_TYPES = frozenset({"docx", "xlsx", "pdf", "jpg", "jpeg", "png"})
MAX_ATTACHMENTS = 20
PROMPT_FIELDS = [
    "issuer_unit_id",
    "year",
    "quarter",
    "title",
    "themes",
    "discussion_focus",
    "readings",
    "expected_outputs",
]
TOPIC_FIELDS = ["order", "title", "month", "quarter", "form", "lead_id", "content"]
# "1." "1、" "一、" "（一）" "(1)" "-" "•" at the start of a theme line.
_BULLET = re.compile(
    r"^\s*(?:\d+[.、．)]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|[-•·*])\s*"
)


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _check_year(year, field: str = "year") -> None:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({field: "年度不正确（应为2000至2100之间的四位数字）"})


def _text(value) -> str:
    return (value or "").strip()


def _changes(obj, data: dict) -> dict:
    return {k: str(v) for k, v in data.items() if getattr(obj, k) != v}


def _clean_filename(name: str) -> str:
    base = PurePath((name or "").replace("\\", "/")).name.strip() or "附件"
    return base[-200:]


# --- prompts ---------------------------------------------------------------------------


def _prompt_validate(*, year, quarter, title, themes) -> None:
    errors = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "年度不正确（应为2000至2100之间的四位数字）"
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = "季度应为1至4"
    if not _text(title):
        errors["title"] = "请填写标题"
    elif len(_text(title)) > 200:
        errors["title"] = "标题不能超过200个字"
    if not _text(themes):
        errors["themes"] = "请填写学习主题"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def prompt_create(
    *,
    actor,
    issuer_unit: Unit,
    year: int,
    quarter: int,
    title: str,
    themes: str,
    discussion_focus: str = "",
    readings: str = "",
    expected_outputs: str = "",
) -> Prompt:
    """Draft a study prompt in the name of one of the units the actor supervises."""
    _deny_unless(
        any(u.pk == issuer_unit.pk for u in perms.issuer_units(actor)),
        "只能以本人督导的单位名义下发学习提示",
    )
    _prompt_validate(year=year, quarter=quarter, title=title, themes=themes)
    prompt = Prompt.objects.create(
        issuer_unit=issuer_unit,
        year=year,
        quarter=quarter,
        title=_text(title),
        themes=_text(themes),
        discussion_focus=_text(discussion_focus),
        readings=_text(readings),
        expected_outputs=_text(expected_outputs),
        created_by=actor,
    )
    audit_record(actor=actor, action="create", obj=prompt)
    return prompt


def _require_draft_prompt(prompt: Prompt) -> None:
    if prompt.status != Prompt.Status.DRAFT:
        raise ValidationError("学习提示已下发，不能再修改；如需调整请另发补充通知")


@transaction.atomic
def prompt_update(*, actor, prompt: Prompt, expected_version: int | None = None, **data) -> Prompt:
    """Change a draft prompt (issued prompts are read-only)."""
    _deny_unless(perms.can_edit_prompt(actor, prompt), "无权修改该学习提示")
    _require_draft_prompt(prompt)
    if "issuer_unit" in data:
        unit = data.pop("issuer_unit")
        _deny_unless(
            any(u.pk == unit.pk for u in perms.issuer_units(actor)),
            "只能以本人督导的单位名义下发学习提示",
        )
        data["issuer_unit_id"] = unit.pk
    data = {k: (_text(v) if isinstance(v, str) else v) for k, v in data.items()}
    data = {k: v for k, v in data.items() if k in PROMPT_FIELDS}
    merged = {f: data.get(f, getattr(prompt, f)) for f in ("year", "quarter", "title", "themes")}
    _prompt_validate(**merged)
    changes = _changes(prompt, data)
    for key, value in data.items():
        setattr(prompt, key, value)
    save_versioned(prompt, expected_version=expected_version, fields=PROMPT_FIELDS)
    audit_record(actor=actor, action="update", obj=prompt, detail=changes)
    return prompt


@transaction.atomic
def prompt_issue(*, actor, prompt: Prompt, expected_version: int | None = None) -> Prompt:
    """Send a draft prompt to every group of the issuer's subtree; from now on read-only."""
    _deny_unless(perms.can_edit_prompt(actor, prompt), "无权下发该学习提示")
    _require_draft_prompt(prompt)
    prompt.status, prompt.issued_at = Prompt.Status.ISSUED, timezone.now()
    save_versioned(prompt, expected_version=expected_version, fields=["status", "issued_at"])
    figures_changed(below=prompt.issuer_unit_id)
    audit_record(
        actor=actor, action="issue", obj=prompt, detail={"issuer_unit": prompt.issuer_unit_id}
    )
    return prompt


@transaction.atomic
def prompt_delete(*, actor, prompt: Prompt) -> None:
    """Delete a draft prompt and its attachments."""
    _deny_unless(perms.can_edit_prompt(actor, prompt), "无权删除该学习提示")
    _require_draft_prompt(prompt)
    files = [a.file for a in prompt.attachments.all()]
    audit_record(actor=actor, action="delete", obj=prompt)
    prompt.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


@transaction.atomic
def prompt_attachment_add(*, actor, prompt: Prompt, upload) -> PromptAttachment:
    """Attach a file (docx, xlsx, pdf, jpg, png; checked by lib.uploads) to a draft prompt."""
    _deny_unless(perms.can_edit_prompt(actor, prompt), "无权修改该学习提示")
    _require_draft_prompt(prompt)
    if prompt.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": f"每份学习提示最多{MAX_ATTACHMENTS}个附件"})
    try:
        data = validate_office_upload(upload, allowed=ATTACHMENT_TYPES)
    except ValidationError as e:
        raise ValidationError({"file": e.messages}) from None
    name = _clean_filename(upload.name)
    attachment = PromptAttachment(prompt=prompt, name=name)
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    audit_record(
        actor=actor, action="create", obj=attachment, detail={"prompt": prompt.pk, "name": name}
    )
    return attachment


@transaction.atomic
def prompt_attachment_delete(*, actor, attachment: PromptAttachment) -> None:
    prompt = attachment.prompt
    _deny_unless(perms.can_edit_prompt(actor, prompt), "无权修改该学习提示")
    _require_draft_prompt(prompt)
    audit_record(actor=actor, action="delete", obj=attachment, detail={"prompt": prompt.pk})
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


@transaction.atomic
def prompt_acknowledge(*, actor, prompt: Prompt, group: StudyGroup) -> PromptAck:
    """The group's secretary or leader acknowledges receipt of an issued prompt (once)."""
    _deny_unless(
        group.pk in access.principal_of(actor).staff_group_ids(),
        "只有本中心组的学习秘书或组长可以签收",
    )
    if prompt.status != Prompt.Status.ISSUED:
        raise ValidationError("学习提示尚未下发")
    if not StudyGroup.objects.filter(perms.prompt_targets(prompt), pk=group.pk).exists():
        raise ValidationError("该学习提示不是下发给本中心组的")
    if PromptAck.objects.filter(prompt=prompt, group=group).exists():
        raise ValidationError("本中心组已签收该学习提示")
    try:
        with transaction.atomic():
            ack = PromptAck.objects.create(prompt=prompt, group=group, acknowledged_by=actor)
    except IntegrityError:
        raise ValidationError("本中心组已签收该学习提示") from None
    figures_changed(group.pk)
    audit_record(
        actor=actor, action="acknowledge", obj=prompt, detail={"group": group.pk, "ack": ack.pk}
    )
    return ack


# --- first items -----------------------------------------------------------------------


def _first_item_validate(*, title, kind, released_on) -> None:
    errors = {}
    if not _text(title):
        errors["title"] = "请填写题目"
    elif len(_text(title)) > 300:
        errors["title"] = "题目不能超过300个字"
    if kind not in FirstItem.Kind.values:
        errors["kind"] = "类别不正确"
    if not isinstance(released_on, dt.date):
        errors["released_on"] = "请填写发布日期"
    elif released_on > timezone.localdate():
        errors["released_on"] = "发布日期不能晚于今天"
    elif released_on.year < 2000:
        errors["released_on"] = "发布日期不正确"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def first_item_create(
    *,
    actor,
    owner_unit: Unit,
    title: str,
    kind: str,
    released_on: dt.date,
    source: str = "",
    summary: str = "",
    restricted: bool = False,
) -> FirstItem:
    """Record a major speech, article or instruction in `owner_unit`'s first-item pool
    (a supervisor for a unit of their subtree, a secretary for their own unit)."""
    _deny_unless(
        perms.can_write_first_item_for(actor, owner_unit), "无权向该单位的第一议题库添加议题"
    )
    _first_item_validate(title=title, kind=kind, released_on=released_on)
    item = FirstItem.objects.create(
        owner_unit=owner_unit,
        title=_text(title),
        kind=kind,
        released_on=released_on,
        source=_text(source)[:200],
        summary=_text(summary),
        restricted=bool(restricted),
        created_by=actor,
    )
    figures_changed(below=owner_unit.pk)
    audit_record(actor=actor, action="create", obj=item)
    return item


@transaction.atomic
def first_item_update(*, actor, item: FirstItem, **data) -> FirstItem:
    _deny_unless(perms.can_write_first_item(actor, item), "无权修改该议题")
    fields = ["title", "kind", "released_on", "source", "summary", "restricted"]
    data = {k: (_text(v) if isinstance(v, str) else v) for k, v in data.items() if k in fields}
    merged = {f: data.get(f, getattr(item, f)) for f in ("title", "kind", "released_on")}
    _first_item_validate(**merged)
    changes = _changes(item, data)
    FirstItem.objects.filter(pk=item.pk).update(**data)
    for key, value in data.items():
        setattr(item, key, value)
    figures_changed(below=item.owner_unit_id)
    audit_record(actor=actor, action="update", obj=item, detail=changes)
    return item


@transaction.atomic
def first_item_delete(*, actor, item: FirstItem) -> None:
    """Remove an item nobody has studied yet (a studied item is evidence and stays)."""
    _deny_unless(perms.can_write_first_item(actor, item), "无权删除该议题")
    audit_record(actor=actor, action="delete", obj=item)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        raise ValidationError("已有中心组将该议题作为第一议题学习，不能删除") from None


# --- year plans ------------------------------------------------------------------------


def _require_status(plan: YearPlan, *states: str, message: str) -> None:
    if plan.status not in states:
        raise ValidationError(message)


def _require_secretary(actor, plan: YearPlan) -> None:
    _deny_unless(perms.can_record_plan(actor, plan), "只有本中心组的学习秘书可以编制和报备计划")


def _require_leader(actor, plan: YearPlan) -> None:
    _deny_unless(perms.can_lead_plan(actor, plan), "只有本中心组的组长（副组长）可以审批计划")


def _require_editable(plan: YearPlan) -> None:
    _require_status(
        plan,
        YearPlan.Status.DRAFT,
        message=f"计划当前状态为“{plan.get_status_display()}”，不能修改"
        + ("；如需调整请先“重新打开”" if plan.status == YearPlan.Status.FILED else ""),
    )


def theme_lines(themes: str) -> list[str]:
    """The themes of a prompt, one per non-empty line, without list numbering."""
    lines = (_BULLET.sub("", line).strip() for line in (themes or "").splitlines())
    return [line[:200] for line in lines if line]


@transaction.atomic
def plan_create(
    *,
    actor,
    group: StudyGroup,
    year: int,
    title: str = "",
    guidance: str = "",
    from_prompts: bool = False,
) -> YearPlan:
    """The secretary starts the group's plan for `year`, optionally with one topic per theme
    line of the year's prompts addressed to the group."""
    _deny_unless(access.can_record_for_group(actor, group.pk), "只有本中心组的学习秘书可以编制计划")
    _check_year(year)
    if YearPlan.objects.filter(group=group, year=year).exists():
        raise ValidationError({"year": f"本中心组{year}年度学习计划已存在"})
    title = _text(title) or f"{group.name}{year}年度学习计划"
    if len(title) > 200:
        raise ValidationError({"title": "标题不能超过200个字"})
    plan = YearPlan.objects.create(group=group, year=year, title=title, guidance=_text(guidance))
    topics = []
    if from_prompts:
        prompts = selectors.prompts_for_group(group, year=year).order_by("quarter", "issued_at")
        for prompt in prompts:
            for line in theme_lines(prompt.themes):
                topics.append(
                    PlanTopic(
                        plan=plan,
                        order=len(topics) + 1,
                        title=line,
                        quarter=prompt.quarter,
                        prompt=prompt,
                    )
                )
        PlanTopic.objects.bulk_create(topics)
    figures_changed(group.pk)
    audit_record(
        actor=actor,
        action="create",
        obj=plan,
        detail={"year": year, "topics_from_prompts": len(topics)},
    )
    return plan


@transaction.atomic
def plan_update(
    *, actor, plan: YearPlan, title: str, guidance: str = "", expected_version=None
) -> YearPlan:
    _require_secretary(actor, plan)
    _require_editable(plan)
    if not _text(title):
        raise ValidationError({"title": "请填写标题"})
    data = {"title": _text(title)[:200], "guidance": _text(guidance)}
    changes = _changes(plan, data)
    for key, value in data.items():
        setattr(plan, key, value)
    save_versioned(plan, expected_version=expected_version, fields=["title", "guidance"])
    figures_changed(plan.group_id)
    audit_record(actor=actor, action="update", obj=plan, detail=changes)
    return plan


def _topic_clean(plan: YearPlan, data: dict) -> dict:
    from zhongxinzu.meetings.models import StudySession

    errors = {}
    title = _text(data.get("title"))
    if not title:
        errors["title"] = "请填写专题名称"
    elif len(title) > 200:
        errors["title"] = "专题名称不能超过200个字"
    month, quarter = data.get("month"), data.get("quarter")
    if month is not None and month not in range(1, 13):
        errors["month"] = "月份应为1至12"
    if quarter is not None and quarter not in range(1, 5):
        errors["quarter"] = "季度应为1至4"
    if month is None and quarter is None:
        errors["month"] = "请填写月份或季度"
    elif month in range(1, 13) and quarter is not None and quarter != (month - 1) // 3 + 1:
        errors["quarter"] = f"{month}月属于第{(month - 1) // 3 + 1}季度"
    form = _text(data.get("form"))
    if form and form not in StudySession.Kind.labels:
        errors["form"] = "学习形式应为：" + "、".join(StudySession.Kind.labels)
    lead = data.get("lead")
    if lead is not None and not _on_roster_in(plan, lead):
        errors["lead"] = f"{lead.name}不在本中心组{plan.year}年的名册中"
    order = data.get("order")
    if order is not None and not 1 <= order <= 999:
        errors["order"] = "序号应为1至999"
    if errors:
        raise ValidationError(errors)
    if month is not None and quarter is None:
        quarter = (month - 1) // 3 + 1
    return {
        "title": title,
        "month": month,
        "quarter": quarter,
        "form": form,
        "lead_id": lead.pk if lead else None,
        "content": _text(data.get("content")),
        "order": order,
    }


def _on_roster_in(plan: YearPlan, person: Person) -> bool:
    first, last = dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31)
    return Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first),
        group_id=plan.group_id,
        person=person,
        start_date__lte=last,
    ).exists()


@transaction.atomic
def topic_add(
    *,
    actor,
    plan: YearPlan,
    title: str,
    month: int | None = None,
    quarter: int | None = None,
    form: str = "",
    lead: Person | None = None,
    content: str = "",
    order: int | None = None,
) -> PlanTopic:
    """Add a topic (专题) to a draft plan, by month or by quarter."""
    _require_secretary(actor, plan)
    _require_editable(plan)
    data = _topic_clean(
        plan,
        dict(
            title=title,
            month=month,
            quarter=quarter,
            form=form,
            lead=lead,
            content=content,
            order=order,
        ),
    )
    if data["order"] is None:
        data["order"] = plan.topics.count() + 1
    topic = PlanTopic.objects.create(plan=plan, **data)
    figures_changed(plan.group_id)
    audit_record(actor=actor, action="create", obj=topic, detail={"plan": plan.pk})
    return topic


@transaction.atomic
def topic_update(
    *,
    actor,
    topic: PlanTopic,
    title: str,
    month: int | None = None,
    quarter: int | None = None,
    form: str = "",
    lead: Person | None = None,
    content: str = "",
    order: int | None = None,
) -> PlanTopic:
    plan = topic.plan
    _require_secretary(actor, plan)
    _require_editable(plan)
    data = _topic_clean(
        plan,
        dict(
            title=title,
            month=month,
            quarter=quarter,
            form=form,
            lead=lead,
            content=content,
            order=order,
        ),
    )
    if data["order"] is None:
        data["order"] = topic.order
    changes = _changes(topic, data)
    PlanTopic.objects.filter(pk=topic.pk).update(**data)
    for key, value in data.items():
        setattr(topic, key, value)
    figures_changed(topic.plan.group_id)
    audit_record(actor=actor, action="update", obj=topic, detail={"plan": plan.pk, **changes})
    return topic


@transaction.atomic
def topic_delete(*, actor, topic: PlanTopic) -> None:
    plan = topic.plan
    _require_secretary(actor, plan)
    _require_editable(plan)
    figures_changed(topic.plan.group_id)
    audit_record(actor=actor, action="delete", obj=topic, detail={"plan": plan.pk})
    topic.delete()


def _transition(plan: YearPlan, expected_version, **fields) -> None:
    for key, value in fields.items():
        setattr(plan, key, value)
    save_versioned(plan, expected_version=expected_version, fields=list(fields))


@transaction.atomic
def plan_submit(*, actor, plan: YearPlan, expected_version=None) -> YearPlan:
    """Draft → submitted to the leader."""
    _require_secretary(actor, plan)
    _require_status(plan, YearPlan.Status.DRAFT, message="只有草稿状态的计划可以提交审批")
    if not plan.topics.exists():
        raise ValidationError("计划还没有学习专题，请先添加专题再提交")
    _transition(
        plan,
        expected_version,
        status=YearPlan.Status.SUBMITTED,
        submitted_at=timezone.now(),
        return_comment="",
    )
    figures_changed(plan.group_id)
    audit_record(actor=actor, action="submit", obj=plan)
    return plan


@transaction.atomic
def plan_approve(*, actor, plan: YearPlan, expected_version=None) -> YearPlan:
    """The leader approves a submitted plan; it is locked from now on."""
    _require_leader(actor, plan)
    _require_status(plan, YearPlan.Status.SUBMITTED, message="只有待审批的计划可以审批")
    _transition(
        plan,
        expected_version,
        status=YearPlan.Status.APPROVED,
        approved_at=timezone.now(),
        approved_by=actor,
    )
    figures_changed(plan.group_id)
    audit_record(actor=actor, action="approve", obj=plan)
    return plan


@transaction.atomic
def plan_return(*, actor, plan: YearPlan, comment: str, expected_version=None) -> YearPlan:
    """The leader returns a submitted plan to the secretary with a comment (back to draft)."""
    _require_leader(actor, plan)
    _require_status(plan, YearPlan.Status.SUBMITTED, message="只有待审批的计划可以退回")
    if not _text(comment):
        raise ValidationError({"comment": "退回时请填写修改意见"})
    _transition(plan, expected_version, status=YearPlan.Status.DRAFT, return_comment=_text(comment))
    figures_changed(plan.group_id)
    audit_record(actor=actor, action="return", obj=plan, detail={"comment": _text(comment)})
    return plan


@transaction.atomic
def plan_file(*, actor, plan: YearPlan, expected_version=None) -> YearPlan:
    """The secretary files the approved plan upward. `filed_at` keeps the first filing, so a
    plan reopened and filed again still counts as filed when it first was."""
    _require_secretary(actor, plan)
    _require_status(plan, YearPlan.Status.APPROVED, message="计划须经组长审批后才能报备")
    first = plan.filed_at is None
    _transition(
        plan,
        expected_version,
        status=YearPlan.Status.FILED,
        filed_at=plan.filed_at or timezone.now(),
    )
    figures_changed(plan.group_id)
    audit_record(actor=actor, action="file", obj=plan, detail={"first_filing": first})
    return plan


@transaction.atomic
def plan_reopen(*, actor, plan: YearPlan, reason: str, expected_version=None) -> YearPlan:
    """The secretary reopens an approved or filed plan for changes (back to draft); it must
    be approved and filed again."""
    _require_secretary(actor, plan)
    _require_status(
        plan,
        YearPlan.Status.APPROVED,
        YearPlan.Status.FILED,
        message="只有已审批或已报备的计划需要重新打开",
    )
    if not _text(reason):
        raise ValidationError({"reason": "请填写重新打开的原因"})
    previous = plan.status
    _transition(
        plan, expected_version, status=YearPlan.Status.DRAFT, approved_at=None, approved_by=None
    )
    figures_changed(plan.group_id)
    audit_record(
        actor=actor,
        action="reopen",
        obj=plan,
        detail={"from": previous, "reason": _text(reason)},
    )
    return plan


@transaction.atomic
def plan_document(*, actor, plan: YearPlan) -> bytes:
    """The plan as a .docx in the GB/T 9704 layout; the generation is audited."""
    from zhongxinzu.documents.plan_docx import plan_docx

    topics = list(plan.topics.select_related("lead").order_by("order", "id"))
    data = plan_docx(plan, topics)
    audit_record(
        actor=actor,
        action="document",
        obj=plan,
        detail={"document": "year_plan", "topics": len(topics)},
    )
    return data
