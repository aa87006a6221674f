"""Template filters every app may use."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from jixiao.scoring.rounding import quantize

register = template.Library()


@register.filter
def score(value: Any, precision: Any = 2) -> str:
    """A stored score (four decimal places) shown with the cycle's precision: 899.80."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
        places = int(precision)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return format(quantize(number, places), "f")
