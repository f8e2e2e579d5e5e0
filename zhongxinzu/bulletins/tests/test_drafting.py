import pytest
from django.db import connection

from zhongxinzu.bulletins import drafting
from zhongxinzu.bulletins.tests.helpers import span, study_year
from zhongxinzu.stats.selectors import subtree_statistics

pytestmark = pytest.mark.django_db


def _sql_count(sql: str, params) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def test_overview_quotes_the_statistics_totals_which_equal_a_sql_recount(world):
    study_year(world)
    root = world.units["own"]
    facts = drafting.gather(root, span())
    text = drafting.compose(facts)["overview"]
    total = subtree_statistics(root, span()).total
    start, end = span().bounds()
    sessions = _sql_count(
        "SELECT COUNT(*) FROM meetings_studysession s JOIN org_studygroup g ON g.id = s.group_id "
        "JOIN org_unit u ON u.id = g.unit_id WHERE u.path LIKE %s AND g.is_active "
        "AND s.status IN ('held', 'recorded') AND s.starts_at >= %s AND s.starts_at < %s",
        [root.path + "%", start, end],
    )
    discussions = _sql_count(
        "SELECT COUNT(*) FROM meetings_studysession s JOIN org_studygroup g ON g.id = s.group_id "
        "JOIN org_unit u ON u.id = g.unit_id WHERE u.path LIKE %s AND g.is_active "
        "AND s.status IN ('held', 'recorded') AND s.kind IN ('discussion', 'topical') "
        "AND s.starts_at >= %s AND s.starts_at < %s",
        [root.path + "%", start, end],
    )
    assert sessions == total.value("sessions") == 20
    assert discussions == total.value("discussions") == 9
    assert f"4个党委（党组）理论学习中心组共开展集体学习{sessions}次" in text
    assert f"组织集中学习研讨交流{discussions}场次" in text
    assert f"出勤率{drafting.number_text(total.value('attendance_rate'))}%" in text


def test_problems_name_no_unit_in_the_text_but_list_them_in_the_table(world):
    busy, idle = study_year(world)
    facts = drafting.gather(world.units["own"], span())
    composed = drafting.compose(facts)
    text = composed["problems"]
    assert "组织集体学习次数偏少，达不到每年不少于12次的规定要求" in text
    assert idle.unit.name not in text
    table = {row["unit"]: row["problems"] for row in composed["problem_rows"]}
    assert "集体学习次数未达到规定要求" in table[idle.unit.name]
    assert busy.unit.name not in table or "集体学习次数未达到规定要求" not in table[busy.unit.name]
    # 3 of 4 groups fall short of 12 sessions: "不少单位"; the appendix is named.
    assert "不少单位组织集体学习次数偏少" in text
    assert "附件1" in text


def test_standouts_name_the_units_by_rule(world):
    busy, _ = study_year(world)
    text = drafting.compose(drafting.gather(world.units["own"], span()))["overview"]
    assert "1个中心组全年开展集体学习达到12次以上" in text
    assert f"{busy.unit.name}中心组严格学习考勤制度，集体学习出勤率达到100%" in text
    assert f"{busy.unit.name}中心组组长带头领学" in text


def test_quantifier_follows_how_many_units():
    assert drafting.quantifier(1, 100) == "个别单位"
    assert drafting.quantifier(2, 100) == "个别单位"
    assert drafting.quantifier(10, 100) == "少数单位"
    assert drafting.quantifier(40, 100) == "部分单位"
    assert drafting.quantifier(70, 100) == "不少单位"


def test_area_and_prefix_come_from_the_unit(world):
    assert drafting.area_of(world.units["parent"]) == "全市"
    assert drafting.default_prefix(world.units["parent"]) == "市宣通"
