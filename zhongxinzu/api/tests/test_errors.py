"""Every error is JSON with a Chinese message and, where there is one, the field."""


def test_empty_body(world, api):
    response = api("supervisor").post("/api/units")
    assert response.status_code == 422
    assert response.json()["detail"] == "请求内容不能为空，应为JSON对象"


def test_body_that_is_not_json(world, api):
    client = api("supervisor")
    response = client.client.post(
        "/api/units", "{oops", content_type="application/json", headers=client.headers
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "请求内容不是有效的JSON"


def test_body_that_is_not_an_object(world, api):
    response = api("supervisor").post("/api/units", [1, 2])
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "应为JSON对象"


def test_nul_characters_are_refused(world, api):
    path = f"/api/groups/{world.groups['own'].pk}"
    response = api("secretary").patch(path, {"version": 1, "name": "中心组\x00"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "包含不允许的字符"}]


def test_out_of_range_ids_are_a_422_not_a_crash(world, api):
    client = api("supervisor")
    assert client.get(f"/api/units/{2**70}").status_code == 422
    assert client.get("/api/units/0").status_code == 422
    response = client.patch(f"/api/units/{world.units['own'].pk}", {"version": 2**40})
    assert (response.status_code, response.json()["field"]) == (422, "version")


def test_oversized_body_gets_413(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api("supervisor").post("/api/units", {"name": "长" * 200})
    assert response.status_code == 413
    assert response.json()["detail"] == "请求内容过大"


def test_responses_are_utf8_json(world, api):
    response = api("supervisor").get("/api/units")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "市教育局党委".encode() in response.content
