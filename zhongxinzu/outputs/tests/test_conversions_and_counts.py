import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.outputs import selectors, services
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.tests.helpers import add_groups
from zhongxinzu.plans.tests.test_query_counts import assert_same_count, sql_of

TODAY = timezone.localdate


def _output(group, author, kind="research", year=2026, status="submitted", title="调研报告"):
    return Output.objects.create(
        group=group, author=author, kind=kind, title=title, year=year, status=status
    )


def _convert(world, output, role="secretary", **fields):
    data = dict(
        kind="policy",
        title="关于加强理论学习的实施办法",
        doc_number="教党〔2026〕5号",
        issued_on=TODAY() - dt.timedelta(days=1),
    )
    data.update(fields)
    return services.conversion_create(actor=world.users[role], output=output, **data)


# --- conversions -----------------------------------------------------------------------


def test_secretary_links_an_output_to_a_policy_document(world):
    output = _output(world.groups["own"], world.people["own"])
    conversion = _convert(world, output)
    assert conversion.output == output and conversion.doc_number == "教党〔2026〕5号"
    assert AuditEntry.objects.filter(action="create", object_id=str(conversion.pk)).exists()


def test_conversion_validation(world):
    output = _output(world.groups["own"], world.people["own"])
    with pytest.raises(ValidationError) as e:
        _convert(world, output, doc_number="", title="", issued_on=TODAY() + dt.timedelta(days=1))
    assert set(e.value.message_dict) == {"doc_number", "title", "issued_on"}
    # a measure or a solved problem needs no document number
    assert _convert(world, output, kind="measure", doc_number="").kind == "measure"
    returned = _output(world.groups["own"], world.people["own"], status="returned")
    with pytest.raises(ValidationError, match="尚未定稿"):
        _convert(world, returned)


def test_only_the_secretary_records_conversions(world):
    output = _output(world.groups["own"], world.people["own"])
    for role in ("leader", "member", "supervisor"):
        with pytest.raises(PermissionDenied):
            _convert(world, output, role=role)


def test_converted_output_is_locked_for_its_author(world):
    output = services.output_create(
        actor=world.users["member"],
        group=world.groups["own"],
        kind="proposal",
        title="意见建议",
        body="建议",
    )
    _convert(world, output, kind="solved", doc_number="")
    with pytest.raises(ValidationError, match="已有转化记录"):
        services.output_delete(actor=world.users["member"], output=output)


def test_conversion_pages(world, as_role):
    output = _output(world.groups["own"], world.people["own"])
    client = as_role("secretary")
    response = client.post(
        reverse("outputs:conversion_create", args=[output.pk]),
        {"kind": "policy", "title": "实施办法", "doc_number": "", "issued_on": TODAY().isoformat()},
    )
    assert response.status_code == 200 and "制度文件请填写文号" in response.content.decode()
    client.post(
        reverse("outputs:conversion_create", args=[output.pk]),
        {"kind": "measure", "title": "建立调研清单", "issued_on": TODAY().isoformat()},
    )
    conversion = Conversion.objects.get()
    html = client.get(reverse("outputs:conversion_list")).content.decode()
    assert "建立调研清单" in html
    assert (
        "建立调研清单"
        not in as_role("member").get(reverse("outputs:conversion_list")).content.decode()
    )
    client.post(reverse("outputs:conversion_delete", args=[conversion.pk]))
    assert not Conversion.objects.exists()


# --- counts ----------------------------------------------------------------------------


def test_output_counts_per_group_by_kind_excluding_drafts_and_other_years(world):
    own, child = world.groups["own"], world.groups["child"]
    p = world.people
    _output(own, p["own"], "research")
    _output(own, p["own"], "article")
    _output(own, p["own"], "reflection")
    _output(own, p["own"], "article", status="draft")
    _output(own, p["own"], "article", year=2025)
    _output(child, p["child"], "notes")
    counts = selectors.output_counts(StudyGroup.objects.all(), 2026)
    assert counts[own.pk]["research"] == 1 and counts[own.pk]["article"] == 1
    assert counts[own.pk]["total"] == 3 and counts[own.pk]["written"] == 2
    assert counts[child.pk] == {**selectors.empty_output_counts(), "notes": 1, "total": 1}
    assert counts[world.groups["sibling"].pk]["total"] == 0  # no outputs: zeros


def test_member_output_counts(world):
    own = world.groups["own"]
    member = world.users["member"].person
    _output(own, member, "research")
    _output(own, member, "speech")
    _output(own, world.people["own"], "article")
    counts = selectors.member_output_counts(own, 2026)
    assert counts[member.pk]["total"] == 2 and counts[member.pk]["written"] == 1
    assert counts[world.people["own"].pk]["written"] == 1
    assert counts[world.users["leader"].person_id]["total"] == 0


def test_conversion_counts_by_year_of_the_result(world):
    output = _output(world.groups["own"], world.people["own"])
    Conversion.objects.create(
        output=output, kind="policy", title="a", issued_on=dt.date(2026, 3, 1)
    )
    Conversion.objects.create(
        output=output, kind="measure", title="b", issued_on=dt.date(2026, 5, 1)
    )
    Conversion.objects.create(
        output=output, kind="measure", title="c", issued_on=dt.date(2025, 5, 1)
    )
    counts = selectors.conversion_counts([world.groups["own"].pk], 2026)
    assert counts[world.groups["own"].pk] == {"policy": 1, "measure": 1, "solved": 0, "total": 2}


def test_counts_are_one_query_for_any_number_of_groups(world):
    groups = add_groups(world.units["own"], 6)
    for g in groups:
        _output(g, g.memberships.first().person)
    for fn in (selectors.output_counts, selectors.conversion_counts):
        with CaptureQueriesContext(connection) as ctx:
            fn(StudyGroup.objects.filter(unit__path__startswith=world.units["own"].path), 2026)
        assert len(ctx.captured_queries) == 1


def test_stats_page_per_member_flags_the_written_output_rule(world, as_role):
    member = world.users["member"].person
    _output(world.groups["own"], member, "article", year=2026)
    html = (
        as_role("secretary").get(reverse("outputs:output_stats"), {"year": 2026}).content.decode()
    )
    table = html[html.index('id="member-stats"') :]
    assert "member人" in table and "leader人" in table
    # the leader and the other member; not the member with an article, nor the secretary
    assert table.count("未达要求") == 2


def test_stats_page_per_group_for_supervisors(world, as_role):
    _output(world.groups["child"], world.people["child"], "research", year=2026)
    html = (
        as_role("supervisor").get(reverse("outputs:output_stats"), {"year": 2026}).content.decode()
    )
    table = html[html.index('id="group-stats"') :]
    assert world.groups["child"].name in table and world.groups["sibling"].name not in table
    # drilling into one group of the subtree
    response = as_role("supervisor").get(
        reverse("outputs:output_stats"), {"year": 2026, "group": world.groups["child"].pk}
    )
    assert 'id="member-stats"' in response.content.decode()


def test_output_list_and_stats_query_counts_do_not_grow(world, as_role):
    member = world.users["member"].person
    first = _output(world.groups["own"], member, "article")
    Conversion.objects.create(
        output=first, kind="measure", title="x", issued_on=dt.date(2026, 1, 1)
    )
    supervisor, secretary = as_role("supervisor"), as_role("secretary")
    urls = [
        (supervisor, reverse("outputs:output_list")),
        (secretary, reverse("outputs:output_list")),
        (supervisor, reverse("outputs:output_stats") + "?year=2026"),
        (supervisor, reverse("outputs:conversion_list")),
    ]
    small = [sql_of(client, url) for client, url in urls]
    for g in add_groups(world.units["own"], 10) + add_groups(world.units["child"], 10):
        out = _output(g, g.memberships.first().person, "speech")
        Conversion.objects.create(
            output=out, kind="measure", title="x", issued_on=dt.date(2026, 1, 1)
        )
    for i in range(10):
        _output(world.groups["own"], member, "notes", title=f"笔记{i}")
    for (client, url), before in zip(urls, small, strict=True):
        assert_same_count(before, sql_of(client, url))
