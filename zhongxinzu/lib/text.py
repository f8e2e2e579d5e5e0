"""One rule for names and titles, and the bounds every form and API schema shares.

A name or title is one line of visible text: no line breaks or other control characters,
no bidirectional overrides (U+202E turns "文件exe.docx" into a lie), and not made of
invisible characters alone. Forms (lib.forms), imports and API schemas all call
`validate_name`, so a name refused on one path is refused on every path.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import AfterValidator, Field

# Length limits per kind of text field (characters).
NAME_MAX = 200
SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 20_000
# Dates: a record dated before the platform's earliest data or years ahead is a typo.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX_YEARS_AHEAD = 5

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")
PHONE_MESSAGE = "电话号码只能包含数字、+、-和空格，长度7至20位"

# Invisible characters that alone do not make a name (zero-width, BOM, word joiner...).
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\u3164", "\u115f"}


_BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def name_problem(value: str) -> str | None:
    """The Chinese reason `value` is not an acceptable name or title, or None."""
    if value is None:
        return None
    for ch in value:
        cat = unicodedata.category(ch)
        if ch in "\r\n\u2028\u2029" or (cat == "Cc" and ch != "\t"):
            return "名称不能包含换行或控制字符"
        if unicodedata.bidirectional(ch) in _BIDI_CONTROLS or ch in "\u200e\u200f\u061c":
            return "名称不能包含文字方向控制字符"
    visible = [ch for ch in value if ch not in _INVISIBLE and not ch.isspace()]
    if value and not visible:
        return "名称不能只由空白或不可见字符组成"
    if any(unicodedata.category(ch) == "Cf" for ch in visible) and not any(
        unicodedata.category(ch) != "Cf" for ch in visible
    ):
        return "名称不能只由空白或不可见字符组成"
    return None


def validate_name(value: str) -> None:
    """Django validator for every name and title field."""
    problem = name_problem(value)
    if problem:
        raise ValidationError(problem, code="bad_name")


def clean_name(value: str) -> str:
    """Validate and strip a name (for imports and services); raises ValidationError."""
    validate_name(value)
    return (value or "").strip()


def date_max(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + DATE_MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + DATE_MAX_YEARS_AHEAD, day=28)


def date_problem(value: dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if value < DATE_MIN:
        return f"日期不能早于{DATE_MIN:%Y年%m月%d日}"
    if value > date_max():
        return f"日期不能晚于{date_max():%Y年%m月%d日}"
    return None


def validate_plausible_date(value) -> None:
    problem = date_problem(value)
    if problem:
        raise ValidationError(problem, code="date_range")


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value.strip()):
        raise ValidationError(PHONE_MESSAGE, code="phone")


# --- the same rules for API schemas (pydantic) -------------------------------------------


def _pyd(check):
    def run(value):
        problem = check(value)
        if problem:
            raise ValueError(problem)
        return value

    return run


def _phone_problem(value):
    return PHONE_MESSAGE if value and not PHONE_RE.match(value.strip()) else None


NameStr = Annotated[str, Field(max_length=NAME_MAX), AfterValidator(_pyd(name_problem))]
ShortText = Annotated[str, Field(max_length=SHORT_TEXT_MAX)]
LongText = Annotated[str, Field(max_length=LONG_TEXT_MAX)]
PhoneStr = Annotated[str, Field(max_length=20), AfterValidator(_pyd(_phone_problem))]
PlausibleDate = Annotated[dt.date, AfterValidator(_pyd(date_problem))]
