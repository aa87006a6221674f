"""ECharts options for the report pages, built here so that every label is translated once.

Each function returns a JSON-ready dict that ``static/reports/charts.js`` hands to
``echarts.setOption`` unchanged; items that lead somewhere carry a ``url``. Numbers are sent as
strings of the cycle's precision turned into floats only at the edge, for drawing: the tables
printed beside every chart keep the exact figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jixiao.cycles.models import Cycle
from jixiao.reports.explanations import component_label, grade_label
from jixiao.reports.selectors import TrendPoint
from jixiao.scoring.formula import CompiledFormula, FormulaError, compile_formula
from jixiao.scoring.models import Result
from jixiao.scoring.rounding import quantize

#: Grade colours, best to worst; a grade the cycle names otherwise is grey.
GRADE_COLOURS = {
    "优秀": "#2e7d32",
    "良好": "#1f5fa8",
    "一般": "#e0a800",
    "较差": "#c62828",
}
OTHER_COLOUR = "#8a96a3"
COMPONENT_COLOURS = ["#1f5fa8", "#5b8fd1", "#2e7d32", "#8e44ad", "#e0a800", "#c62828", "#616e7c"]
FONT = "'WenQuanYi Micro Hei', 'PingFang SC', 'Microsoft YaHei', sans-serif"


def grade_colour(grade: str) -> str:
    return GRADE_COLOURS.get(grade, OTHER_COLOUR)


def _number(value: Decimal, precision: int) -> float:
    # The drawing needs a float; the exact figure is in the table beside the chart.
    return float(quantize(value, precision))


def _base(title: str) -> dict[str, Any]:
    return {
        "aria": {"enabled": True},
        "textStyle": {"fontFamily": FONT},
        # The page's heading names the chart; the title stays for the aria description.
        "title": {"text": title, "show": False},
        "tooltip": {"trigger": "item"},
        "animation": False,
    }


def ranking_bar(*, cycle: Cycle, rows: Sequence[Result], title: str) -> dict[str, Any]:
    """Composite per unit in rank order, each bar in its grade's colour; a bar opens the
    unit's score card."""
    option = _base(title)
    names = [r.unit.short_name or r.unit.name for r in rows]
    many = len(rows) > 30
    option.update(
        {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 48, "right": 16, "top": 32, "bottom": 80 if not many else 110},
            "xAxis": {
                "type": "category",
                "data": names,
                "axisLabel": {"interval": 0 if not many else "auto", "rotate": 40},
            },
            "yAxis": {
                "type": "value",
                "name": gettext("得分"),
                # Below the lowest bar, on a round number, so that every bar has a height.
                "min": _axis_floor([r.composite for r in rows]),
            },
            "series": [
                {
                    "type": "bar",
                    "name": component_label("composite"),
                    "data": [
                        {
                            "value": _number(r.composite, cycle.precision),
                            "name": r.unit.name,
                            "url": reverse("unit_card", args=[cycle.code, r.unit.code]),
                            "itemStyle": {"color": grade_colour(r.grade)},
                            "grade": grade_label(r.grade),
                            "rank": r.rank,
                        }
                        for r in rows
                    ],
                    "cursor": "pointer",
                }
            ],
            "legend": {"show": False},
        }
    )
    if many:
        option["dataZoom"] = [{"type": "slider", "start": 0, "end": min(100, 3000 // len(rows))}]
    return option


def _axis_floor(values: Sequence[Decimal]) -> float:
    if not values:
        return 0.0
    step = Decimal(50)
    low = ((min(values) - 20) / step).to_integral_value(rounding=ROUND_FLOOR) * step
    return float(max(low, Decimal(0)))


def contributions(cycle: Cycle, rows: Iterable[Result]) -> tuple[list[str], list[list[Decimal]]]:
    """What each name of the formula adds to each unit's composite: f(only that name) − f(all
    zero). For a linear formula (the default) the parts add up to the composite exactly; the
    chart says so only then (see :func:`is_linear`).

    Returns the component keys used and one list of contributions per row.
    """
    try:
        formula = compile_formula(cycle.formula)
    except FormulaError:
        return [], []
    keys = [k for k in _FORMULA_KEYS if k in formula.names]
    zero = dict.fromkeys(_FORMULA_KEYS, Decimal(0))
    base = formula.evaluate(zero)
    out: list[list[Decimal]] = []
    for r in rows:
        parts = []
        for key in keys:
            values = dict(zero)
            values[key] = getattr(r, key)
            parts.append(formula.evaluate(values) - base)
        out.append(parts)
    return keys, out


_FORMULA_KEYS = (
    "indicator",
    "performance",
    "self_construction",
    "city_incentive",
    "public",
    "bonus",
    "deduction",
)


def is_linear(formula: CompiledFormula) -> bool:
    """True when the formula's value is the sum of its parts (checked on two points)."""
    zero = dict.fromkeys(_FORMULA_KEYS, Decimal(0))
    base = formula.evaluate(zero)
    for probe in (Decimal(1), Decimal(7)):
        full = dict.fromkeys(_FORMULA_KEYS, probe)
        parts = Decimal(0)
        for key in _FORMULA_KEYS:
            values = dict(zero)
            values[key] = probe
            parts += formula.evaluate(values) - base
        if formula.evaluate(full) - base != parts:
            return False
    return True


def stacked_components(
    *, cycle: Cycle, rows: Sequence[Result], keys: list[str], parts: list[list[Decimal]]
) -> dict[str, Any]:
    """Each unit's composite as a stack of what each component adds (deductions below 0)."""
    option = _base(gettext("各项得分对综合得分的贡献"))
    names = [r.unit.short_name or r.unit.name for r in rows]
    option.update(
        {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0, "type": "scroll"},
            "grid": {"left": 48, "right": 16, "top": 56, "bottom": 80},
            "xAxis": {
                "type": "category",
                "data": names,
                "axisLabel": {"interval": 0 if len(rows) <= 30 else "auto", "rotate": 40},
            },
            "yAxis": {"type": "value", "name": gettext("得分")},
            "series": [
                {
                    "type": "bar",
                    "stack": "total",
                    "name": component_label(key),
                    "itemStyle": {"color": COMPONENT_COLOURS[i % len(COMPONENT_COLOURS)]},
                    "data": [_number(row[i], cycle.precision) for row in parts],
                }
                for i, key in enumerate(keys)
            ],
        }
    )
    if len(rows) > 30:
        option["dataZoom"] = [{"type": "slider", "start": 0, "end": min(100, 3000 // len(rows))}]
    return option


def histogram_bins(composites: Sequence[Decimal], width: Decimal) -> list[tuple[Decimal, int]]:
    """(lower bound, count) for bins [lower, lower + width) covering every composite."""
    if not composites:
        return []
    low = (min(composites) / width).to_integral_value(rounding=ROUND_FLOOR) * width
    high = (max(composites) / width).to_integral_value(rounding=ROUND_FLOOR) * width
    counts: dict[Decimal, int] = {}
    bound = low
    while bound <= high:
        counts[bound] = 0
        bound += width
    for value in composites:
        counts[(value / width).to_integral_value(rounding=ROUND_FLOOR) * width] += 1
    return sorted(counts.items())


def distribution(*, bins: list[tuple[Decimal, int]], width: Decimal) -> dict[str, Any]:
    option = _base(gettext("综合得分分布"))
    labels = [
        f"{format(b.normalize(), 'f')}–{format((b + width).normalize(), 'f')}" for b, _ in bins
    ]
    option.update(
        {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 48, "right": 24, "top": 32, "bottom": 60},
            "xAxis": {"type": "category", "data": labels, "name": gettext("得分")},
            "yAxis": {"type": "value", "name": gettext("单位数"), "minInterval": 1},
            "series": [
                {
                    "type": "bar",
                    "name": gettext("单位数"),
                    "data": [n for _, n in bins],
                    "itemStyle": {"color": "#5b8fd1"},
                    "barCategoryGap": "5%",
                }
            ],
        }
    )
    return option


RADAR_KEYS = ("performance", "self_construction", "public", "city_incentive", "bonus", "deduction")
#: Short axis names: the full ones do not fit around a radar on a phone.
RADAR_LABELS = {
    "performance": _("业绩"),
    "self_construction": _("自身建设"),
    "public": _("公众评议"),
    "city_incentive": _("市对区激励"),
    "bonus": _("正向激励"),
    "deduction": _("察访扣分"),
}


def radar_maxima(cycle: Cycle, values: Iterable[dict[str, Decimal]]) -> dict[str, Decimal]:
    """Each radar axis's end: the tree totals and the scale where they exist, else the
    largest value shown (at least 1)."""
    fixed = {
        "performance": cycle.performance_total,
        "self_construction": cycle.self_construction_total,
        "public": cycle.scale,
    }
    maxima = {key: fixed.get(key, Decimal(1)) for key in RADAR_KEYS}
    for row in values:
        for key in RADAR_KEYS:
            if key not in fixed and row[key] > maxima[key]:
                maxima[key] = row[key]
    return maxima


def radar(
    *, cycle: Cycle, unit: dict[str, Decimal], average: dict[str, Decimal], unit_name: str
) -> dict[str, Any]:
    option = _base(gettext("各项得分与组内平均"))
    maxima = radar_maxima(cycle, [unit, average])
    option.update(
        {
            "legend": {"bottom": 0},
            "radar": {
                "indicator": [
                    {"name": str(RADAR_LABELS[key]), "max": float(maxima[key])}
                    for key in RADAR_KEYS
                ],
                "radius": "58%",
                "axisName": {"color": "#3e4c59", "fontSize": 11},
            },
            "series": [
                {
                    "type": "radar",
                    "data": [
                        {
                            "name": unit_name,
                            "value": [_number(unit[k], cycle.precision) for k in RADAR_KEYS],
                            "itemStyle": {"color": "#8b1a1a"},
                            "areaStyle": {"opacity": 0.15},
                        },
                        {
                            "name": gettext("组内平均"),
                            "value": [_number(average[k], cycle.precision) for k in RADAR_KEYS],
                            "itemStyle": {"color": "#1f5fa8"},
                            "lineStyle": {"type": "dashed"},
                        },
                    ],
                }
            ],
        }
    )
    return option


def trend(*, points: Sequence[TrendPoint]) -> dict[str, Any]:
    """Composite (left axis) and rank (right axis, 1 at the top) over the years."""
    option = _base(gettext("历年综合得分与名次"))
    option.update(
        {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 56, "right": 56, "top": 56, "bottom": 32},
            "xAxis": {"type": "category", "data": [p.cycle.code for p in points]},
            "yAxis": [
                {"type": "value", "name": component_label("composite"), "scale": True},
                {
                    "type": "value",
                    "name": gettext("组内名次"),
                    "inverse": True,
                    "min": 1,
                    "max": max((p.group_size for p in points), default=1),
                    "minInterval": 1,
                },
            ],
            "series": [
                {
                    "type": "line",
                    "name": component_label("composite"),
                    "data": [_number(p.composite, p.cycle.precision) for p in points],
                    "itemStyle": {"color": "#8b1a1a"},
                },
                {
                    "type": "line",
                    "name": gettext("组内名次"),
                    "yAxisIndex": 1,
                    "data": [p.rank for p in points],
                    "itemStyle": {"color": "#1f5fa8"},
                    "lineStyle": {"type": "dashed"},
                },
            ],
        }
    )
    return option
