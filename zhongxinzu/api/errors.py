"""Every error the API returns is JSON in one shape, with a Chinese message:

{"detail": "中文消息", "field": "<first offending field or null>",
 "errors": [{"field": ..., "message": ...}, ...]}
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from zhongxinzu.lib.versioning import ConflictError

LOGIN_REQUIRED = "请先登录，或在请求头 Authorization 中提供有效的访问令牌（Bearer）"
NOT_FOUND = "未找到或无权查看"
FORBIDDEN = "无权执行此操作"

# ninja's own English messages.
_NINJA_MESSAGES = {
    "Cannot parse request body": "请求内容不是有效的JSON",
    "Unauthorized": LOGIN_REQUIRED,
    "Forbidden": FORBIDDEN,
}

# pydantic error type -> Chinese message (format fields come from the error's ctx).
_PYDANTIC_MESSAGES = {
    "missing": "请填写此项",
    "extra_forbidden": "不允许提交该字段",
    "string_type": "应为文本",
    "string_too_long": "不能超过{max_length}个字",
    "string_too_short": "至少{min_length}个字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "greater_than_equal": "不能小于{ge}",
    "greater_than": "应大于{gt}",
    "less_than_equal": "不能大于{le}",
    "less_than": "应小于{lt}",
    "literal_error": "取值不正确，可选：{expected}",
    "enum": "取值不正确，可选：{expected}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期不能带时间",
    "model_type": "应为JSON对象",
    "model_attributes_type": "应为JSON对象",
    "dict_type": "应为JSON对象",
    "json_invalid": "请求内容不是有效的JSON",
}


# Request field -> the label a user reads in the message.
FIELD_LABELS = {
    "name": "名称",
    "code": "单位编码",
    "kind": "类型",
    "order": "排序",
    "parent": "上级单位",
    "is_active": "启用状态",
    "active": "启用状态",
    "unit": "单位",
    "group": "中心组",
    "person": "人员",
    "role": "组内角色",
    "start_date": "起始日期",
    "end_date": "结束日期",
    "note": "备注",
    "gender": "性别",
    "post": "职务",
    "post_category": "职务类别",
    "rank_order": "排序号",
    "phone": "手机号",
    "version": "版本号",
    "limit": "每页条数",
    "offset": "起始位置",
    "q": "关键词",
    "on": "日期",
    "username": "用户名",
    "password": "密码",
    "otp_token": "动态口令",
    # the study cycle
    "year": "年度",
    "quarter": "季度",
    "month": "月份",
    "title": "标题",
    "status": "状态",
    "state": "状态",
    "issuer_unit": "下发单位",
    "themes": "学习主题",
    "discussion_focus": "研讨重点",
    "readings": "学习篇目",
    "expected_outputs": "成果要求",
    "owner_unit": "所属单位",
    "released_on": "发布日期",
    "source": "出处",
    "summary": "要点",
    "restricted": "限定范围学习",
    "guidance": "指导思想与总体要求",
    "from_prompts": "按学习提示生成专题",
    "comment": "意见",
    "reason": "原因",
    "form": "学习形式",
    "lead": "领学/主讲人",
    "content": "学习内容",
    "author": "作者",
    "session": "集体学习",
    "body": "正文",
    "mine": "只看本人",
    "review": "只看待审阅",
    "decision": "处理结果",
    "output": "学习成果",
    "issued_on": "日期",
    "doc_number": "文号",
    "description": "说明",
    "rule": "规则",
    "value": "取值",
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "place": "地点",
    "topic": "计划专题",
    "chair": "主持人",
    "lead_reader": "领学人",
    "materials": "学习材料",
    "first_item": "第一议题",
    "agenda": "议题",
    "speakers": "发言人",
    "effect": "学习效果",
    "minutes": "会议纪要",
    "rows": "考勤名单",
    "token": "签到令牌",
    "text": "内容",
    "action": "处理结果",
    "check": "规则项",
    "intro": "开头语",
    # supervision
    "period_start": "开始日期",
    "period_end": "结束日期",
    "mode": "旁听方式",
    "expert": "专家",
    "is_leader": "任组长",
    "home_unit": "所在单位",
    "field": "研究领域",
    "employer": "工作单位",
    "availability": "可参加时间",
    "planned_on": "计划日期",
    "team": "旁听组",
    "plan": "旁听计划",
    "checked": "审核项目",
    "comments": "现场点评",
    "notes": "访谈记录",
    "overall": "总体评价",
    "highlights": "特色亮点",
    "stage": "阶段",
    "overdue": "只看逾期",
    "visit": "旁听",
    "entries": "评分项目",
    "remarks": "总体意见",
    "submit": "提交",
    "submitted": "只看已提交",
    "category": "问题类别",
    "found_on": "发现日期",
    "measures": "整改措施",
    "owner": "责任人",
    "department": "责任部门",
    "deadline": "整改时限",
    "bottom_n": "末位数量",
    "grades": "等次",
    "indicators": "指标",
    "indicator": "指标",
    "scores": "人工评分",
    "score": "得分",
    "points": "分值",
    "evidence": "依据",
    "weight": "权重",
    "metric": "计算指标",
    "threshold": "分数线",
    "practices": "主要做法与成效",
    "problems": "存在问题",
    "next_steps": "下步打算",
}


def error_body(detail: str, errors: list[dict] | None = None) -> dict:
    errors = errors or []
    return {"detail": detail, "field": errors[0]["field"] if errors else None, "errors": errors}


def _pydantic_message(error: dict) -> str:
    ctx = error.get("ctx") or {}
    if error["type"] == "value_error" and "error" in ctx:
        return str(ctx["error"])
    template = _PYDANTIC_MESSAGES.get(error["type"], "格式不正确")
    if "expected" in ctx:
        ctx = {
            **ctx,
            "expected": str(ctx["expected"])
            .replace("' or '", "、")
            .replace("', '", "、")
            .strip("'"),
        }
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def _field_of(loc) -> str | None:
    # ("body", "payload", "name") -> "name"; ("query", "limit") -> "limit"
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or None


def validation_errors(exc: NinjaValidationError) -> list[dict]:
    errors = []
    for e in exc.errors:
        field = _field_of(e.get("loc", ()))
        if field is None and e["type"] == "missing":
            message = "请求内容不能为空，应为JSON对象"
        else:
            message = _pydantic_message(e)
        errors.append({"field": field, "message": message})
    return errors


def service_errors(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": None if field == "__all__" else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in exc.messages]


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers with ones answering in the shape above."""

    def respond(request, status: int, body: dict, **headers):
        response = api.create_response(request, body, status=status)
        for key, value in headers.items():
            response[key] = value
        return response

    @api.exception_handler(NinjaValidationError)
    def _invalid(request, exc):
        errors = validation_errors(exc)
        detail = "；".join(
            f"{FIELD_LABELS.get(e['field'], e['field'])}：{e['message']}"
            if e["field"]
            else e["message"]
            for e in errors
        )
        return respond(request, 422, error_body(detail or "请求内容不正确", errors))

    @api.exception_handler(DjangoValidationError)
    def _rejected(request, exc):
        if isinstance(exc, ConflictError):
            return respond(request, 409, error_body(exc.messages[0]))
        errors = service_errors(exc)
        return respond(request, 400, error_body("；".join(e["message"] for e in errors), errors))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        detail = _NINJA_MESSAGES.get(exc.message, exc.message)
        field = getattr(exc, "field", None)
        errors = [{"field": field, "message": detail}] if field else []
        return respond(request, 401, error_body(detail, errors), **{"WWW-Authenticate": "Bearer"})

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        return respond(
            request, exc.status_code, error_body(_NINJA_MESSAGES.get(exc.message, exc.message))
        )

    @api.exception_handler(IntegrityError)
    def _clash(request, exc):
        # A race the services' checks could not see (e.g. two creates of the same code).
        return respond(request, 409, error_body("与已有记录冲突，请刷新后重试"))

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        return respond(request, 413, error_body("请求内容过大"))

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return respond(request, 404, error_body(NOT_FOUND))

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc):
        detail = str(exc) or FORBIDDEN
        field = getattr(exc, "field", None)
        errors = [{"field": field, "message": detail}] if field else []
        return respond(request, 403, error_body(detail, errors))


class FieldError(DjangoValidationError):
    """A 400 about one field of the request, raised by API views."""

    def __init__(self, field: str, message: str):
        super().__init__({field: message})


class FieldDenied(PermissionDenied):
    """A 403 about a record named in the request body."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class FieldUnauthorized(AuthenticationError):
    """A 401 about one field of the request (a missing second factor)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message=message)
