"""Chinese names of audit actions and object types in templates."""

from django import template

from zhongxinzu.audit import labels

register = template.Library()


@register.filter
def action_label(code):
    return labels.action_label(code)


@register.filter
def object_type_label(label):
    return labels.object_type_label(label)
