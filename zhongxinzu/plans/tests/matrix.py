"""Prompts, first items and year plans in the permission matrix.

Prompts and first items are issued by a unit and seen by the groups below it, so a group's
roles see those of their own unit and of the parent unit ("above"); supervisors see those
issued within their subtree, and read-only those issued above the unit they supervise (to
follow them up in their groups). Plans belong to one group.
"""

from zhongxinzu.lib.matrix import (
    ALL_HIDDEN,
    DENIED,
    OK,
    OWN,
    OWN_READ_ONLY,
    SUBTREE,
    SUBTREE_READ_ONLY,
    Page,
    everyone_else,
)

ABOVE = {**ALL_HIDDEN, "own": OK, "parent": OK}
ABOVE_READ_ONLY = {**ALL_HIDDEN, "own": DENIED, "parent": DENIED}
# A supervisor of "own": the subtree's records, and read-only those issued by "parent".
SUBTREE_AND_ABOVE = {**SUBTREE, "parent": OK}
SUBTREE_ABOVE_READ_ONLY = {**SUBTREE, "parent": DENIED}

BUSINESS = everyone_else({"supervisor": OK, "secretary": OK, "leader": OK, "member": OK}, DENIED)
SUPERVISOR_ONLY = everyone_else({"supervisor": OK}, DENIED)
SECRETARY_ONLY = everyone_else({"secretary": OK}, DENIED)
ISSUED_READ = everyone_else(
    {"supervisor": SUBTREE_AND_ABOVE, "secretary": ABOVE, "leader": ABOVE, "member": ABOVE}, DENIED
)
DRAFT_WRITE = everyone_else({"supervisor": SUBTREE}, DENIED)
# Drafts are not shown to the groups at all.
DRAFT_READ = {
    **DRAFT_WRITE,
    "secretary": ALL_HIDDEN,
    "leader": ALL_HIDDEN,
    "member": ALL_HIDDEN,
}
ACK = everyone_else(
    {
        "supervisor": {**SUBTREE_READ_ONLY, "parent": DENIED},
        "secretary": ABOVE,
        "leader": ABOVE,
        "member": ABOVE_READ_ONLY,
    },
    DENIED,
)
ITEM_WRITE = everyone_else(
    {"supervisor": SUBTREE_ABOVE_READ_ONLY, "secretary": {**ABOVE_READ_ONLY, "own": OK}}, DENIED
)
PLAN_READ = everyone_else(
    {"supervisor": SUBTREE, "secretary": OWN, "leader": OWN, "member": OWN}, DENIED
)
PLAN_RECORD = everyone_else({"secretary": OWN}, DENIED)
PLAN_LEAD = everyone_else(
    {
        "supervisor": SUBTREE_READ_ONLY,
        "secretary": OWN_READ_ONLY,
        "leader": OWN,
        "member": OWN_READ_ONLY,
    },
    DENIED,
)

MATRIX_PDF = b"%PDF-1.4\n% matrix\n"


def _prompt(world, rel, status="issued"):
    from django.utils import timezone

    from zhongxinzu.plans.models import Prompt

    return Prompt.objects.get_or_create(
        issuer_unit=world.units[rel],
        title=f"矩阵学习提示{status}",
        defaults={
            "year": 2026,
            "quarter": 1,
            "themes": "主题一\n主题二",
            "status": status,
            "issued_at": timezone.now() if status == "issued" else None,
            "created_by": world.users["supervisor"],
        },
    )[0]


def _attachment(world, rel, status="issued"):
    from django.core.files.storage import FileSystemStorage, default_storage

    from zhongxinzu.plans.models import PromptAttachment

    name = "plans/matrix/attachment.pdf"
    if not default_storage.exists(name):
        # Written now: the test transaction never commits, so default_storage would defer it.
        FileSystemStorage().save(name, _bytes(MATRIX_PDF))
    return PromptAttachment.objects.get_or_create(
        prompt=_prompt(world, rel, status), name="学习材料.pdf", defaults={"file": name}
    )[0]


def _bytes(data):
    from django.core.files.base import ContentFile

    return ContentFile(data)


def _first_item(world, rel):
    import datetime as dt

    from zhongxinzu.plans.models import FirstItem

    return FirstItem.objects.get_or_create(
        owner_unit=world.units[rel],
        title="矩阵第一议题",
        defaults={
            "kind": "speech",
            "released_on": dt.date(2026, 1, 5),
            "created_by": world.users["supervisor"],
        },
    )[0]


PLAN_YEARS = {"draft": 2030, "submitted": 2031, "approved": 2032, "filed": 2033}


def _plan(world, rel, status="draft"):
    from django.utils import timezone

    from zhongxinzu.plans.models import PlanTopic, YearPlan

    plan, created = YearPlan.objects.get_or_create(
        group=world.groups[rel],
        year=PLAN_YEARS[status],
        defaults={
            "title": "矩阵学习计划",
            "status": status,
            "filed_at": timezone.now() if status == "filed" else None,
        },
    )
    if created:
        PlanTopic.objects.create(plan=plan, order=1, title="矩阵专题", quarter=1)
    return plan


def _topic(world, rel):
    return _plan(world, rel).topics.first()


OBJECTS = {
    "prompt": _prompt,
    "draft_prompt": lambda w, rel: _prompt(w, rel, "draft"),
    "attachment": _attachment,
    "draft_attachment": lambda w, rel: _attachment(w, rel, "draft"),
    "first_item": _first_item,
    "plan": _plan,
    "submitted_plan": lambda w, rel: _plan(w, rel, "submitted"),
    "approved_plan": lambda w, rel: _plan(w, rel, "approved"),
    "filed_plan": lambda w, rel: _plan(w, rel, "filed"),
    "topic": _topic,
}

ENTRIES = [
    # 学习提示
    Page("plans:prompt_list", "GET", BUSINESS),
    Page("plans:prompt_create", "GET", SUPERVISOR_ONLY),
    Page("plans:prompt_create", "POST", SUPERVISOR_ONLY, data={"title": ""}),
    Page("plans:prompt_detail", "GET", ISSUED_READ, obj="prompt"),
    Page("plans:prompt_detail", "GET", DRAFT_READ, obj="draft_prompt"),
    Page("plans:prompt_edit", "GET", DRAFT_WRITE, obj="draft_prompt"),
    Page("plans:prompt_edit", "POST", DRAFT_WRITE, obj="draft_prompt", data={"title": ""}),
    Page("plans:prompt_issue", "POST", DRAFT_WRITE, obj="draft_prompt"),
    Page("plans:prompt_delete", "POST", DRAFT_WRITE, obj="draft_prompt"),
    Page("plans:prompt_ack", "POST", ACK, obj="prompt"),
    Page("plans:attachment_add", "POST", DRAFT_WRITE, obj="draft_prompt"),
    Page("plans:attachment_download", "GET", ISSUED_READ, obj="attachment"),
    Page("plans:attachment_delete", "POST", DRAFT_WRITE, obj="draft_attachment"),
    # 第一议题
    Page("plans:first_item_list", "GET", BUSINESS),
    Page("plans:first_item_list_xlsx", "GET", BUSINESS),
    Page(
        "plans:first_item_create", "GET", everyone_else({"supervisor": OK, "secretary": OK}, DENIED)
    ),
    Page(
        "plans:first_item_create",
        "POST",
        everyone_else({"supervisor": OK, "secretary": OK}, DENIED),
        data={"title": ""},
    ),
    Page("plans:first_item_detail", "GET", ISSUED_READ, obj="first_item"),
    Page("plans:first_item_edit", "GET", ITEM_WRITE, obj="first_item"),
    Page("plans:first_item_edit", "POST", ITEM_WRITE, obj="first_item", data={"title": ""}),
    Page("plans:first_item_delete", "POST", ITEM_WRITE, obj="first_item"),
    # 年度学习计划
    Page("plans:plan_list", "GET", BUSINESS),
    Page("plans:plan_create", "GET", SECRETARY_ONLY),
    Page("plans:plan_create", "POST", SECRETARY_ONLY, data={"year": "x"}),
    Page("plans:filing_overview", "GET", SUPERVISOR_ONLY),
    Page("plans:filing_overview_xlsx", "GET", SUPERVISOR_ONLY),
    Page("plans:plan_detail", "GET", PLAN_READ, obj="plan"),
    Page("plans:plan_edit", "GET", PLAN_RECORD, obj="plan"),
    Page("plans:plan_edit", "POST", PLAN_RECORD, obj="plan", data={"title": ""}),
    Page("plans:topic_create", "GET", PLAN_RECORD, obj="plan"),
    Page("plans:topic_create", "POST", PLAN_RECORD, obj="plan", data={"title": ""}),
    Page("plans:topic_edit", "GET", PLAN_RECORD, obj="topic"),
    Page("plans:topic_edit", "POST", PLAN_RECORD, obj="topic", data={"title": ""}),
    Page("plans:topic_delete", "POST", PLAN_RECORD, obj="topic"),
    Page("plans:plan_submit", "POST", PLAN_RECORD, obj="plan"),
    Page("plans:plan_approve", "POST", PLAN_LEAD, obj="submitted_plan"),
    Page("plans:plan_return", "POST", PLAN_LEAD, obj="submitted_plan", data={"comment": ""}),
    Page("plans:plan_file", "POST", PLAN_RECORD, obj="approved_plan"),
    Page("plans:plan_reopen", "POST", PLAN_RECORD, obj="filed_plan", data={"reason": ""}),
    Page("plans:plan_docx", "GET", PLAN_READ, obj="plan"),
]
