import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.outputs import selectors, services
from zhongxinzu.outputs.models import Output
from zhongxinzu.plans.tests.helpers import PDF, make_session, upload
from zhongxinzu.rules.models import Rule
from zhongxinzu.rules.services import rule_value_set


def _submit(world, role="member", **fields):
    data = dict(group=world.groups["own"], kind="reflection", title="学习心得", body="正文")
    data.update(fields)
    return services.output_create(actor=world.users[role], **data)


def _speech(world, days_from_now=2, **fields):
    session = make_session(world.groups["own"], days_from_now=days_from_now, status="planned")
    return _submit(world, kind="speech", title="研讨发言提纲", session=session, **fields)


# --- services --------------------------------------------------------------------------


def test_member_submits_a_reflection_recorded_as_handed_in(world):
    output = _submit(world)
    assert output.author == world.users["member"].person
    assert output.status == Output.Status.SUBMITTED and output.status_label == "已提交"
    assert output.year == timezone.localdate().year
    assert AuditEntry.objects.filter(action="create", object_id=str(output.pk)).exists()


def test_output_needs_a_body_or_a_file_and_a_valid_file(world):
    with pytest.raises(ValidationError) as e:
        _submit(world, title="", body="")
    assert e.value.message_dict == {"title": ["请填写题目"], "body": ["请填写正文或上传文件"]}
    with pytest.raises(ValidationError, match="文件内容与扩展名不符"):
        _submit(world, body="", upload=upload("a.docx", PDF))
    output = _submit(world, body="", upload=upload("调研报告.pdf"))
    assert output.file.name.startswith("outputs/") and output.file.name.endswith(".pdf")
    assert services.output_filename(output) == "学习心得.pdf"
    assert Output.objects.count() == 1


def test_only_members_of_the_group_submit_to_it(world):
    with pytest.raises(PermissionDenied):
        _submit(world, role="supervisor")
    with pytest.raises(PermissionDenied):
        _submit(world, group=world.groups["child"])


def test_speech_draft_is_tied_to_an_upcoming_session_of_the_group(world):
    started = make_session(world.groups["own"], days_from_now=-1, status="held")
    with pytest.raises(ValidationError, match="须在会前提交"):
        _submit(world, kind="speech", session=started)
    other = make_session(world.groups["sibling"], days_from_now=3, status="planned")
    with pytest.raises(ValidationError, match="只能关联本中心组的学习"):
        _submit(world, kind="speech", session=other)
    output = _speech(world)
    assert output.status_label == "待审阅"


def test_leader_approves_or_returns_a_speech_draft(world):
    output = _speech(world)
    with pytest.raises(PermissionDenied):
        services.output_review(actor=world.users["secretary"], output=output, approve=True)
    with pytest.raises(ValidationError, match="请填写修改意见"):
        services.output_review(actor=world.users["leader"], output=output, approve=False)
    services.output_review(
        actor=world.users["leader"], output=output, approve=False, comment="联系本单位实际"
    )
    assert output.status == Output.Status.RETURNED
    # the author revises: back to the leader
    services.output_update(
        actor=world.users["member"],
        output=output,
        kind="speech",
        title="研讨发言提纲（修改稿）",
        body="结合实际",
        session=output.session,
    )
    output.refresh_from_db()
    assert output.status == Output.Status.SUBMITTED
    services.output_review(actor=world.users["leader"], output=output, approve=True)
    assert output.status == Output.Status.APPROVED and output.reviewed_by == world.users["leader"]
    actions = list(
        AuditEntry.objects.filter(object_id=str(output.pk), object_type="outputs.Output")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "return", "update", "approve"]
    with pytest.raises(ValidationError, match="不能修改"):
        services.output_update(
            actor=world.users["member"], output=output, kind="speech", title="再改", body="x"
        )


def test_other_kinds_are_not_reviewed(world):
    output = _submit(world)
    with pytest.raises(ValidationError, match="只有研讨发言材料"):
        services.output_review(actor=world.users["leader"], output=output, approve=True)


def test_only_the_author_edits_or_deletes(world):
    output = _submit(world)
    with pytest.raises(PermissionDenied):
        services.output_update(
            actor=world.users["secretary"], output=output, kind="reflection", title="x", body="y"
        )
    with pytest.raises(PermissionDenied):
        services.output_delete(actor=world.users["leader"], output=output)
    services.output_delete(actor=world.users["member"], output=output)
    assert not Output.objects.exists()


def test_review_state_flags_a_draft_not_approved_before_the_session(world):
    output = _speech(world)
    assert selectors.speech_review_state(output) == "pending"
    later = output.session.starts_at + dt.timedelta(minutes=1)
    assert selectors.speech_review_state(output, now=later) == "late"
    assert selectors.speech_review_state(output, required=False, now=later) is None
    services.output_review(actor=world.users["leader"], output=output, approve=True)
    assert selectors.speech_review_state(output, now=later) == "ok"
    # approved only after the session had started: still late
    output.reviewed_at = later
    assert selectors.speech_review_state(output, now=later) == "late"


def test_speech_drafts_unreviewed_for_reminders(world):
    soon = _speech(world, days_from_now=1)
    _speech(world, days_from_now=10)
    _submit(world)
    due = selectors.speech_drafts_unreviewed(
        [world.groups["own"]], before=timezone.now() + dt.timedelta(days=2)
    )
    assert list(due) == [soon]


# --- scope -----------------------------------------------------------------------------


def test_member_sees_own_outputs_staff_the_group_supervisor_the_subtree(world):
    mine = _submit(world)
    colleague = Output.objects.create(
        group=world.groups["own"],
        author=world.people["own"],
        kind="article",
        title="同事的文章",
        year=2026,
    )
    child = Output.objects.create(
        group=world.groups["child"],
        author=world.people["child"],
        kind="notes",
        title="下级",
        year=2026,
    )
    sibling = Output.objects.create(
        group=world.groups["sibling"],
        author=world.people["sibling"],
        kind="notes",
        title="同级",
        year=2026,
    )
    assert set(selectors.outputs_visible(world.users["member"])) == {mine}
    assert set(selectors.outputs_visible(world.users["secretary"])) == {mine, colleague}
    assert set(selectors.outputs_visible(world.users["supervisor"])) == {mine, colleague, child}
    assert sibling not in set(selectors.outputs_visible(world.users["leader"]))


# --- views -----------------------------------------------------------------------------


def test_member_submits_through_the_form_with_a_file(
    world, as_role, django_capture_on_commit_callbacks
):
    client = as_role("member")
    with django_capture_on_commit_callbacks(execute=True):  # the file is written on commit
        response = client.post(
            reverse("outputs:output_create"),
            {
                "group": world.groups["own"].pk,
                "kind": "reflection",
                "title": "学习全会精神心得体会",
                "body": "",
                "file": upload("心得.pdf"),
            },
        )
    output = Output.objects.get()
    assert response["Location"] == reverse("outputs:output_detail", args=[output.pk])
    download = client.get(reverse("outputs:output_file", args=[output.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_form_errors_are_shown_in_chinese(world, as_role):
    response = as_role("member").post(
        reverse("outputs:output_create"),
        {"group": world.groups["own"].pk, "kind": "article", "title": "空文章", "body": ""},
    )
    assert response.status_code == 422
    assert "请填写正文或上传文件" in response.content.decode()
    assert not Output.objects.exists()


def test_leader_reviews_from_the_detail_page(world, as_role):
    output = _speech(world)
    html = as_role("leader").get(reverse("outputs:output_detail", args=[output.pk])).content
    assert 'id="review-form"' in html.decode() and "待会前审阅" in html.decode()
    response = as_role("leader").post(
        reverse("outputs:output_review", args=[output.pk]),
        {"decision": "return", "comment": "请补充案例", "version": output.version},
        follow=True,
    )
    assert "已退回修改" in response.content.decode()
    output.refresh_from_db()
    assert output.status == "returned" and output.review_comment == "请补充案例"


def test_list_flags_unreviewed_drafts_after_the_session(world, as_role):
    output = _speech(world)
    type(output.session).objects.filter(pk=output.session_id).update(
        starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    html = as_role("leader").get(reverse("outputs:output_list")).content.decode()
    assert "未在会前审阅通过" in html
    rule = Rule.objects.get(key="speech_review_before_session")
    rule_value_set(
        actor=world.users["supervisor"], rule=rule, scope=world.units["own"], year=None, value=False
    )
    html = as_role("leader").get(reverse("outputs:output_list")).content.decode()
    assert "未在会前审阅通过" not in html


def test_leader_filters_drafts_waiting_for_review(world, as_role):
    _speech(world)
    _submit(world, title="心得一篇")
    html = as_role("leader").get(reverse("outputs:output_list"), {"review": "1"}).content.decode()
    assert "研讨发言提纲" in html and "心得一篇" not in html


def test_supervisor_reads_but_cannot_review_or_edit(world, as_role):
    output = _speech(world)
    client = as_role("supervisor")
    html = client.get(reverse("outputs:output_detail", args=[output.pk])).content.decode()
    assert output.title in html and 'id="review-form"' not in html
    response = client.post(
        reverse("outputs:output_review", args=[output.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert client.get(reverse("outputs:output_edit", args=[output.pk])).status_code == 403


def test_author_edits_a_returned_draft_and_it_goes_back_for_review(world, as_role):
    output = _speech(world)
    services.output_review(actor=world.users["leader"], output=output, approve=False, comment="改")
    client = as_role("member")
    page = client.get(reverse("outputs:output_edit", args=[output.pk])).content.decode()
    assert "组长退回意见" in page
    response = client.post(
        reverse("outputs:output_edit", args=[output.pk]),
        {
            "kind": "speech",
            "title": "修改稿",
            "body": "新的正文",
            "session": output.session_id,
            "version": output.version,
        },
    )
    assert response.status_code == 302
    output.refresh_from_db()
    assert output.status == "submitted" and output.title == "修改稿"


def test_output_outside_scope_is_404(world, as_role):
    other = Output.objects.create(
        group=world.groups["sibling"],
        author=world.people["sibling"],
        kind="notes",
        title="同级",
        year=2026,
    )
    for name in ("outputs:output_detail", "outputs:output_file"):
        assert as_role("leader").get(reverse(name, args=[other.pk])).status_code == 404


def test_wrong_method_is_405(world, as_role):
    output = _submit(world)
    client = as_role("member")
    assert client.get(reverse("outputs:output_delete", args=[output.pk])).status_code == 405
    assert client.get(reverse("outputs:output_review", args=[output.pk])).status_code == 405
