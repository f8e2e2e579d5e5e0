"""The latest `verify_audit` result, for the audit admin's log page."""

from django import template

from zhongxinzu.audit.models import AuditVerification

register = template.Library()


@register.simple_tag
def last_verification():
    return AuditVerification.objects.order_by("-at", "-id").first()
