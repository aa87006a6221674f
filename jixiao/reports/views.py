"""Report pages: the cycles, a cycle's overview, the ranking and a unit's score card."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.permissions import (
    can_manage_cycle,
    can_view_all_results,
    can_view_cycle,
    can_view_reviewer_names,
    can_view_unit_evaluations,
    can_view_unit_result,
    unit_ids_of,
)
from jixiao.cycles.models import Cycle, Participation
from jixiao.reports import charts, selectors
from jixiao.reports.explanations import (
    COMPONENT_LABELS,
    ReviewerNames,
    add_previous,
    component_label,
    node_names,
    present,
    translate_missing,
)
from jixiao.reports.permissions import can_verify_cycle
from jixiao.reports.templatetags.reports_tags import signed
from jixiao.scoring.formula import FormulaError, compile_formula
from jixiao.scoring.models import Result
from jixiao.scoring.selectors import cycle_results
from jixiao.scoring.services import explain_unit, recompute_cycle

#: The components of a result in the order a score card lists them.
COMPONENTS = (
    "performance",
    "self_construction",
    "indicator",
    "city_incentive",
    "public",
    "bonus",
    "deduction",
)


def get_cycle_for_user(request: HttpRequest, code: str) -> Cycle:
    """The cycle, or 404 for a reader without a role in it (its existence is not revealed)."""
    cycle = get_object_or_404(Cycle, code=code)
    if not can_view_cycle(request.user, cycle):
        raise Http404
    return cycle


def _formula_with_labels(cycle: Cycle) -> str:
    try:
        compiled = compile_formula(cycle.formula)
    except FormulaError:
        return cycle.formula
    return compiled.render({key: component_label(key) for key in COMPONENT_LABELS})


def home(request: HttpRequest) -> HttpResponse:
    summaries = selectors.home_cycles(user=request.user)
    return render(request, "reports/home.html", {"summaries": summaries})


def cycle_overview(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle_for_user(request, code)
    groups = selectors.cycle_group_summaries(cycle=cycle)
    context = {
        "cycle": cycle,
        "groups": groups,
        "result_count": sum(g.results for g in groups),
        "provisional_count": sum(g.provisional for g in groups),
        "unit_count": sum(g.units for g in groups),
        "formula_labels": _formula_with_labels(cycle),
        "grade_bands": (cycle.grade_rules or {}).get("bands", []),
        "grade_quotas": (cycle.grade_rules or {}).get("quotas", []),
        "grade_rest": (cycle.grade_rules or {}).get("rest", "较差"),
        "bonus_categories": sorted(
            (cycle.bonus_categories or {}).items(), key=lambda item: int(item[0])
        ),
        "can_view_all": can_view_all_results(request.user, cycle),
        "can_manage": can_manage_cycle(request.user, cycle),
        "can_verify": can_verify_cycle(request.user, cycle),
        "recompute_form": RecomputeForm(),
    }
    return render(request, "reports/cycle_overview.html", context)


class RecomputeForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


@require_POST
def cycle_recompute(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle_for_user(request, code)
    if not can_manage_cycle(request.user, cycle):
        raise PermissionDenied
    form = RecomputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("原因过长，未重新计算。"))
        return redirect("cycle_overview", code=cycle.code)
    try:
        summary = recompute_cycle(cycle=cycle, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            gettext("已重新计算 %(units)s 个单位的结果，其中暂定 %(provisional)s 个。")
            % {"units": summary.units, "provisional": summary.provisional},
        )
    return redirect("cycle_overview", code=cycle.code)


def ranking(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle_for_user(request, code)
    if not can_view_all_results(request.user, cycle):
        # A unit's operator or leader may open the cycle but not the others' scores: they are
        # sent to their own unit's score card, which is what they came for. Anyone else with
        # a role in the cycle (a collector, an inspector) gets 403.
        return _own_card_or_403(request, cycle)
    group_code = request.GET.get("group") or None
    sort = request.GET.get("sort", "rank")
    if sort.lstrip("-") not in selectors.RANKING_SORTS:
        sort = "rank"
    filters = selectors.RankingFilter.from_query(request.GET)
    # The tables change only when the results do (a recompute changes the computed time and
    # usually the hash): the rendered rows are kept under a key made of both and of everything
    # else that changes them, so a 500-unit group is not rendered again for every reader.
    key = selectors.ranking_cache_key(
        cycle=cycle,
        group_code=group_code,
        sort=sort,
        filters=filters,
        language=get_language() or "",
    )
    cached = cache.get(key) if key else None
    columns = [
        {
            "key": key,
            "label": label,
            "active": sort.lstrip("-") == key,
            "descending": sort == f"-{key}",
            "href": _ranking_href(group_code, _next_sort(key, sort), filters),
        }
        for key, label in (
            ("rank", _("名次")),
            ("unit", _("单位")),
            ("composite", COMPONENT_LABELS["composite"]),
            ("grade", _("等次")),
            *((key, COMPONENT_LABELS[key]) for key in COMPONENTS),
            ("provisional", _("暂定")),
        )
    ]
    all_groups = selectors.groups_for_filter(cycle=cycle)
    group_links = [
        {
            "name": gettext("全部组别"),
            "href": _ranking_href(None, sort, filters),
            "current": not group_code,
        },
        *(
            {
                "name": g.name,
                "href": _ranking_href(g.code, sort, filters),
                "current": g.code == group_code,
            }
            for g in all_groups
        ),
    ]
    context: dict[str, Any] = {
        "cycle": cycle,
        "all_groups": all_groups,
        "group_links": group_links,
        "group_code": group_code,
        "sort": sort,
        "filters": filters,
        "grade_choices": selectors.grade_order(cycle),
        "columns": columns,
        "can_view_all": True,
        "can_manage": can_manage_cycle(request.user, cycle),
        "recompute_form": RecomputeForm(),
    }
    if cached is None:
        tables = selectors.ranking_tables(
            cycle=cycle, group_code=group_code, sort=sort, filters=filters
        )
        if group_code and not tables:
            raise Http404
        for table in tables:
            table.notes = selectors.grade_notes(cycle=cycle, size=table.units)
        context["tables"] = tables
        # Line breaks and indentation between tags are a third of a large table's bytes; they
        # go once, here, not on every request (spaces within a line are kept: they separate
        # inline elements).
        tables_html = mark_safe(
            _BETWEEN_LINES.sub("><", render_to_string("reports/_ranking_tables.html", context))
        )
        if key:
            cache.set(key, tables_html, RANKING_CACHE_SECONDS)
    else:
        tables_html = mark_safe(cached)
    context["tables_html"] = tables_html
    return render(request, "reports/ranking.html", context)


def _ranking_href(group_code: str | None, sort: str, filters: selectors.RankingFilter) -> str:
    """A ranking link with only the parameters the page knows (the rendered tables are cached
    and shared, so they must not carry anything else from the request)."""
    params: dict[str, str] = {}
    if group_code:
        params["group"] = group_code
    if sort != "rank":
        params["sort"] = sort
    params.update(filters.params())
    return "?" + urlencode(params) if params else "?"


_BETWEEN_LINES = re.compile(r">\s*\n\s*<")

#: How long rendered ranking tables are kept (the key changes with every recompute anyway).
RANKING_CACHE_SECONDS = 3600


#: Columns read from the top down; every score column starts from the highest.
_ASCENDING_FIRST = frozenset({"rank", "unit", "grade"})


def _next_sort(key: str, current: str) -> str:
    """The ``?sort=`` a column header links to: its natural order, or the reverse if active."""
    natural = key if key in _ASCENDING_FIRST else f"-{key}"
    if current == natural:
        return natural[1:] if natural.startswith("-") else f"-{key}"
    return natural


def unit_card(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    cycle = get_cycle_for_user(request, code)
    participation = (
        Participation.objects.filter(cycle=cycle, unit__code=unit_code)
        .select_related("unit", "group")
        .first()
    )
    if participation is None or not can_view_unit_result(request.user, cycle, participation.unit):
        raise Http404
    unit, group = participation.unit, participation.group
    result = Result.objects.filter(cycle=cycle, unit=unit).first()
    group_size = Participation.objects.filter(cycle=cycle, group=group).count()

    explanation: dict[str, Any] | None = None
    fresh_composite = None
    explain_error = ""
    stale = False
    try:
        explained = explain_unit(cycle=cycle, unit_id=unit.pk)
    except (FormulaError, ValidationError) as exc:
        explained = None
        explain_error = str(getattr(exc, "reason", "")) or " ".join(
            getattr(exc, "messages", [str(exc)])
        )
    if explained is not None and explained.explanation is not None:
        show_names = can_view_reviewer_names(request.user, cycle)
        explanation = present(
            explained.explanation,
            reviewers=ReviewerNames(
                show=show_names,
                names=_reviewer_names(explained.explanation) if show_names else None,
            ),
            formula_labels=_formula_with_labels(cycle),
        )
        fresh_composite = explained.composite
        if result is not None:
            stale = result.composite != explained.composite or any(
                getattr(result, key) != explained.components[key] for key in COMPONENTS
            )
    names = node_names(explained.explanation if explained is not None else None)
    missing_source = result.missing if result is not None else []
    previous = selectors.previous_cycle(cycle=cycle)
    before = selectors.results_by_unit(cycle=previous, unit_ids=[unit.pk]).get(unit.pk)
    if explanation is not None:
        add_previous(explanation, before, precision=cycle.precision, signed=signed)
    components = [
        {
            "key": key,
            "label": component_label(key),
            "value": getattr(result, key) if result is not None else None,
            "previous": getattr(before, key) if before is not None else None,
            "change": (
                getattr(result, key) - getattr(before, key)
                if result is not None and before is not None
                else None
            ),
            "anchor": f"explain-{key}",
        }
        for key in COMPONENTS
    ]
    # Comparisons with the group (its average, neighbours, best and worst) are other units'
    # figures: only for readers who may see the whole ranking. A unit's own people see its
    # rank in the group.
    can_view_all = can_view_all_results(request.user, cycle)
    standing = (
        selectors.group_standing(cycle=cycle, result=result) if result and can_view_all else None
    )
    trend = selectors.unit_trend(unit_id=unit.pk, user=request.user)
    chart_radar = chart_trend = None
    if result is not None and standing is not None:
        chart_radar = charts.radar(
            cycle=cycle,
            unit={key: getattr(result, key) for key in charts.RADAR_KEYS},
            average=standing.averages,
            unit_name=unit.short_name or unit.name,
        )
    if len(trend) > 1:
        chart_trend = charts.trend(points=trend)
    context = {
        "cycle": cycle,
        "unit": unit,
        "group": group,
        "group_size": group_size,
        "result": result,
        "before": before,
        "previous": previous,
        "components": components,
        "standing": standing,
        "radar_rows": [
            {
                "label": component_label(key),
                "value": getattr(result, key),
                "average": standing.averages[key],
            }
            for key in charts.RADAR_KEYS
        ]
        if result is not None and standing is not None
        else [],
        "trend": trend,
        "chart_radar": chart_radar,
        "chart_trend": chart_trend,
        "missing": [translate_missing(item, names) for item in missing_source],
        "explanation": explanation,
        # Lines that change through the assessment workflow link to their history for those
        # who may read it (the unit and the office).
        "show_history": can_view_unit_evaluations(request.user, cycle, unit),
        "explain_error": explain_error,
        "fresh_composite": fresh_composite,
        "stale": stale,
        "can_view_all": can_view_all,
        "can_manage": can_manage_cycle(request.user, cycle),
        "recompute_form": RecomputeForm(),
    }
    return render(request, "reports/unit_card.html", context)


def _reviewer_names(explanation: dict[str, Any]) -> dict[str, str]:
    """Username → display name of every reviewer in the explanation (one query)."""
    usernames: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        for item in node.get("inputs") or ():
            if item.get("kind") == "review":
                usernames.add(str(item.get("reviewer", "")))
        for child in node.get("children") or ():
            walk(child)

    walk(explanation)
    if not usernames:
        return {}
    return {
        username: display or username
        for username, display in User.objects.filter(username__in=usernames).values_list(
            "username", "display_name"
        )
    }


# Dashboard -----------------------------------------------------------------------------------


def _own_card_or_403(request: HttpRequest, cycle: Cycle) -> HttpResponse:
    """For a reader who may not see every unit: their own unit's card, or 403."""
    own = (
        Participation.objects.filter(cycle=cycle, unit_id__in=unit_ids_of(request.user, cycle))
        .select_related("unit")
        .order_by("unit__code")
        .first()
    )
    if own is None:
        raise PermissionDenied
    return redirect("unit_card", code=cycle.code, unit_code=own.unit.code)


@dataclass(frozen=True)
class Mover:
    result: Result
    before: Result
    rank_change: int  # positive: up
    change: Decimal


#: How many units the "moved most" table lists.
MOVERS = 10


def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """Charts of one ranking group: composites by grade, what each component adds, the
    distribution of composites, and the units that moved most since last year."""
    cycle = get_cycle_for_user(request, code)
    if not can_view_all_results(request.user, cycle):
        return _own_card_or_403(request, cycle)
    groups = selectors.groups_for_filter(cycle=cycle)
    group_code = request.GET.get("group") or (groups[0].code if groups else "")
    group = next((g for g in groups if g.code == group_code), None)
    if groups and group is None:
        raise Http404
    context: dict[str, Any] = {
        "cycle": cycle,
        "groups": groups,
        "group": group,
        "can_view_all": True,
        "can_manage": can_manage_cycle(request.user, cycle),
    }
    if group is None:
        return render(request, "reports/dashboard.html", context)
    rows = list(cycle_results(cycle=cycle, group_code=group.code))
    previous = selectors.previous_cycle(cycle=cycle)
    before = selectors.results_by_unit(cycle=previous, unit_ids=[r.unit_id for r in rows])
    keys, parts = charts.contributions(cycle, rows)
    width = Decimal(10)
    bins = charts.histogram_bins([r.composite for r in rows], width)
    movers = [
        Mover(
            result=r,
            before=before[r.unit_id],
            rank_change=before[r.unit_id].rank - r.rank,
            change=r.composite - before[r.unit_id].composite,
        )
        for r in rows
        if r.unit_id in before
    ]
    movers.sort(key=lambda m: (-abs(m.rank_change), -abs(m.change), m.result.unit.code))
    try:
        linear = charts.is_linear(compile_formula(cycle.formula))
    except FormulaError:
        linear = False
    context.update(
        {
            "rows": rows,
            "grades": selectors.grade_counts(rows, selectors.grade_order(cycle)),
            "notes": selectors.grade_notes(cycle=cycle, size=len(rows)),
            "previous": previous,
            "movers": movers[:MOVERS],
            "contribution_keys": [component_label(k) for k in keys],
            "contribution_rows": list(zip(rows, parts, strict=True)),
            "linear": linear,
            "bins": [(b, b + width, n) for b, n in bins],
            "chart_ranking": charts.ranking_bar(
                cycle=cycle,
                rows=rows,
                title=gettext("%(group)s 综合得分与等次") % {"group": group.name},
            ),
            "chart_stacked": charts.stacked_components(
                cycle=cycle, rows=rows, keys=keys, parts=parts
            ),
            "chart_distribution": charts.distribution(bins=bins, width=width),
        }
    )
    return render(request, "reports/dashboard.html", context)
