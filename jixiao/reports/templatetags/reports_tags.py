"""Filters for report pages: scores at the cycle's precision, translated labels."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.text import slugify

from jixiao.core.templatetags.core_tags import score
from jixiao.reports.explanations import component_label, grade_label
from jixiao.scoring.rounding import quantize

register = template.Library()


# The same score filter as every app's templates use, under the name the report pages know.
register.filter("score", score)


@register.filter
def grade(value: Any) -> str:
    return grade_label(str(value)) if value else "—"


@register.filter
def grade_class(value: Any) -> str:
    """A CSS class for a grade: ``grade-优秀``. Grades are the cycle's own words, usually
    Chinese, which Django's plain ``slugify`` would drop entirely."""
    return "grade-" + slugify(str(value or ""), allow_unicode=True)


@register.filter
def component(key: Any) -> str:
    return component_label(str(key))


@register.filter
def signed(value: Any, precision: Any = 2) -> str:
    """A change with its sign at the cycle's precision: +3.50, −1.20, 0.00."""
    if value is None or value == "":
        return "—"
    try:
        number = quantize(Decimal(str(value)), int(precision))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"−{abs(number)}"
    return format(number, "f")


@register.filter
def sub(value: Any, other: Any) -> Any:
    """``value − other`` for two numbers (a change, a gap); empty when either is missing."""
    if value is None or other is None or value == "" or other == "":
        return ""
    try:
        if isinstance(value, int) and isinstance(other, int):
            return value - other
        return Decimal(str(value)) - Decimal(str(other))
    except (InvalidOperation, TypeError, ValueError):
        return ""
