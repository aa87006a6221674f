"""Appeals: a unit lodges one against a line of its preliminary card, the office assigns a
re-check, the re-check rules, the unit reads the ruling."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.permissions import (
    can_appeal,
    can_manage_evaluations,
    can_view_reviewer_names,
    unit_ids_of,
)
from jixiao.evaluations import selectors, services
from jixiao.evaluations.forms import AppealForm, RecheckForm, RulingForm
from jixiao.evaluations.models import (
    AppealState,
    CollectionValue,
    LineKind,
    Part,
    ReviewScore,
)
from jixiao.evaluations.permissions import get_appeal, get_cycle, get_unit, require_office
from jixiao.evaluations.views.common import report_errors


def appeal_list(request: HttpRequest, code: str) -> HttpResponse:
    """The office sees every appeal; a unit its own; a checker those assigned to them."""
    cycle = get_cycle(request.user, code)
    office = can_manage_evaluations(request.user, cycle)
    own = unit_ids_of(request.user, cycle)
    qs = selectors.appeals_of(cycle=cycle, unit_ids=None if office else own)
    if not office:
        qs = qs | selectors.appeals_of(cycle=cycle).filter(checker_id=request.user.pk)
        if not own and not qs.exists():
            raise PermissionDenied
    context = {
        "cycle": cycle,
        "appeals": list(qs.distinct()),
        "office": office,
        "own_units": list(selectors.assessed_units(cycle=cycle).filter(unit_id__in=own)),
        "window_open": selectors.appeal_window_open(cycle=cycle),
        "calendar": selectors.calendar_for(cycle=cycle),
    }
    return render(request, "evaluations/appeal_list.html", context)


def new_appeal(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    unit = get_unit(request.user, cycle, unit_code)
    if not can_appeal(request.user, cycle, unit):
        raise PermissionDenied
    lines = selectors.appealable_lines(cycle=cycle, unit=unit)
    labels: dict[str, str] = {
        LineKind.LEAF.value: _("指标"),
        LineKind.BONUS.value: _("正向激励"),
        LineKind.DEDUCTION.value: _("扣分"),
    }
    choices = [(line.key, f"{labels[line.kind]} · {line.label} · {line.value}") for line in lines]
    form = AppealForm(request.POST or None, request.FILES or None, lines=choices)
    if request.method == "POST" and form.is_valid():
        uploads = [form.cleaned_data["file"]] if form.cleaned_data.get("file") else []
        try:
            appeal = services.lodge_appeal(
                cycle=cycle,
                unit=unit,
                line_key=form.cleaned_data["line_key"],
                reason=form.cleaned_data["reason"],
                uploads=uploads,
                by=request.user,
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(request, _("申诉已提交。"))
            return redirect("evaluations:appeal", code=cycle.code, pk=appeal.pk)
    context = {
        "cycle": cycle,
        "unit": unit,
        "form": form,
        "window_open": selectors.appeal_window_open(cycle=cycle),
        "in_publicity": cycle.phase == "publicity",
        "calendar": selectors.calendar_for(cycle=cycle),
    }
    return render(request, "evaluations/appeal_new.html", context)


def appeal_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    appeal = get_appeal(request.user, cycle, pk)
    office = can_manage_evaluations(request.user, cycle)
    is_checker = appeal.checker_id == request.user.pk
    leaf = (
        selectors.leaf_for_line(cycle=cycle, unit=appeal.unit, line_key=appeal.line_key)
        if appeal.line_kind == LineKind.LEAF
        else None
    )
    reviews: list[ReviewScore] = []
    collection: CollectionValue | None = None
    if leaf is not None and (office or is_checker):
        reviews = list(
            ReviewScore.objects.filter(cycle=cycle, unit=appeal.unit, indicator=leaf)
            .select_related("reviewer")
            .order_by("id")
        )
        collection = CollectionValue.objects.filter(
            cycle=cycle, unit=appeal.unit, indicator=leaf
        ).first()
    show_names = can_view_reviewer_names(request.user, cycle)
    parts = dict(services.parts_of(leaf)) if leaf is not None else {}
    review_fields = [
        (
            r.pk,
            (f"{r.reviewer} · " if show_names else _("评估组成员 %(n)s · ") % {"n": i})
            + str(Part(r.part).label),
            r.score,
            parts.get(r.part, r.score),
        )
        for i, r in enumerate(reviews, start=1)
    ]
    collection_fields = []
    if leaf is not None and leaf.collection_unit_id is not None and (office or is_checker):
        from jixiao.evaluations.excel import FIELD_LABELS

        collection_fields = [
            (name, str(FIELD_LABELS[name]), getattr(collection, name, None))
            for name in services.fields_for(leaf.method)
        ]
    can_rule = (
        appeal.state == AppealState.RECHECKING and (office or is_checker) and not cycle.is_locked
    )
    ruling_form = RulingForm(
        request.POST if request.POST.get("action") == "rule" else None,
        cycle=cycle,
        reviews=review_fields,
        collection=collection_fields,
        initial={"version": appeal.version},
    )
    checkers = [
        (str(u.pk), str(u))
        for u in User.objects.filter(
            memberships__role__in=["office_admin", "reviewer"], is_active=True
        )
        .distinct()
        .order_by("username")
    ]
    recheck_form = RecheckForm(
        request.POST if request.POST.get("action") == "assign" else None,
        checkers=checkers,
        initial={"version": appeal.version},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        target = redirect("evaluations:appeal", code=cycle.code, pk=appeal.pk)
        if action == "assign":
            require_office(request.user, cycle)
            if recheck_form.is_valid():
                checker = User.objects.get(pk=int(recheck_form.cleaned_data["checker"]))
                try:
                    services.assign_recheck(
                        appeal=appeal,
                        checker=checker,
                        version=recheck_form.cleaned_data["version"],
                        by=request.user,
                    )
                except ValidationError as exc:
                    report_errors(request, exc)
                else:
                    messages.success(request, _("已指定复核人。"))
                    return target
        elif action == "rule":
            if not can_rule:
                raise PermissionDenied
            if ruling_form.is_valid():
                try:
                    services.rule_appeal(
                        appeal=appeal,
                        outcome=ruling_form.cleaned_data["outcome"],
                        ruling=ruling_form.cleaned_data["ruling"],
                        version=ruling_form.cleaned_data["version"],
                        review_scores=ruling_form.review_scores(),
                        collection=ruling_form.collection() if collection_fields else None,
                        by=request.user,
                    )
                except ValidationError as exc:
                    report_errors(request, exc)
                else:
                    messages.success(request, _("已作出复核裁定，结果已重新计算。"))
                    return target
            else:
                for field, errors in ruling_form.errors.items():
                    label = ruling_form.fields[field].label if field in ruling_form.fields else ""
                    for error in errors:
                        messages.error(request, f"{label}：{error}" if label else str(error))
    context = {
        "cycle": cycle,
        "appeal": appeal,
        "office": office,
        "can_assign": office and appeal.state == AppealState.SUBMITTED and not cycle.is_locked,
        "can_rule": can_rule,
        "recheck_form": recheck_form,
        "ruling_form": ruling_form,
        "evidence": list(appeal.evidence.all()),
    }
    return render(request, "evaluations/appeal_detail.html", context)
