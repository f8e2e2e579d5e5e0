"""Template helpers of the assessment pages."""

from django import template

register = template.Library()


@register.filter
def converted(total, scheme):
    """`total` as the points it carries in the unit's annual assessment (scheme weight)."""
    return format(scheme.converted(total).normalize(), "f")
