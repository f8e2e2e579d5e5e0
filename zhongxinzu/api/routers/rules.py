"""/api/rules: the study rules in force for a unit and year (rules as data: the nearest
setting up the tree wins, a year's beats the general), and the overrides supervisors set
within their subtrees. National/common defaults are not changed here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Status

from zhongxinzu.api import scope
from zhongxinzu.api.common import ERRORS, body_ref, page, person_name
from zhongxinzu.api.errors import FieldError
from zhongxinzu.api.schemas import (
    Id,
    RuleBookOut,
    RuleBookParams,
    RuleValueFilters,
    RuleValueIn,
    RuleValueOut,
    RuleValuePage,
)
from zhongxinzu.org import access
from zhongxinzu.rules.models import Rule, RuleValue
from zhongxinzu.rules.services import format_value, rule_value_clear, rule_value_set, rulebook_for

router = Router(tags=["学习规则"])

SUPERVISORS_ONLY = "只有督导可以查看和设置学习规则"


def _require_supervisor(user) -> None:
    if not access.principal_of(user).is_supervisor:
        raise PermissionDenied(SUPERVISORS_ONLY)


def _row(v: RuleValue) -> dict:
    return {
        "id": v.pk,
        "rule": v.rule.key,
        "rule_label": v.rule.label,
        "unit_id": v.scope_id,
        "unit_name": v.scope.name,
        "year": v.year,
        "value": v.value,
        "value_text": format_value(v.rule, v.value),
        "note": v.note,
        "set_by": person_name(v.set_by),
        "set_at": v.set_at,
    }


def _values(user):
    return scope.rule_values(user).select_related("rule", "scope", "set_by")


@router.get(
    "",
    response={200: RuleBookOut, **ERRORS},
    summary="某单位某年度适用的全部规则及其来源（督导）",
)
def rule_book(request, params: Query[RuleBookParams]):
    user = request.auth
    _require_supervisor(user)
    if params.unit:
        unit = scope.get(scope.supervised_units(user), params.unit)
    else:
        unit = access.principal_of(user).supervised[0]
    year = params.year or timezone.localdate().year
    book = rulebook_for(unit, year)
    here = {
        (v.rule_id, v.year): v.pk
        for v in RuleValue.objects.filter(scope=unit).filter(Q(year__isnull=True) | Q(year=year))
    }
    rules = [
        {
            "key": rule.key,
            "label": rule.label,
            "kind": rule.kind,
            "measure": rule.unit,
            "basis": rule.source,
            "value": book.values.get(rule.key),
            "value_text": format_value(rule, book.values.get(rule.key)),
            "value_source": book.sources.get(rule.key, ""),
            "override_id": here.get((rule.pk, None)),
            "year_override_id": here.get((rule.pk, year)),
        }
        for rule in Rule.objects.all()
    ]
    return {"unit_id": unit.pk, "unit_name": unit.name, "year": year, "rules": rules}


@router.get(
    "/overrides",
    response={200: RuleValuePage, **ERRORS},
    summary="督导范围内的规则设置",
)
def override_list(request, filters: Query[RuleValueFilters]):
    qs = _values(request.auth)
    if filters.unit:
        qs = qs.filter(scope_id=filters.unit)
    if filters.rule:
        qs = qs.filter(rule__key=filters.rule)
    if filters.year:
        qs = qs.filter(year=filters.year)
    qs = qs.order_by("scope__path", "rule_id", "year", "id")
    return page(qs, filters, lambda rows: map(_row, rows))


@router.get("/overrides/{value_id}", response={200: RuleValueOut, **ERRORS}, summary="规则设置详情")
def override_detail(request, value_id: Id):
    return _row(scope.get(_values(request.auth), value_id))


@router.post(
    "/overrides",
    response={200: RuleValueOut, 201: RuleValueOut, **ERRORS},
    summary="设置规则：对某单位及其下级、某年度或各年度生效（已有同样设置则替换，返回200）",
)
def override_set(request, payload: RuleValueIn):
    user = request.auth
    _require_supervisor(user)
    rule = Rule.objects.filter(key=payload.rule).first()
    if rule is None:
        raise FieldError("rule", f"没有标识为“{payload.rule}”的规则")
    unit = body_ref(
        scope.supervised_units(user), payload.unit, "unit", "单位不存在或不在您的督导范围内"
    )
    existed = RuleValue.objects.filter(rule=rule, scope=unit, year=payload.year).exists()
    value = rule_value_set(
        actor=user,
        rule=rule,
        scope=unit,
        year=payload.year,
        value=payload.value,
        note=payload.note,
    )
    return Status(200 if existed else 201, _row(_values(user).get(pk=value.pk)))


@router.delete(
    "/overrides/{value_id}",
    response={204: None, **ERRORS},
    summary="清除规则设置（恢复上级或默认取值）",
)
def override_clear(request, value_id: Id):
    user = request.auth
    rule_value_clear(actor=user, value=scope.get(_values(user), value_id))
    return Status(204, None)
