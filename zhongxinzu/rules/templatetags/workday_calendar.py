"""The one notice for pages whose working days fall back to Monday–Friday."""

import datetime as dt

from django import template

from zhongxinzu.lib import workdays
from zhongxinzu.rules.access import can_edit_calendar

register = template.Library()


@register.inclusion_tag("rules/_calendar_notice.html", takes_context=True)
def calendar_notice(context, *when):
    """`{% calendar_notice year %}`, `{% calendar_notice visit.materials_due visit.summary_due %}`:
    a notice for each year (an int, or a date's year; empty values skipped) whose official
    holidays are neither in chinese_calendar nor entered, with a link for whoever may enter
    them."""
    years = [w.year if isinstance(w, dt.date) else int(w) for w in when if w]
    principal = context.get("principal")
    return {
        "missing": workdays.missing_years(*years),
        "can_edit": principal is not None and can_edit_calendar(principal),
    }
