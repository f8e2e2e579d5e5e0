import io

import docx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.bulletins import services
from zhongxinzu.bulletins.models import Bulletin, BulletinRecipient, BulletinVersion
from zhongxinzu.bulletins.tests.helpers import YEAR, span, study_year
from zhongxinzu.compliance.models import Notification
from zhongxinzu.jobs.testing import run_worker
from zhongxinzu.stats.periods import quarter_span
from zhongxinzu.stats.selectors import subtree_statistics

pytestmark = pytest.mark.django_db


def _drafted(world, unit=None, s=None):
    unit = unit or world.units["own"]
    b = services.bulletin_create(
        actor=world.users["supervisor"], issuer_unit=unit, span=s or span()
    )
    return services.bulletin_draft(actor=world.users["supervisor"], bulletin=b)


def _issued(world, **kw):
    b = _drafted(world, **kw)
    return services.bulletin_issue(
        actor=world.users["supervisor"], bulletin=b, expected_version=b.version
    )


def test_supervisor_drafts_through_the_job_and_the_page_shows_the_figures(
    world, client, django_capture_on_commit_callbacks
):
    study_year(world)
    world.login(client, "supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("bulletins:create"),
            {"issuer_unit": world.units["own"].pk, "period": "year", "year": YEAR, "n": 0},
        )
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    bulletin = Bulletin.objects.get()
    assert bulletin.title == f"关于{YEAR}年度党委（党组）理论学习中心组学习情况的通报"
    assert not bulletin.drafted_at
    run_worker()
    bulletin.refresh_from_db()
    assert bulletin.drafted_at and "共开展集体学习20次" in bulletin.overview
    page = client.get(reverse("bulletins:detail", args=[bulletin.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "通报引用的统计数据" in body and "存在问题的单位" in body
    records = reverse("stats:records")
    link = f"{records}?unit={world.units['own'].pk}&amp;figure=sessions&amp;period=year"
    assert link in body  # each figure links to the records it counts


def test_numbering_runs_without_gaps_per_issuer_and_year(world):
    first = _issued(world)
    second = _issued(world, s=quarter_span(YEAR, 1))
    other = _issued(world, unit=world.units["child"])
    draft = _drafted(world, s=quarter_span(YEAR, 2))
    assert (first.serial, second.serial, other.serial) == (1, 2, 1)
    assert first.doc_number.endswith(f"〔{first.number_year}〕1号")
    assert second.doc_number.endswith(f"〔{second.number_year}〕2号")
    assert draft.serial is None and draft.doc_number == ""
    with pytest.raises(ValidationError):
        services.bulletin_issue(
            actor=world.users["supervisor"], bulletin=first, expected_version=first.version
        )


def test_issued_text_is_locked_and_a_change_is_a_new_audited_version(world, client):
    b = _issued(world)
    issued_overview = b.overview
    with pytest.raises(ValidationError) as e:
        services.bulletin_update(
            actor=world.users["supervisor"],
            bulletin=b,
            expected_version=b.version,
            overview="改后的总体情况",
        )
    assert "修改说明" in str(e.value)
    world.login(client, "supervisor")
    response = client.post(
        reverse("bulletins:section", args=[b.pk, "overview"]),
        {"text": "改后的总体情况", "reason": "更正数字", "version": b.version},
    )
    assert response.status_code == 302
    versions = list(BulletinVersion.objects.filter(bulletin=b).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].overview == issued_overview
    assert versions[1].overview == "改后的总体情况" and versions[1].reason == "更正数字"
    b.refresh_from_db()
    assert b.overview == issued_overview  # the issued row is not edited
    assert AuditEntry.objects.filter(action="revise", object_id=str(b.pk)).exists()
    page = client.get(reverse("bulletins:detail", args=[b.pk])).content.decode()
    assert "改后的总体情况" in page and "第2版" in page


def test_recipients_are_the_subtree_and_secretaries_are_notified(world):
    b = _issued(world)
    groups = set(BulletinRecipient.objects.filter(bulletin=b).values_list("group_id", flat=True))
    assert groups == {world.groups["own"].pk, world.groups["child"].pk}
    assert world.groups["sibling"].pk not in groups
    note = Notification.objects.get(user=world.users["secretary"], kind="bulletin")
    assert note.link == reverse("bulletins:detail", args=[b.pk])


def test_sibling_supervisor_gets_404_and_outside_groups_do_not_receive_it(world, client):
    from zhongxinzu.accounts.models import Role, RoleGrant, User

    b = _issued(world)
    from django.utils import timezone

    other = User.objects.create_user("sib", password="x", password_changed_at=timezone.now())
    RoleGrant.objects.create(user=other, role=Role.SUPERVISOR, unit=world.units["sibling"])
    world.users["sib"] = other
    world.login(client, "sib")
    assert client.get(reverse("bulletins:detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("bulletins:download", args=[b.pk])).status_code == 404
    assert b.title not in client.get(reverse("bulletins:list")).content.decode()


def test_secretary_acknowledges_once_and_counts_follow(world, client):
    b = _issued(world)
    world.login(client, "secretary")
    url = reverse("bulletins:detail", args=[b.pk])
    assert "签收" in client.get(url).content.decode()
    assert client.post(reverse("bulletins:acknowledge", args=[b.pk])).status_code == 302
    r = BulletinRecipient.objects.get(bulletin=b, group=world.groups["own"])
    assert r.acknowledged_at and r.acknowledged_by == world.users["secretary"]
    with pytest.raises(ValidationError):
        services.bulletin_acknowledge(
            actor=world.users["secretary"], bulletin=b, group=world.groups["own"]
        )
    world.login(client, "supervisor")
    page = client.get(url).content.decode()
    assert "共发送 2 个中心组：已签收 <strong>1</strong> 个，未签收 <strong>1</strong> 个" in page
    world.login(client, "member")
    assert client.post(reverse("bulletins:acknowledge", args=[b.pk])).status_code == 403


def test_docx_has_the_number_the_sections_and_one_appendix_row_per_unit(world, client):
    study_year(world)
    b = _issued(world)
    world.login(client, "supervisor")
    response = client.get(reverse("bulletins:download", args=[b.pk]))
    assert response.status_code == 200
    d = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in d.paragraphs]
    assert b.doc_number in texts
    for heading in ("一、总体情况", "二、经验做法", "三、存在问题", "四、工作要求"):
        assert heading in texts
    assert any(t.endswith("：") and "单位党委（党组）" in t for t in texts)
    stats = subtree_statistics(world.units["own"], span())
    problem_table, sessions_table = d.tables[0], d.tables[1]
    assert problem_table.rows[0].cells[2].text == "存在问题"
    units = [row.cells[0].text for row in sessions_table.rows[1:-1]]
    assert units == [r.label for r in stats.rows]
    assert sessions_table.rows[-1].cells[0].text == "合计"
    assert sessions_table.rows[-1].cells[1].text == str(stats.total.value("sessions"))
    for row, stat in zip(sessions_table.rows[1:-1], stats.rows, strict=True):
        assert row.cells[1].text == str(stat.value("sessions"))
    assert f"共开展集体学习{stats.total.value('sessions')}次" in "".join(texts)


def test_practices_come_from_the_chosen_highlights(world):
    from zhongxinzu.supervision.models import ObservationVisit

    busy, _ = study_year(world)
    ObservationVisit.objects.create(
        group=busy,
        planned_on=span().start.replace(month=6),
        summary_highlights="坚持“一学一报”，研讨分题到人。",
    )
    b = _drafted(world)
    assert b.highlights and b.highlights[0]["unit"] == busy.unit.name
    b = services.bulletin_choose_practices(
        actor=world.users["supervisor"],
        bulletin=b,
        keys=[b.highlights[0]["key"]],
        expected_version=b.version,
    )
    assert b.practices == f"（一）{busy.unit.name}。坚持“一学一报”，研讨分题到人。"


def test_requirements_carry_over_from_the_previous_bulletin(world):
    first = _drafted(world)
    services.bulletin_update(
        actor=world.users["supervisor"],
        bulletin=first,
        expected_version=first.version,
        requirements="（一）上期要求。",
    )
    second = services.bulletin_create(
        actor=world.users["supervisor"], issuer_unit=world.units["own"], span=quarter_span(YEAR, 3)
    )
    assert second.requirements == "（一）上期要求。"
