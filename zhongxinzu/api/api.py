"""The JSON API under /api/, described at /api/openapi.json.

Every operation needs a caller (bearer token or browser session) unless it says
`auth=None`; each router reads and writes through the access module and the services,
exactly as the pages do.
"""

import copy
from functools import wraps

from django.http import JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.renderers import JSONRenderer

from zhongxinzu.api import errors
from zhongxinzu.api.auth import bearer_auth, session_auth
from zhongxinzu.api.routers import (
    archive,
    assessments,
    attendance,
    auth,
    bulletins,
    compliance,
    conversions,
    dashboard,
    experts,
    filings,
    first_items,
    groups,
    jobs,
    leave_requests,
    makeups,
    memberships,
    outputs,
    people,
    plans,
    problems,
    prompts,
    rectifications,
    reports,
    rules,
    score_sheets,
    sessions,
    statistics,
    teams,
    units,
    visit_plans,
    visits,
)


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


def _json_405(view):
    """ninja answers a wrong method with a plain English 405; answer in our JSON shape."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        answer = JsonResponse(
            errors.error_body("不支持该请求方法"),
            status=405,
            json_dumps_params={"ensure_ascii": False},
        )
        answer["Allow"] = response.get("Allow", "")
        return answer

    return wrapper


def _signed_in_only(view):
    """The description is for callers with an account (a bearer token or a session), not
    for anyone who can reach the server."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            user = bearer_auth(request) or session_auth(request)
        except AuthenticationError as e:
            user, message = None, str(e.message) if getattr(e, "message", "") else ""
        else:
            message = ""
        if not user:
            return JsonResponse(
                errors.error_body(message or "请先登录或携带访问令牌后查看接口说明"),
                status=401,
                json_dumps_params={"ensure_ascii": False},
            )
        return view(request, *args, **kwargs)

    return wrapper


class Api(NinjaAPI):
    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _json_405(pattern.callback)
        return patterns

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Built once per process and path prefix (building takes 1–3 s); callers get a copy
        they may change."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schema_cache", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return copy.deepcopy(cache[path_prefix])


DESCRIPTION = """中心组学习管理平台的数据接口。

- 认证：先 `POST /api/auth/token` 以用户名和密码换取访问令牌，之后在请求头中携带
  `Authorization: Bearer <令牌>`；已登录网页的浏览器也可直接调用（修改类请求需带 CSRF 令牌）。
- 范围：与网页相同。不在查看范围内的记录返回 404，可查看但无权修改的返回 403。
- 修改：使用 PATCH，只提交要修改的字段，并带上读取时得到的 `version`；版本已过期返回 409。
- 错误：统一为 `{"detail": "中文说明", "field": "出错字段", "errors": [...]}`。
- 列表：`limit`/`offset` 分页，返回 `{"items": [...], "count": 总数}`。
- 时间：返回带时区的 ISO 8601；提交不带时区的时间按北京时间理解。
- 文书：学习计划、年度学习情况汇报（.docx）和考勤登记表（.xlsx）与网页下载的完全相同，
  每次下载记入审计日志。附件和补学材料文件请在网页上传下载。
"""

api = Api(
    title="中心组学习管理平台 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,  # the default docs page loads its scripts from a CDN; we run offline
    docs_decorator=_signed_in_only,
    auth=[bearer_auth, session_auth],
    renderer=Renderer(),
)
errors.install(api)

api.add_router("/auth", auth.router)
api.add_router("/units", units.router)
api.add_router("/groups", groups.router)
api.add_router("/people", people.router)
api.add_router("/memberships", memberships.router)
api.add_router("/prompts", prompts.router)
api.add_router("/first-items", first_items.router)
api.add_router("/plans", plans.router)
api.add_router("/outputs", outputs.router)
api.add_router("/conversions", conversions.router)
api.add_router("/rules", rules.router)
api.add_router("/sessions", sessions.router)
api.add_router("/attendance", attendance.router)
api.add_router("/leave-requests", leave_requests.router)
api.add_router("/makeups", makeups.router)
api.add_router("/compliance", compliance.router)
api.add_router("/groups", reports.router)
api.add_router("/experts", experts.router)
api.add_router("/teams", teams.router)
api.add_router("/visit-plans", visit_plans.router)
api.add_router("/visits", visits.router)
api.add_router("/score-sheets", score_sheets.router)
api.add_router("/problems", problems.router)
api.add_router("/rectifications", rectifications.router)
api.add_router("/assessments", assessments.router)
api.add_router("/jobs", jobs.router)
api.add_router("/statistics", statistics.router)
api.add_router("/filings", filings.router)
api.add_router("/bulletins", bulletins.router)
api.add_router("/archive", archive.router)
api.add_router("/dashboard", dashboard.router)
