from zhongxinzu.api.tests.helpers import ids
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.rules.models import Rule, RuleValue


def rule_of(book, key):
    return next(r for r in book["rules"] if r["key"] == key)


def test_supervisor_reads_the_rules_in_force(world, api):
    response = api("supervisor").get("/api/rules", {"year": 2026})
    assert response.status_code == 200, response.content
    book = response.json()
    assert (book["unit_id"], book["year"]) == (world.units["own"].pk, 2026)
    sessions = rule_of(book, "sessions_per_year")
    assert (sessions["value"], sessions["value_text"], sessions["value_source"]) == (
        12,
        "12 次",
        "全国/通用默认",
    )
    assert rule_of(book, "leave_before_session")["value_text"] == "是"
    assert len(book["rules"]) == Rule.objects.count()


def test_override_for_a_subtree_and_a_year(world, api):
    client = api("supervisor")
    child = world.units["child"].pk
    body = {"rule": "sessions_per_year", "unit": child, "value": 10, "note": "试点"}
    created = client.post("/api/rules/overrides", body)
    assert created.status_code == 201, created.content
    general = created.json()
    assert (general["unit_id"], general["year"], general["value"]) == (child, None, 10)
    yearly = client.post("/api/rules/overrides", {**body, "year": 2026, "value": "8"})
    assert yearly.status_code == 201
    book = client.get("/api/rules", {"unit": child, "year": 2026}).json()
    row = rule_of(book, "sessions_per_year")
    assert (row["value"], row["value_source"]) == (8, "市第一中学党委（2026年）")
    assert (row["override_id"], row["year_override_id"]) == (general["id"], yearly.json()["id"])
    assert (
        rule_of(
            client.get("/api/rules", {"unit": child, "year": 2027}).json(), "sessions_per_year"
        )["value"]
        == 10
    )
    replaced = client.post("/api/rules/overrides", {**body, "value": 11})
    assert (replaced.status_code, replaced.json()["id"]) == (200, general["id"])
    entries = AuditEntry.objects.filter(action="rule_change", username="supervisor")
    assert entries.count() == 3
    assert entries.order_by("-id").first().detail["old"] == 10
    assert ids(client.get("/api/rules/overrides", {"year": 2026})) == {yearly.json()["id"]}
    assert client.delete(f"/api/rules/overrides/{yearly.json()['id']}").status_code == 204
    book = client.get("/api/rules", {"unit": child, "year": 2026}).json()
    assert rule_of(book, "sessions_per_year")["value"] == 11


def test_override_validation(world, api):
    client = api("supervisor")
    own = world.units["own"].pk
    bad = client.post(
        "/api/rules/overrides", {"rule": "attendance_rate", "unit": own, "value": 120}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"field": "value", "message": "“每次及全年出勤率（不低于）”应在0到100之间"}
    ]
    flag = client.post(
        "/api/rules/overrides", {"rule": "leave_before_session", "unit": own, "value": False}
    )
    assert (flag.status_code, flag.json()["value_text"]) == (201, "否")
    unknown = client.post("/api/rules/overrides", {"rule": "nope", "unit": own, "value": 1})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "rule")
    outside = client.post(
        "/api/rules/overrides",
        {"rule": "sessions_per_year", "unit": world.units["parent"].pk, "value": 1},
    )
    assert (outside.status_code, outside.json()["field"]) == (400, "unit")
    assert RuleValue.objects.filter(scope__isnull=False).count() == 1  # the flag only


def test_rules_are_for_supervisors(world, api):
    RuleValue.objects.create(
        rule=Rule.objects.get(key="makeup_days"), scope=world.units["own"], value=20
    )
    for role in ("secretary", "leader", "member", "observer"):
        assert api(role).get("/api/rules").status_code == 403, role
        assert api(role).get("/api/rules/overrides").json() == {"items": [], "count": 0}
    assert (
        api("supervisor").get("/api/rules", {"unit": world.units["sibling"].pk}).status_code == 404
    )
    body = {"rule": "makeup_days", "unit": world.units["own"].pk, "value": 10}
    assert api("secretary").post("/api/rules/overrides", body).status_code == 403
