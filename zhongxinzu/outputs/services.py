"""Writes for outputs (学习成果) and their conversions (成果转化). Each one checks who is
acting, validates, runs atomically and writes its audit record."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from zhongxinzu.audit.services import audit_record
from zhongxinzu.lib.changes import figures_changed
from zhongxinzu.lib.text import LONG_TEXT_MAX, name_problem
from zhongxinzu.lib.uploads import extension_of, validate_office_upload
from zhongxinzu.lib.versioning import save_versioned
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.outputs.models import Conversion, Output

FILE_TYPES = frozenset({"docx", "xlsx", "pdf", "jpg", "jpeg", "png"})
OUTPUT_FIELDS = [
    "kind",
    "title",
    "body",
    "session_id",
    "year",
    "file",
    "status",
    "submitted_at",
]


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _text(value) -> str:
    return (value or "").strip()


def _is_author(actor, output: Output) -> bool:
    return bool(actor.person_id) and actor.person_id == output.author_id


def _validate(*, group: StudyGroup, kind: str, title: str, body: str, session, has_file: bool):
    errors = {}
    if kind not in Output.Kind.values:
        errors["kind"] = "成果类别不正确"
    if not _text(title):
        errors["title"] = "请填写题目"
    elif len(_text(title)) > 200:
        errors["title"] = "题目不能超过200个字"
    elif problem := name_problem(title):
        errors["title"] = problem
    if not _text(body) and not has_file:
        errors["body"] = "请填写正文或上传文件"
    elif len(body or "") > LONG_TEXT_MAX:
        errors["body"] = (
            f"正文不能超过{LONG_TEXT_MAX}个字（当前{len(body)}个字），较长的材料请上传文件"
        )
    if session is not None and session.group_id != group.pk:
        errors["session"] = "只能关联本中心组的学习"
    if errors:
        raise ValidationError(errors)


def _check_speech_timing(kind: str, session) -> None:
    started = session is not None and session.starts_at <= timezone.now()
    if kind == Output.Kind.SPEECH_DRAFT and started:
        raise ValidationError({"session": "该次学习已开始，研讨发言材料须在会前提交"})


def _read_file(upload) -> bytes:
    try:
        return validate_office_upload(upload, allowed=FILE_TYPES)
    except ValidationError as e:
        raise ValidationError({"file": e.messages}) from None


def _year_of(session) -> int:
    if session is not None:
        return timezone.localtime(session.starts_at).year
    return timezone.localdate().year


@transaction.atomic
def output_create(
    *,
    actor,
    group: StudyGroup,
    kind: str,
    title: str,
    body: str = "",
    session=None,
    upload=None,
) -> Output:
    """A member hands in an output to their group. A speech draft (研讨发言材料) may be tied
    to an upcoming session and then waits for the leader's review; the other kinds are
    simply recorded. `upload`: a Django File (docx, xlsx, pdf, jpg, png) or None."""
    _deny_unless(
        bool(actor.person_id) and group.pk in access.principal_of(actor).group_roles,
        "只有本中心组成员可以提交学习成果",
    )
    _validate(
        group=group, kind=kind, title=title, body=body, session=session, has_file=bool(upload)
    )
    _check_speech_timing(kind, session)
    data = _read_file(upload) if upload else None
    output = Output(
        group=group,
        author_id=actor.person_id,
        session=session,
        kind=kind,
        title=_text(title),
        body=_text(body),
        year=_year_of(session),
        status=Output.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    if data is not None:
        output.file.save(f"f.{extension_of(upload.name)}", ContentFile(data), save=False)
    output.save()
    figures_changed(group.pk)
    audit_record(
        actor=actor,
        action="create",
        obj=output,
        detail={"kind": kind, "group": group.pk, "session": getattr(session, "pk", None)},
    )
    return output


def _require_changeable(output: Output) -> None:
    if output.status == Output.Status.APPROVED:
        raise ValidationError("已审阅通过的发言材料不能修改")
    if output.conversions.exists():
        raise ValidationError("该成果已有转化记录，不能修改或删除")


@transaction.atomic
def output_update(
    *,
    actor,
    output: Output,
    kind: str,
    title: str,
    body: str = "",
    session=None,
    upload=None,
    remove_file: bool = False,
    expected_version: int | None = None,
) -> Output:
    """The author revises an output. A returned speech draft goes back to the leader."""
    _deny_unless(_is_author(actor, output), "只能修改本人的学习成果")
    _require_changeable(output)
    keeps_file = bool(output.file) and not remove_file
    _validate(
        group=output.group,
        kind=kind,
        title=title,
        body=body,
        session=session,
        has_file=bool(upload) or keeps_file,
    )
    if getattr(session, "pk", None) != output.session_id or kind != output.kind:
        _check_speech_timing(kind, session)
    data = _read_file(upload) if upload else None
    old_file = output.file.name if output.file and (data is not None or remove_file) else ""
    resubmitted = output.status == Output.Status.RETURNED
    output.kind, output.title, output.body = kind, _text(title), _text(body)
    output.session = session
    output.year = _year_of(session) if session is not None else output.year
    if data is not None:
        output.file.save(f"f.{extension_of(upload.name)}", ContentFile(data), save=False)
    elif remove_file:
        output.file = ""
    if resubmitted:
        output.status, output.submitted_at = Output.Status.SUBMITTED, timezone.now()
    save_versioned(output, expected_version=expected_version, fields=OUTPUT_FIELDS)
    if old_file:
        storage = output.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    figures_changed(output.group_id)
    audit_record(
        actor=actor,
        action="update",
        obj=output,
        detail={"resubmitted": resubmitted, "file_replaced": bool(old_file)},
    )
    return output


@transaction.atomic
def output_delete(*, actor, output: Output) -> None:
    """The author withdraws an output not yet approved or converted."""
    _deny_unless(_is_author(actor, output), "只能删除本人的学习成果")
    _require_changeable(output)
    stored = output.file.name
    storage = output.file.storage
    figures_changed(output.group_id)
    audit_record(actor=actor, action="delete", obj=output)
    output.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def output_review(
    *,
    actor,
    output: Output,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> Output:
    """The group's leader approves a speech draft or returns it with comments."""
    _deny_unless(
        access.can_lead_group(actor, output.group_id), "只有本中心组的组长（副组长）可以审阅"
    )
    if not output.is_speech:
        raise ValidationError("只有研讨发言材料需要组长审阅")
    if output.status != Output.Status.SUBMITTED:
        raise ValidationError("该发言材料不在待审阅状态")
    if not approve and not _text(comment):
        raise ValidationError({"comment": "退回时请填写修改意见"})
    output.status = Output.Status.APPROVED if approve else Output.Status.RETURNED
    output.reviewed_by, output.reviewed_at = actor, timezone.now()
    output.review_comment = _text(comment)
    save_versioned(
        output,
        expected_version=expected_version,
        fields=["status", "reviewed_by", "reviewed_at", "review_comment"],
    )
    figures_changed(output.group_id)
    audit_record(
        actor=actor,
        action="approve" if approve else "return",
        obj=output,
        detail={"comment": _text(comment)},
    )
    return output


# --- conversions -----------------------------------------------------------------------


@transaction.atomic
def conversion_create(
    *,
    actor,
    output: Output,
    kind: str,
    title: str,
    issued_on: dt.date,
    doc_number: str = "",
    description: str = "",
) -> Conversion:
    """The secretary records what an output turned into: a policy document (title, number,
    date), a work measure or a solved problem."""
    _deny_unless(
        access.can_record_for_group(actor, output.group_id),
        "只有本中心组的学习秘书可以登记成果转化",
    )
    errors = {}
    if output.status in (Output.Status.DRAFT, Output.Status.RETURNED):
        errors["__all__"] = "该成果尚未定稿，不能登记转化"
    if kind not in Conversion.Kind.values:
        errors["kind"] = "转化类型不正确"
    if not _text(title):
        errors["title"] = "请填写名称"
    elif len(_text(title)) > 200:
        errors["title"] = "名称不能超过200个字"
    if kind == Conversion.Kind.POLICY and not _text(doc_number):
        errors["doc_number"] = "制度文件请填写文号"
    if len(_text(doc_number)) > 60:
        errors["doc_number"] = "文号不能超过60个字"
    if not isinstance(issued_on, dt.date):
        errors["issued_on"] = "请填写日期"
    elif issued_on > timezone.localdate():
        errors["issued_on"] = "日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    conversion = Conversion.objects.create(
        output=output,
        kind=kind,
        title=_text(title),
        doc_number=_text(doc_number),
        issued_on=issued_on,
        description=_text(description),
    )
    figures_changed(output.group_id)
    audit_record(
        actor=actor, action="create", obj=conversion, detail={"output": output.pk, "kind": kind}
    )
    return conversion


@transaction.atomic
def conversion_delete(*, actor, conversion: Conversion) -> None:
    _deny_unless(
        access.can_record_for_group(actor, conversion.output.group_id),
        "只有本中心组的学习秘书可以删除成果转化",
    )
    figures_changed(conversion.output.group_id)
    audit_record(actor=actor, action="delete", obj=conversion)
    conversion.delete()


def output_filename(output: Output) -> str:
    """The download name: the title with the stored file's extension."""
    suffix = PurePath(output.file.name).suffix.lower() if output.file else ""
    safe = "".join(c for c in output.title if c not in '\\/:*?"<>|').strip() or "学习成果"
    return f"{safe[:80]}{suffix}"
