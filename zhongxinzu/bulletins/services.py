"""Writes for bulletins: create a draft, fill it from the records (the background job),
edit it section by section, issue it (number, lock, send, notify), revise an issued one (a
new version, never an edit of the issued text) and acknowledge it. Each checks who acts,
validates with Chinese messages, runs atomically and writes its audit record."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.audit.services import audit_record
from zhongxinzu.bulletins import access as bulletin_access
from zhongxinzu.bulletins import drafting
from zhongxinzu.bulletins.models import SECTION_KEYS, Bulletin, BulletinRecipient, BulletinVersion
from zhongxinzu.compliance.models import Notification
from zhongxinzu.documents.gbt9704 import document_number
from zhongxinzu.lib.versioning import save_versioned
from zhongxinzu.org import access
from zhongxinzu.org.models import Membership, StudyGroup, Unit
from zhongxinzu.stats.periods import Span
from zhongxinzu.stats.selectors import subtree_groups

TEXT_FIELDS = ["title", "addressee", "cc", *SECTION_KEYS]
DRAFT_FIELDS = [*TEXT_FIELDS, "doc_prefix"]
MAX_SECTION = 20_000
# A subtree this small is drafted at once (the API answers 201); a larger one by the job.
SYNC_DRAFT_MAX_GROUPS = 60


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _clean_texts(data: dict) -> dict:
    out, errors = {}, {}
    for key, value in data.items():
        if key not in DRAFT_FIELDS:
            continue
        text = (value or "").replace("\r\n", "\n").strip()
        limit = {"title": 200, "addressee": 200, "cc": 200, "doc_prefix": 20}.get(key, MAX_SECTION)
        if len(text) > limit:
            errors[key] = f"不能超过{limit}字"
        out[key] = text
    if "title" in out and not out["title"]:
        errors["title"] = "请填写标题"
    if "doc_prefix" in out:
        prefix = out["doc_prefix"]
        if not prefix:
            errors["doc_prefix"] = "请填写发文机关代字（如“江宣通”）"
        elif any(ch.isdigit() or ch in "〔〕[]()（）号" for ch in prefix):
            errors["doc_prefix"] = "发文机关代字只写代字本身，年份和序号由系统编排"
    if errors:
        raise ValidationError(errors)
    return out


def _previous(unit: Unit, exclude: int | None = None) -> Bulletin | None:
    qs = Bulletin.objects.filter(issuer_unit=unit)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("-status", "-issued_at", "-pk").first()  # issued ones first


@transaction.atomic
def bulletin_create(*, actor, issuer_unit: Unit, span: Span, doc_prefix: str = "") -> Bulletin:
    """A new draft for `issuer_unit`'s subtree and `span`, with its title, 主送 and 四、工作要求
    carried over from the issuer's previous bulletin (or the defaults). The text from the
    records is filled in by bulletin_draft (the background job)."""
    _deny_unless(access.supervises(actor, issuer_unit), "只能以本人督导的单位名义起草通报")
    if span.end > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationError({"year": "统计期间不能晚于明年"})
    previous = _previous(issuer_unit)
    children = list(
        Unit.objects.filter(access.subtree_q([issuer_unit]), depth=issuer_unit.depth + 1)
    )
    texts = _clean_texts(
        {
            "title": drafting.title_for(span),
            "doc_prefix": doc_prefix
            or (previous.doc_prefix if previous else drafting.default_prefix(issuer_unit)),
        }
    )
    bulletin = Bulletin.objects.create(
        issuer_unit=issuer_unit,
        kind=span.kind,
        start=span.start,
        end=span.end,
        n=span.n,
        title=texts["title"],
        doc_prefix=texts["doc_prefix"],
        addressee=(previous.addressee if previous else "")
        or drafting.default_addressee(issuer_unit, children),
        cc=previous.cc if previous else "",
        requirements=(previous.requirements if previous else "") or drafting.DEFAULT_REQUIREMENTS,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=bulletin,
        detail={"issuer_unit": issuer_unit.pk, "period": span.label},
    )
    return bulletin


def bulletin_draft(*, actor, bulletin: Bulletin, progress=None) -> Bulletin:
    """Fill a draft from the records: the figures snapshot, 一、总体情况, 三、存在问题 with its
    table, and the highlights offered for 二、经验做法. Reads first, then one short write."""
    if bulletin.is_issued:
        raise ValidationError("通报已印发，不能重新生成；如需调整请修改后形成新版本")
    facts = drafting.gather(bulletin.issuer_unit, bulletin.span, progress=progress)
    composed = drafting.compose(facts)
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if locked.is_issued:
            raise ValidationError("通报已印发，不能重新生成")
        locked.figures = drafting.figures_snapshot(facts.stats)
        locked.figures["problems_complete"] = facts.problems_complete
        locked.problem_rows = composed["problem_rows"]
        locked.highlights = [
            {
                "key": h.key,
                "unit": h.unit,
                "text": h.text,
                "day": h.day.isoformat() if h.day else "",
            }
            for h in facts.highlights
        ]
        locked.overview = composed["overview"]
        locked.problems = composed["problems"]
        locked.drafted_at = timezone.now()
        fields = ["figures", "problem_rows", "highlights", "overview", "problems", "drafted_at"]
        save_versioned(locked, expected_version=None, fields=fields)
        audit_record(
            actor=actor,
            action="generate",
            obj=locked,
            detail={"groups": facts.stats.group_count, "problems": len(composed["problem_rows"])},
        )
    if progress:
        progress(4, 4, "通报文稿已生成")
    return locked


def draft_synchronously(bulletin: Bulletin) -> bool:
    return subtree_groups(bulletin.issuer_unit).count() <= SYNC_DRAFT_MAX_GROUPS


def bulletin_start_draft(*, actor, bulletin: Bulletin):
    """Queue the drafting job (the page follows it on the job's progress page)."""
    from zhongxinzu.jobs.services import job_start

    _deny_unless(bulletin_access.can_manage(actor, bulletin), "无权生成该通报")
    if bulletin.is_issued:
        raise ValidationError("通报已印发，不能重新生成")
    return job_start(
        actor=actor,
        kind="bulletins.draft",
        unit=bulletin.issuer_unit,
        year=bulletin.start.year,
        target_id=bulletin.pk,
    )


@transaction.atomic
def bulletin_update(
    *, actor, bulletin: Bulletin, expected_version: int | None, reason: str = "", **data
) -> Bulletin:
    """Edit a draft's texts; on an issued bulletin, the change becomes a new version (the
    issued text is never edited), with a reason."""
    _deny_unless(bulletin_access.can_manage(actor, bulletin), "无权修改该通报")
    texts = _clean_texts(data)
    if not bulletin.is_issued:
        changes = {k: v for k, v in texts.items() if getattr(bulletin, k) != v}
        for key, value in texts.items():
            setattr(bulletin, key, value)
        save_versioned(bulletin, expected_version=expected_version, fields=list(texts))
        audit_record(actor=actor, action="update", obj=bulletin, detail={"fields": list(changes)})
        return bulletin
    if "doc_prefix" in texts and texts["doc_prefix"] != bulletin.doc_prefix:
        raise ValidationError({"doc_prefix": "通报已印发，发文字号不能更改"})
    texts.pop("doc_prefix", None)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "通报已印发，修改将形成新版本，请填写修改说明"})
    if len(reason) > 200:
        raise ValidationError({"reason": "修改说明不能超过200字"})
    latest = bulletin.versions.order_by("-number").first()
    current = latest.texts() | {
        "title": latest.title,
        "addressee": latest.addressee,
        "cc": latest.cc,
    }
    merged = current | texts
    if merged == current:
        raise ValidationError("内容没有变化，无需形成新版本")
    # The bulletin row's version guards against two revisions from the same stale page.
    save_versioned(bulletin, expected_version=expected_version, fields=[])
    version = BulletinVersion.objects.create(
        bulletin=bulletin,
        number=latest.number + 1,
        reason=reason,
        created_by=actor,
        **merged,
    )
    audit_record(
        actor=actor,
        action="revise",
        obj=bulletin,
        detail={
            "version": version.number,
            "fields": [k for k in merged if merged[k] != current[k]],
            "reason": reason,
        },
    )
    return bulletin


@transaction.atomic
def bulletin_choose_practices(
    *, actor, bulletin: Bulletin, keys: list[str], expected_version: int | None
) -> Bulletin:
    """二、经验做法 from the highlights the supervisor picked (each names its unit)."""
    offered = {h["key"]: h for h in bulletin.highlights}
    unknown = [k for k in keys if k not in offered]
    if unknown or not keys:
        raise ValidationError({"highlights": "请从列出的特色亮点中选择"})
    chosen = [
        drafting.Highlight(h["key"], h["unit"], h["text"]) for h in (offered[k] for k in keys)
    ]
    return bulletin_update(
        actor=actor,
        bulletin=bulletin,
        expected_version=expected_version,
        practices=drafting.practices_text(chosen),
    )


def _secretary_users(group_ids: list[int], on: dt.date) -> dict[int, list[int]]:
    from zhongxinzu.accounts.models import User

    rows = list(
        access.active_memberships(on=on)
        .filter(group_id__in=group_ids, role=Membership.Role.SECRETARY)
        .values_list("group_id", "person_id")
    )
    users: dict[int, list[int]] = {}
    for uid, pid in User.objects.filter(
        person_id__in={p for _, p in rows}, is_active=True
    ).values_list("pk", "person_id"):
        users.setdefault(pid, []).append(uid)
    out: dict[int, list[int]] = {}
    for gid, pid in rows:
        out.setdefault(gid, []).extend(users.get(pid, []))
    return out


@transaction.atomic
def bulletin_issue(*, actor, bulletin: Bulletin, expected_version: int | None) -> Bulletin:
    """Number the draft (the next serial of the issuer and year, no gaps), freeze its text as
    version 1, send it to every active group of the subtree, and notify their secretaries."""
    _deny_unless(bulletin_access.can_manage(actor, bulletin), "无权印发该通报")
    if bulletin.is_issued:
        raise ValidationError("通报已印发")
    if not bulletin.drafted_at:
        raise ValidationError("通报文稿尚未生成，请等待生成完成后再印发")
    missing = {k: f"请先填写{label}" for k, label in REQUIRED_SECTIONS if not getattr(bulletin, k)}
    if missing:
        raise ValidationError(missing)
    # One issuer at a time: the unit row is the lock that keeps serials without gaps.
    Unit.objects.select_for_update().filter(pk=bulletin.issuer_unit_id).first()
    now = timezone.now()
    year = timezone.localtime(now).year
    last = Bulletin.objects.filter(issuer_unit=bulletin.issuer_unit, number_year=year).aggregate(
        m=Max("serial")
    )["m"]
    bulletin.serial = (last or 0) + 1
    bulletin.number_year = year
    bulletin.doc_number = document_number(bulletin.doc_prefix, year, bulletin.serial)
    bulletin.status = Bulletin.Status.ISSUED
    bulletin.issued_at = now
    bulletin.issued_by = actor
    fields = ["serial", "number_year", "doc_number", "status", "issued_at", "issued_by"]
    try:
        with transaction.atomic():
            save_versioned(bulletin, expected_version=expected_version, fields=fields)
    except IntegrityError:
        raise ValidationError("发文字号冲突，请重试") from None
    BulletinVersion.objects.create(
        bulletin=bulletin,
        number=1,
        created_by=actor,
        title=bulletin.title,
        addressee=bulletin.addressee,
        cc=bulletin.cc,
        **bulletin.texts(),
    )
    group_ids = list(subtree_groups(bulletin.issuer_unit).values_list("pk", flat=True))
    BulletinRecipient.objects.bulk_create(
        [BulletinRecipient(bulletin=bulletin, group_id=g) for g in group_ids], batch_size=1000
    )
    link = reverse("bulletins:detail", args=[bulletin.pk])
    message = (
        f"学情通报：{bulletin.issuer_unit.name}印发《{bulletin.title}》"
        f"（{bulletin.doc_number}），请查阅并签收"
    )
    notes = [
        Notification(
            user_id=uid,
            key=f"bulletin:{bulletin.pk}",
            kind="bulletin",
            message=message[:300],
            link=link,
        )
        for uids in _secretary_users(group_ids, timezone.localdate()).values()
        for uid in dict.fromkeys(uids)
    ]
    Notification.objects.bulk_create(notes, ignore_conflicts=True, batch_size=1000)
    audit_record(
        actor=actor,
        action="issue",
        obj=bulletin,
        detail={
            "doc_number": bulletin.doc_number,
            "recipients": len(group_ids),
            "notified": len(notes),
        },
    )
    return bulletin


REQUIRED_SECTIONS = [
    ("overview", "一、总体情况"),
    ("problems", "三、存在问题"),
    ("requirements", "四、工作要求"),
]


@transaction.atomic
def bulletin_acknowledge(*, actor, bulletin: Bulletin, group: StudyGroup) -> BulletinRecipient:
    """The group's secretary or leader acknowledges receipt (once)."""
    _deny_unless(
        group.pk in access.principal_of(actor).staff_group_ids(),
        "只有本中心组的学习秘书或组长可以签收",
    )
    if not bulletin.is_issued:
        raise ValidationError("通报尚未印发")
    recipient = (
        BulletinRecipient.objects.select_for_update().filter(bulletin=bulletin, group=group).first()
    )
    if recipient is None:
        raise ValidationError({"group": "该通报不是发给本中心组的"})
    if recipient.acknowledged_at:
        raise ValidationError("本中心组已签收该通报")
    recipient.acknowledged_at = timezone.now()
    recipient.acknowledged_by = actor
    recipient.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit_record(actor=actor, action="acknowledge", obj=bulletin, detail={"group": group.pk})
    return recipient
