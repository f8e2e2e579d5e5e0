"""Chinese names of audit actions and object types: one mapping for the log list, its
filter and the export. Object types are model labels ("app.Model") shown by the model's
verbose_name; a few entries are not models."""

from __future__ import annotations

from django.apps import apps

from zhongxinzu.audit.models import ACTION_LABELS

ACTIONS: dict[str, str] = {
    **ACTION_LABELS,
    "publish": "发布",
    "generate": "生成文稿",
    "revise": "修订（新版本）",
    "remind": "发送提醒",
    "review": "审核",
    "accept": "接收",
    "plan_propose": "生成旁听计划建议",
    "visit_update": "修改旁听安排",
    "visit_remove": "取消旁听安排",
    "visit_materials": "提交会前材料",
    "visit_checklist": "会前审核",
    "visit_onsite": "现场旁听",
    "visit_interview": "会后访谈",
    "visit_feedback": "反馈意见",
    "visit_summary": "旁听总结",
    "team_member_add": "添加旁听组成员",
    "team_member_remove": "移出旁听组成员",
    "team_leader_set": "指定旁听组组长",
    "score_template_create": "新建评分表模板",
    "score_template_update": "修改评分表模板",
    "score_sheet_submit": "提交评分表",
    "problem_create": "登记问题",
    "rectification_report": "报告整改情况",
    "rectification_return": "退回整改报告",
    "rectification_close": "整改销号",
    "assessment.scheme_create": "新建考核方案",
    "assessment.scheme_update": "修改考核方案",
    "assessment.indicator_add": "添加考核指标",
    "assessment.indicator_delete": "删除考核指标",
    "assessment.compute": "计算考核结果",
    "job.start": "启动后台任务",
    "assessment.manual_score": "录入评分",
    "assessment.adjustment_add": "添加加扣分",
    "assessment.adjustment_delete": "删除加扣分",
    "assessment.publish": "发布考核结果",
    "assessment.new_edition": "新建考核方案版本",
    "calendar_day_add": "录入法定节假日和调休",
    "calendar_day_delete": "删除法定节假日和调休",
}

# Object types that are not models, and models of apps whose Meta has no Chinese name yet.
OTHER_OBJECT_TYPES = {
    "backup": "备份",
    "accounts.PasswordHistory": "历史密码",
    "accounts.ApiToken": "API令牌",
    "plans.PromptAttachment": "学习提示附件",
    "plans.PromptAck": "学习提示签收",
    "plans.PlanTopic": "学习计划专题",
}


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def action_choices() -> list[tuple[str, str]]:
    return sorted(ACTIONS.items(), key=lambda kv: kv[1])


def object_type_label(label: str) -> str:
    """ "meetings.StudySession" → "学习会议" (the model's verbose_name)."""
    if not label:
        return ""
    if label in OTHER_OBJECT_TYPES:
        return OTHER_OBJECT_TYPES[label]
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label
