import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.plans import selectors, services
from zhongxinzu.plans.models import Prompt, PromptAck, PromptAttachment
from zhongxinzu.plans.tests.helpers import PDF, make_prompt, this_year, upload
from zhongxinzu.rules.models import Rule
from zhongxinzu.rules.services import rule_value_set

# --- services --------------------------------------------------------------------------


def _draft(world, **fields):
    data = dict(
        actor=world.users["supervisor"],
        issuer_unit=world.units["own"],
        year=this_year(),
        quarter=2,
        title="第二季度学习提示",
        themes="学习主题甲\n学习主题乙",
    )
    data.update(fields)
    return services.prompt_create(**data)


def test_supervisor_drafts_and_issues_a_prompt_audited(world):
    prompt = _draft(world, readings="《习近平谈治国理政》第五卷")
    assert prompt.status == Prompt.Status.DRAFT and prompt.issued_at is None
    services.prompt_issue(actor=world.users["supervisor"], prompt=prompt)
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.ISSUED and prompt.issued_at is not None
    actions = set(
        AuditEntry.objects.filter(object_id=str(prompt.pk)).values_list("action", flat=True)
    )
    assert {"create", "issue"} <= actions


def test_prompt_is_issued_only_in_the_name_of_a_supervised_unit(world):
    with pytest.raises(PermissionDenied):
        _draft(world, issuer_unit=world.units["parent"])
    with pytest.raises(PermissionDenied):
        _draft(world, actor=world.users["secretary"])


def test_prompt_validation_gives_chinese_messages_and_changes_nothing(world):
    with pytest.raises(ValidationError) as e:
        _draft(world, quarter=5, title=" ", themes="")
    assert set(e.value.message_dict) == {"quarter", "title", "themes"}
    assert "季度应为1至4" in e.value.message_dict["quarter"]
    assert not Prompt.objects.exists()


def test_issued_prompt_is_read_only(world):
    prompt = make_prompt(world)
    supervisor = world.users["supervisor"]
    with pytest.raises(ValidationError, match="已下发"):
        services.prompt_update(actor=supervisor, prompt=prompt, title="改")
    with pytest.raises(ValidationError):
        services.prompt_issue(actor=supervisor, prompt=prompt)
    with pytest.raises(ValidationError):
        services.prompt_attachment_add(actor=supervisor, prompt=prompt, upload=upload())
    with pytest.raises(ValidationError):
        services.prompt_delete(actor=supervisor, prompt=prompt)


def test_stale_version_is_a_conflict(world):
    prompt = _draft(world)
    services.prompt_update(
        actor=world.users["supervisor"], prompt=prompt, title="新标题", expected_version=1
    )
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.prompt_update(
            actor=world.users["supervisor"], prompt=prompt, title="又改", expected_version=1
        )


def test_attachment_is_checked_and_stored_under_a_random_name(world):
    prompt = _draft(world)
    att = services.prompt_attachment_add(
        actor=world.users["supervisor"], prompt=prompt, upload=upload("学习篇目.pdf")
    )
    assert att.name == "学习篇目.pdf"
    assert att.file.name.startswith("plans/") and "学习篇目" not in att.file.name
    with pytest.raises(ValidationError, match="文件内容与扩展名不符"):
        services.prompt_attachment_add(
            actor=world.users["supervisor"], prompt=prompt, upload=upload("x.pdf", b"MZ\x90")
        )
    with pytest.raises(ValidationError, match="文件类型不正确"):
        services.prompt_attachment_add(
            actor=world.users["supervisor"], prompt=prompt, upload=upload("x.exe", PDF)
        )
    assert PromptAttachment.objects.count() == 1


def test_secretary_acknowledges_once(world):
    prompt = make_prompt(world, "parent")
    group = world.groups["own"]
    ack = services.prompt_acknowledge(actor=world.users["secretary"], prompt=prompt, group=group)
    assert ack.acknowledged_by == world.users["secretary"]
    with pytest.raises(ValidationError, match="已签收"):
        services.prompt_acknowledge(actor=world.users["leader"], prompt=prompt, group=group)
    assert PromptAck.objects.count() == 1
    assert AuditEntry.objects.filter(action="acknowledge", object_id=str(prompt.pk)).exists()


def test_member_and_outsiders_cannot_acknowledge(world):
    prompt = make_prompt(world, "own")
    with pytest.raises(PermissionDenied):
        services.prompt_acknowledge(
            actor=world.users["member"], prompt=prompt, group=world.groups["own"]
        )
    with pytest.raises(PermissionDenied):
        services.prompt_acknowledge(
            actor=world.users["secretary"], prompt=prompt, group=world.groups["child"]
        )


def test_prompt_of_another_branch_cannot_be_acknowledged(world):
    prompt = make_prompt(world, "sibling")
    with pytest.raises(ValidationError, match="不是下发给本中心组"):
        services.prompt_acknowledge(
            actor=world.users["secretary"], prompt=prompt, group=world.groups["own"]
        )


# --- scope -----------------------------------------------------------------------------


def test_groups_see_issued_prompts_from_above_and_supervisors_their_subtree(world):
    above = make_prompt(world, "parent", title="上级提示")
    own = make_prompt(world, "own", title="本级提示")
    child = make_prompt(world, "child", title="下级提示")
    draft = make_prompt(world, "own", status="draft", title="草稿提示")
    sibling = make_prompt(world, "sibling", title="同级提示")
    seen = set(selectors.prompts_visible(world.users["member"]))
    assert seen == {above, own}
    above_draft = make_prompt(world, "parent", status="draft", title="上级草稿")
    seen = set(selectors.prompts_visible(world.users["supervisor"]))
    assert seen == {above, own, child, draft}
    assert sibling not in seen and above_draft not in seen
    assert not selectors.prompts_visible(world.users["observer"]).exists()


# --- views -----------------------------------------------------------------------------


def test_supervisor_creates_uploads_and_issues_through_the_pages(
    world, as_role, django_capture_on_commit_callbacks
):
    client = as_role("supervisor")
    response = client.post(
        reverse("plans:prompt_create"),
        {
            "issuer_unit": world.units["own"].pk,
            "year": this_year(),
            "quarter": 3,
            "title": "第三季度学习提示",
            "themes": "主题一\n主题二",
        },
    )
    prompt = Prompt.objects.get()
    assert response["Location"] == reverse("plans:prompt_detail", args=[prompt.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the file is written on commit
        client.post(reverse("plans:attachment_add", args=[prompt.pk]), {"file": upload()})
    att = prompt.attachments.get()
    response = client.get(reverse("plans:attachment_download", args=[att.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    client.post(reverse("plans:prompt_issue", args=[prompt.pk]), {"version": prompt.version})
    prompt.refresh_from_db()
    assert prompt.status == "issued"
    # issued: the edit page sends back with a message instead of a form
    response = client.get(reverse("plans:prompt_edit", args=[prompt.pk]), follow=True)
    assert "不能再修改" in response.content.decode()


def test_prompt_form_shows_errors_and_saves_nothing(world, as_role):
    response = as_role("supervisor").post(
        reverse("plans:prompt_create"),
        {"issuer_unit": world.units["own"].pk, "year": this_year(), "quarter": 1, "title": ""},
    )
    assert response.status_code == 200
    assert "请填写此项" in response.content.decode()
    assert not Prompt.objects.exists()


def test_secretary_acknowledges_from_the_detail_page(world, as_role):
    prompt = make_prompt(world, "parent")
    client = as_role("secretary")
    html = client.get(reverse("plans:prompt_detail", args=[prompt.pk])).content.decode()
    assert "签收</button>" in html
    response = client.post(reverse("plans:prompt_ack", args=[prompt.pk]), follow=True)
    assert "已签收该学习提示" in response.content.decode()
    assert PromptAck.objects.filter(prompt=prompt, group=world.groups["own"]).exists()
    html = client.get(reverse("plans:prompt_detail", args=[prompt.pk])).content.decode()
    assert "签收</button>" not in html and 'id="acked"' in html


def test_member_sees_prompt_but_no_ack_button(world, as_role):
    prompt = make_prompt(world, "parent")
    html = as_role("member").get(reverse("plans:prompt_detail", args=[prompt.pk])).content.decode()
    assert prompt.title in html and "签收</button>" not in html
    assert as_role("member").post(reverse("plans:prompt_ack", args=[prompt.pk])).status_code == 403


def test_prompt_list_marks_overdue_acknowledgement(world, as_role):
    make_prompt(world, "parent", title="早已下发", issued_days_ago=30)
    make_prompt(world, "parent", title="刚刚下发", issued_days_ago=0)
    html = as_role("secretary").get(reverse("plans:prompt_list")).content.decode()
    assert html.count("逾期未签收") == 1 and "未签收" in html


def test_supervisor_tracks_acknowledgements_with_counts_and_overdue(world, as_role):
    prompt = make_prompt(world, "own", issued_days_ago=10)
    PromptAck.objects.create(
        prompt=prompt, group=world.groups["own"], acknowledged_by=world.users["secretary"]
    )
    html = (
        as_role("supervisor").get(reverse("plans:prompt_detail", args=[prompt.pk])).content.decode()
    )
    assert "共 2 个中心组：已签收 <strong>1</strong> 个，未签收 <strong>1</strong> 个" in html
    table = html[html.index('id="acks"') :]
    assert world.groups["child"].name in table and "逾期未签收" in table
    assert world.groups["sibling"].name not in table
    # the own group acknowledged today, 10 days after issue: later than the rule's 7 days
    assert "逾期签收" in table
    pending = as_role("supervisor").get(
        reverse("plans:prompt_detail", args=[prompt.pk]), {"state": "pending"}
    )
    table = pending.content.decode().split('id="acks"')[1]
    assert world.groups["child"].name in table and world.groups["own"].name not in table


def test_ack_deadline_follows_the_rule_of_the_group(world):
    prompt = make_prompt(world, "own")
    rule = Rule.objects.get(key="prompt_ack_days")
    rule_value_set(
        actor=world.users["supervisor"], rule=rule, scope=world.units["child"], year=None, value=3
    )
    from zhongxinzu.rules.services import rulebooks_for

    units = [world.units["own"], world.units["child"]]
    books = rulebooks_for(units, prompt.year)
    issued = timezone.localtime(prompt.issued_at).date()
    own, child = selectors.prompt_ack_rows(
        prompt, [world.groups["own"], world.groups["child"]], books
    )
    assert own.deadline == issued + dt.timedelta(days=7)
    assert child.deadline == issued + dt.timedelta(days=3)


def test_prompt_ack_status_selector_for_compliance(world):
    prompt = make_prompt(world, "parent")
    services.prompt_acknowledge(
        actor=world.users["leader"], prompt=prompt, group=world.groups["own"]
    )
    status = selectors.prompt_ack_status(
        [world.groups["own"], world.groups["sibling"]], Prompt.objects.all()
    )
    assert set(status) == {(world.groups["own"].pk, prompt.pk)}


def test_draft_prompt_can_be_deleted_with_its_attachments(world, as_role):
    prompt = _draft(world)
    services.prompt_attachment_add(actor=world.users["supervisor"], prompt=prompt, upload=upload())
    response = as_role("supervisor").post(reverse("plans:prompt_delete", args=[prompt.pk]))
    assert response["Location"] == reverse("plans:prompt_list")
    assert not Prompt.objects.exists() and not PromptAttachment.objects.exists()


def test_wrong_method_is_405(world, as_role):
    prompt = make_prompt(world)
    client = as_role("supervisor")
    assert client.get(reverse("plans:prompt_issue", args=[prompt.pk])).status_code == 405
    assert client.get(reverse("plans:prompt_ack", args=[prompt.pk])).status_code == 405
    assert client.delete(reverse("plans:prompt_detail", args=[prompt.pk])).status_code == 405


# --- a supervisor below the issuer -----------------------------------------------------


def _ack(world, prompt, rel):
    return PromptAck.objects.create(
        prompt=prompt, group=world.groups[rel], acknowledged_by=world.users["secretary"]
    )


def test_sub_unit_supervisor_follows_up_a_prompt_from_above_in_its_own_groups(world, as_role):
    prompt = make_prompt(world, "parent", title="上级学习提示", issued_days_ago=2)
    _ack(world, prompt, "own")
    _ack(world, prompt, "sibling")  # another subtree: not the supervisor's to see or count
    client = as_role("supervisor")
    listing = client.get(reverse("plans:prompt_list")).content.decode()
    row = listing[listing.index("上级学习提示") :].split("</tr>")[0]
    assert "1 个中心组" in row
    response = client.get(reverse("plans:prompt_detail", args=[prompt.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "本人督导范围内共 2 个中心组：已签收 <strong>1</strong> 个，未签收 <strong>1</strong> 个"
        in html
    )
    table = html[html.index('id="acks"') :]
    assert world.groups["own"].name in table and world.groups["child"].name in table
    for rel in ("sibling", "parent"):
        assert world.groups[rel].name not in table, rel
    pending = client.get(reverse("plans:prompt_detail", args=[prompt.pk]), {"state": "pending"})
    table = pending.content.decode().split('id="acks"')[1]
    assert world.groups["child"].name in table and world.groups["own"].name not in table


def test_sub_unit_supervisor_cannot_change_a_prompt_from_above(world, as_role):
    prompt = make_prompt(world, "parent", title="上级学习提示")
    attachment = PromptAttachment.objects.create(prompt=prompt, name="材料.pdf", file="x.pdf")
    client = as_role("supervisor")
    html = client.get(reverse("plans:prompt_detail", args=[prompt.pk])).content.decode()
    for name in ("plans:prompt_edit", "plans:prompt_issue", "plans:prompt_delete"):
        assert reverse(name, args=[prompt.pk]) not in html, name
    assert reverse("plans:attachment_delete", args=[attachment.pk]) not in html
    assert "签收</button>" not in html
    refused = [
        client.get(reverse("plans:prompt_edit", args=[prompt.pk])),
        client.post(reverse("plans:prompt_edit", args=[prompt.pk]), {"title": "改"}),
        client.post(reverse("plans:prompt_issue", args=[prompt.pk])),
        client.post(reverse("plans:prompt_delete", args=[prompt.pk])),
        client.post(reverse("plans:prompt_ack", args=[prompt.pk])),
        client.post(reverse("plans:attachment_add", args=[prompt.pk]), {"file": upload()}),
        client.post(reverse("plans:attachment_delete", args=[attachment.pk])),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    prompt.refresh_from_db()
    assert prompt.title == "上级学习提示" and prompt.attachments.count() == 1
    assert not PromptAck.objects.exists()
    with pytest.raises(PermissionDenied):
        services.prompt_delete(actor=world.users["supervisor"], prompt=prompt)
    # a draft above stays out of sight
    draft = make_prompt(world, "parent", status="draft", title="上级草稿")
    assert client.get(reverse("plans:prompt_detail", args=[draft.pk])).status_code == 404
