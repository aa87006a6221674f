"""A unit's pages: self-evaluation with evidence, the leader's approval, evidence downloads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.permissions import (
    can_approve_self_evaluation,
    can_edit_self_evaluation,
    can_manage_evaluations,
)
from jixiao.evaluations import selectors, services
from jixiao.evaluations.files import INLINE_KINDS, content_type
from jixiao.evaluations.forms import EvidenceForm, SelfEvaluationForm, SubmitForm
from jixiao.evaluations.models import PackageState
from jixiao.evaluations.permissions import get_cycle, get_evidence, get_unit
from jixiao.evaluations.views.common import report_errors


def self_evaluation(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    unit = get_unit(request.user, cycle, unit_code)
    rows = selectors.self_evaluation_rows(cycle=cycle, unit=unit)
    package = selectors.package_for(cycle=cycle, unit=unit)
    can_edit = can_edit_self_evaluation(request.user, cycle, unit)
    window_open = selectors.self_evaluation_window_open(cycle=cycle, unit=unit)
    editable_ids = set()
    for row in rows:
        if package.state == PackageState.DRAFT or (row.item is not None and row.item.returned):
            editable_ids.add(row.leaf.pk)
        row.form = SelfEvaluationForm(  # type: ignore[attr-defined]
            cycle=cycle,
            prefix=f"leaf{row.leaf.pk}",
            initial={
                "achievement": row.item.achievement if row.item else "",
                "claimed_score": row.item.claimed_score if row.item else None,
                "version": row.item.version if row.item else 0,
            },
        )
    context = {
        "cycle": cycle,
        "unit": unit,
        "rows": rows,
        "package": package,
        "calendar": selectors.calendar_for(cycle=cycle),
        "window_open": window_open,
        "can_edit": can_edit and window_open and cycle.phase == "assessment",
        "editable_ids": editable_ids,
        "can_submit": can_approve_self_evaluation(request.user, cycle, unit)
        and window_open
        and package.state != PackageState.SUBMITTED
        and cycle.phase == "assessment",
        "submit_form": SubmitForm(initial={"version": package.version or 1}),
        "evidence_form": EvidenceForm(),
        "is_office": can_manage_evaluations(request.user, cycle),
    }
    return render(request, "evaluations/self_evaluation.html", context)


def _leaf(request: HttpRequest, code: str, unit_code: str, leaf_id: int):  # type: ignore[no-untyped-def]
    cycle = get_cycle(request.user, code)
    unit = get_unit(request.user, cycle, unit_code)
    if not can_edit_self_evaluation(request.user, cycle, unit):
        raise PermissionDenied
    leaf = selectors.performance_leaves(cycle=cycle, unit=unit).filter(pk=leaf_id).first()
    if leaf is None:
        raise Http404
    return cycle, unit, leaf


@require_POST
def save_self_evaluation(
    request: HttpRequest, code: str, unit_code: str, leaf_id: int
) -> HttpResponse:
    cycle, unit, leaf = _leaf(request, code, unit_code, leaf_id)
    form = SelfEvaluationForm(request.POST, cycle=cycle, prefix=f"leaf{leaf.pk}")
    target = redirect("evaluations:self_evaluation", code=cycle.code, unit_code=unit.code)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{leaf.code} {label}：{error}")
        return target
    try:
        services.save_self_evaluation(
            cycle=cycle,
            unit=unit,
            indicator=leaf,
            achievement=form.cleaned_data["achievement"],
            claimed_score=form.cleaned_data["claimed_score"],
            version=form.cleaned_data["version"],
            by=request.user,
        )
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, _("已保存指标 %(code)s 的自评。") % {"code": leaf.code})
    return redirect(f"{target.url}#leaf-{leaf.pk}")


@require_POST
def upload_evidence(request: HttpRequest, code: str, unit_code: str, leaf_id: int) -> HttpResponse:
    cycle, unit, leaf = _leaf(request, code, unit_code, leaf_id)
    target = redirect("evaluations:self_evaluation", code=cycle.code, unit_code=unit.code)
    form = EvidenceForm(request.POST, request.FILES)
    item = leaf.self_evaluations.filter(cycle=cycle, unit=unit).select_related("package").first()
    if item is None:
        messages.error(
            request, _("请先保存指标 %(code)s 的自评，再上传佐证材料。") % {"code": leaf.code}
        )
        return target
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
        return target
    try:
        services.add_evidence(
            upload=form.cleaned_data["file"], self_evaluation=item, by=request.user
        )
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, _("已上传佐证材料。"))
    return redirect(f"{target.url}#leaf-{leaf.pk}")


@require_POST
def remove_evidence(request: HttpRequest, code: str, unit_code: str, pk: int) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    unit = get_unit(request.user, cycle, unit_code)
    evidence = get_evidence(request.user, cycle, pk)
    if evidence.unit_id != unit.pk or not can_edit_self_evaluation(request.user, cycle, unit):
        raise PermissionDenied
    try:
        services.remove_evidence(evidence=evidence, by=request.user)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, _("已删除佐证材料。"))
    return redirect("evaluations:self_evaluation", code=cycle.code, unit_code=unit.code)


@require_POST
def submit_self_evaluation(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    unit = get_unit(request.user, cycle, unit_code)
    if not can_approve_self_evaluation(request.user, cycle, unit):
        raise PermissionDenied
    form = SubmitForm(request.POST)
    package = selectors.package_for(cycle=cycle, unit=unit)
    if form.is_valid() and package.pk is None:
        messages.error(request, _("还没有填写任何自评。"))
    elif form.is_valid():
        try:
            services.submit_self_evaluation(
                package=package, version=form.cleaned_data["version"], by=request.user
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(request, _("自评材料已审核并提交联合评估组。"))
    return redirect("evaluations:self_evaluation", code=cycle.code, unit_code=unit.code)


def evidence_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """An evidence file, to those entitled: its unit, the office, its reviewers or checker."""
    cycle = get_cycle(request.user, code)
    evidence = get_evidence(request.user, cycle, pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=evidence.kind not in INLINE_KINDS,
        filename=evidence.name,
        content_type=content_type(evidence.kind),
    )
    # Served from the application's own origin: forbid scripts in whatever the file holds.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response


def my_self_evaluation(request: HttpRequest, code: str) -> HttpResponse:
    """The header's link: the user's own unit's self-evaluation."""
    from jixiao.accounts.permissions import unit_ids_of
    from jixiao.evaluations.selectors import assessed_units

    cycle = get_cycle(request.user, code)
    own = assessed_units(cycle=cycle).filter(unit_id__in=unit_ids_of(request.user, cycle)).first()
    if own is None:
        raise Http404
    return redirect("evaluations:self_evaluation", code=cycle.code, unit_code=own.unit.code)
