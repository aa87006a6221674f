"""``{% public_evaluation cycle unit %}``: the public-evaluation line of a unit's score card
(score, response count, response rate, 95 % interval)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

from jixiao.surveys.selectors import public_score_of

register = template.Library()


@register.inclusion_tag("surveys/_card_public.html")
def public_evaluation(cycle: Any, unit: Any) -> dict[str, Any]:
    public = public_score_of(cycle=cycle, unit_id=unit.pk) if cycle and unit else None
    rate = public.rate if public is not None else None
    percent = (rate * 100).quantize(Decimal("0.1"), ROUND_HALF_UP) if rate is not None else None
    return {"public": public, "rate_percent": percent}
