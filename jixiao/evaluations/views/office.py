"""The office's pages: progress, reviewer assignments, deadlines and extensions, publishing,
finalizing and reopening, spreads, the comparison of published and final results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import Unit, User
from jixiao.cycles.models import Participation
from jixiao.evaluations import finalize, selectors, services
from jixiao.evaluations.forms import AssignForm, CalendarForm, ExtensionForm, PhaseForm
from jixiao.evaluations.models import DeadlineExtension, ReviewerAssignment
from jixiao.evaluations.permissions import get_cycle, require_office
from jixiao.evaluations.progress import cycle_progress, page_cells
from jixiao.evaluations.views.common import report_errors
from jixiao.indicators.models import Tree

PAGE_SIZE = 50


def progress(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    require_office(request.user, cycle)
    data = cycle_progress(cycle=cycle)
    only_missing = request.GET.get("missing") == "1"
    units = [u for u in data.units if u.missing] if only_missing else data.units
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    columns, cells = page_cells(cycle=cycle, unit_ids=[u.unit_id for u in shown])
    rows = [{"unit": u, "cells": [(c, cells[u.unit_id].get(c)) for c in columns]} for u in shown]
    context = {
        "cycle": cycle,
        "data": data,
        "rows": rows,
        "columns": columns,
        "page": page,
        "only_missing": only_missing,
        "calendar": selectors.calendar_for(cycle=cycle),
    }
    return render(request, "evaluations/progress.html", context)


def assignments(request: HttpRequest, code: str) -> HttpResponse:
    """The matrix of units × reviewers, with a form to assign many at once."""
    cycle = get_cycle(request.user, code)
    require_office(request.user, cycle)
    reviewers = selectors.reviewers_of(cycle=cycle)
    choices = [(str(r.pk), str(r)) for r in reviewers]
    form = AssignForm(request.POST or None, reviewers=choices)
    if request.method == "POST":
        if form.is_valid():
            _assign(request, cycle, form, reviewers)
        else:
            messages.error(request, _("请填写单位代码并选择评估组成员。"))
        return redirect("evaluations:assignments", code=cycle.code)
    page = Paginator(selectors.assessed_units(cycle=cycle), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    units = [p.unit for p in page.object_list]
    matrix: dict[int, dict[int, list[ReviewerAssignment]]] = {u.pk: {} for u in units}
    for a in ReviewerAssignment.objects.filter(cycle=cycle, unit__in=units).select_related(
        "indicator"
    ):
        matrix[a.unit_id].setdefault(a.reviewer_id, []).append(a)
    rows = [
        {"unit": unit, "cells": [matrix[unit.pk].get(r.pk, []) for r in reviewers]}
        for unit in units
    ]
    context = {
        "cycle": cycle,
        "reviewers": reviewers,
        "rows": rows,
        "page": page,
        "form": form,
    }
    return render(request, "evaluations/assignments.html", context)


def _assign(request: HttpRequest, cycle: Any, form: AssignForm, reviewers: list[User]) -> None:
    codes = form.unit_codes()
    units = {
        p.unit.code: p.unit
        for p in Participation.objects.filter(cycle=cycle, unit__code__in=codes).select_related(
            "unit"
        )
    }
    unknown = [c for c in codes if c not in units]
    if unknown:
        messages.error(
            request,
            _("以下单位代码不存在或未参加本年度考评：%(codes)s") % {"codes": "、".join(unknown)},
        )
        return
    chosen = [r for r in reviewers if str(r.pk) in form.cleaned_data["reviewers"]]
    leaf = None
    leaf_code = form.cleaned_data["leaf_code"].strip()
    if leaf_code:
        if len(units) != 1:
            messages.error(request, _("指定指标时只能选择一个单位。"))
            return
        leaf = (
            selectors.leaves(cycle=cycle)
            .filter(tree=Tree.PERFORMANCE, unit__in=list(units.values()), code=leaf_code)
            .first()
        )
        if leaf is None or leaf.method not in selectors.JUDGED:
            messages.error(
                request, _("该单位没有评估组评分的指标 %(code)s。") % {"code": leaf_code}
            )
            return
    try:
        added = services.assign_reviewers(
            cycle=cycle,
            units=list(units.values()),
            reviewers=chosen,
            indicator=leaf,
            by=request.user,
        )
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, _("新增 %(n)s 项评估分工。") % {"n": added})


@require_POST
def unassign(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    require_office(request.user, cycle)
    assignment = (
        ReviewerAssignment.objects.filter(cycle=cycle, pk=pk)
        .select_related("unit", "reviewer", "indicator", "cycle")
        .first()
    )
    if assignment is not None:
        try:
            services.unassign_reviewer(assignment=assignment, by=request.user)
        except ValidationError as exc:
            report_errors(request, exc)
    return redirect("evaluations:assignments", code=cycle.code)


def settings_page(request: HttpRequest, code: str) -> HttpResponse:
    """Deadlines, the spread threshold, extensions and the phase actions."""
    cycle = get_cycle(request.user, code)
    require_office(request.user, cycle)
    calendar = selectors.calendar_for(cycle=cycle)
    form = CalendarForm(
        request.POST if request.POST.get("action") == "calendar" else None,
        instance=calendar,
        initial={"version": calendar.version},
    )
    extension_form = ExtensionForm(request.POST if request.POST.get("action") == "extend" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "calendar" and form.is_valid():
            values = {name: form.cleaned_data[name] for name in CalendarForm.Meta.fields}
            try:
                services.update_calendar(
                    cycle=cycle,
                    values=values,
                    version=form.cleaned_data["version"],
                    by=request.user,
                )
            except ValidationError as exc:
                report_errors(request, exc)
            else:
                messages.success(request, _("已保存评估安排。"))
                return redirect("evaluations:settings", code=cycle.code)
        elif action == "extend" and extension_form.is_valid():
            unit = Unit.objects.filter(
                code=extension_form.cleaned_data["unit_code"], participations__cycle=cycle
            ).first()
            if unit is None:
                messages.error(request, _("单位代码不存在或未参加本年度考评。"))
            else:
                try:
                    services.grant_extension(
                        cycle=cycle,
                        unit=unit,
                        until=extension_form.cleaned_data["until"],
                        reason=extension_form.cleaned_data["reason"],
                        by=request.user,
                    )
                except ValidationError as exc:
                    report_errors(request, exc)
                else:
                    messages.success(request, _("已批准延期。"))
                    return redirect("evaluations:settings", code=cycle.code)
        else:
            messages.error(request, _("请检查填写的内容。"))
    context = {
        "cycle": cycle,
        "form": form,
        "extension_form": extension_form,
        "extensions": DeadlineExtension.objects.filter(cycle=cycle).select_related(
            "unit", "granted_by"
        )[:100],
        "phase_form": PhaseForm(),
        "spreads": selectors.wide_spreads(cycle=cycle, threshold=calendar.spread_threshold),
        "threshold": calendar.spread_threshold,
    }
    return render(request, "evaluations/settings.html", context)


@require_POST
def phase_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    require_office(request.user, cycle)
    form = PhaseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if action == "publish":
            finalize.publish_results(cycle=cycle, by=request.user)
            messages.success(request, _("已公示初步结果，申诉期开始。"))
        elif action == "finalize":
            snapshot = finalize.finalize_cycle(cycle=cycle, by=request.user)
            messages.success(
                request, _("已定档，结果哈希 %(hash)s。") % {"hash": snapshot.results_hash[:16]}
            )
        elif action == "reopen":
            finalize.reopen_cycle(cycle=cycle, by=request.user, reason=reason)
            messages.success(request, _("已重新打开，回到公示阶段。"))
        else:
            messages.error(request, _("未知操作。"))
    except ValidationError as exc:
        report_errors(request, exc)
    return redirect("evaluations:settings", code=cycle.code)


def compare(request: HttpRequest, code: str) -> HttpResponse:
    """Published and final results side by side, line by line. A unit sees its own rows."""
    cycle = get_cycle(request.user, code)
    published, final = finalize.compare_snapshots(cycle=cycle)
    from jixiao.accounts.permissions import can_manage_evaluations, unit_ids_of

    office = can_manage_evaluations(request.user, cycle)
    own_codes: set[str] | None = None
    if not office:
        own_codes = set(
            Unit.objects.filter(pk__in=unit_ids_of(request.user, cycle)).values_list(
                "code", flat=True
            )
        )
        if not own_codes:
            require_office(request.user, cycle)
    before = published.rows if published else {}
    after = final.rows if final else {}
    codes = sorted(set(before) | set(after))
    if own_codes is not None:
        codes = [c for c in codes if c in own_codes]
    only_changed = request.GET.get("changed") == "1"
    units = []
    for unit_code in codes:
        b, a = before.get(unit_code, {}), after.get(unit_code, {})
        keys = list(finalize.COMPONENTS) + sorted(
            set(b.get("leaves", {})) | set(a.get("leaves", {}))
        )
        lines = []
        for key in keys:
            old = b.get(key) if key in finalize.COMPONENTS else b.get("leaves", {}).get(key)
            new = a.get(key) if key in finalize.COMPONENTS else a.get("leaves", {}).get(key)
            lines.append({"key": key, "old": old, "new": new, "changed": old != new})
        changed = any(line["changed"] for line in lines)
        if only_changed and not changed:
            continue
        units.append(
            {
                "code": unit_code,
                "name": (a or b).get("name", unit_code),
                "lines": lines,
                "changed": changed,
            }
        )
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "cycle": cycle,
        "published": published,
        "final": final,
        "page": page,
        "only_changed": only_changed,
        "office": office,
    }
    return render(request, "evaluations/compare.html", context)
