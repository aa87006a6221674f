"""Pages of bonuses (正向激励), inspections (察访核验) and the city incentive (市对区激励).

Each view fetches its object through a helper that checks permission (a hidden object is a
404), validates a form, calls one service and redirects; a refused change comes back as a
message naming the field, and nothing changes.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import Unit
from jixiao.accounts.permissions import (
    can_answer_finding,
    can_decide_claims,
    can_edit_adjustment_standards,
    can_enter_city_incentives,
    can_record_findings,
    can_view_all_findings,
    can_view_cycle,
    can_view_unit_adjustments,
    is_office_admin,
    is_unit_leader,
    is_unit_operator,
    unit_ids_of,
)
from jixiao.adjustments import excel, selectors, services
from jixiao.adjustments.forms import (
    AnswerForm,
    CityIncentiveForm,
    ClaimForm,
    CopyStandardsForm,
    DecisionForm,
    DeductionStandardForm,
    EvidenceForm,
    FindingDecisionForm,
    FindingForm,
    ImportForm,
    InspectionForm,
    LinkForm,
    ReasonForm,
    StandardsForm,
    apply_errors,
)
from jixiao.adjustments.models import (
    BonusCategory,
    BonusClaim,
    ClaimEvidence,
    ClaimState,
    DeductionStandard,
    Finding,
    FindingPhoto,
    FindingState,
    Inspection,
    Level,
)
from jixiao.cycles.models import Cycle
from jixiao.scoring.types import Level as EngineLevel

# Fetch and check -----------------------------------------------------------------------------


def get_cycle(request: HttpRequest, code: str) -> Cycle:
    cycle = get_object_or_404(Cycle, code=code)
    if not can_view_cycle(request.user, cycle):
        raise Http404
    return cycle


def visible_unit_ids(request: HttpRequest, cycle: Cycle) -> set[int] | None:
    """Whose claims and findings the user may list: None for every unit; else own units.
    Someone with neither gets 403."""
    if is_office_admin(request.user, cycle):
        return None
    own = unit_ids_of(request.user, cycle)
    if not own:
        raise PermissionDenied
    return own


def get_claim(request: HttpRequest, cycle: Cycle, pk: int) -> BonusClaim:
    claim = (
        BonusClaim.objects.filter(cycle=cycle, pk=pk).select_related("unit", "created_by").first()
    )
    if claim is None or not can_view_unit_adjustments(request.user, cycle, claim.unit):
        raise Http404
    return claim


def get_inspection(request: HttpRequest, cycle: Cycle, pk: int) -> Inspection:
    if not can_view_all_findings(request.user, cycle):
        raise Http404
    return get_object_or_404(Inspection.objects.select_related("recorded_by"), cycle=cycle, pk=pk)


def get_finding(request: HttpRequest, cycle: Cycle, pk: int) -> Finding:
    finding = (
        Finding.objects.filter(cycle=cycle, pk=pk)
        .select_related("unit", "standard", "inspection", "same_as__inspection")
        .first()
    )
    if finding is None or not (
        can_view_all_findings(request.user, cycle)
        or can_view_unit_adjustments(request.user, cycle, finding.unit)
    ):
        raise Http404
    return finding


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
    else:
        for message in exc.messages:
            messages.error(request, message)


def _refuse_if_locked(request: HttpRequest, cycle: Cycle) -> HttpResponse | None:
    """A POST to a locked cycle: the message, and back to the same page; nothing changes."""
    if request.method == "POST" and cycle.is_locked:
        messages.error(request, _("%(cycle)s 已定档，不能修改。") % {"cycle": cycle.name})
        return redirect(request.path)
    return None


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    # The section's tabs show the inspection records to those who keep them.
    context["show_inspections"] = can_view_all_findings(request.user, context["cycle"])
    return render(request, template, context)


def _want_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


# Summary -------------------------------------------------------------------------------------


def summary(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    unit_ids = visible_unit_ids(request, cycle)
    totals = selectors.unit_totals(cycle=cycle, unit_ids=unit_ids)
    if _want_xlsx(request):
        return excel.xlsx_response(
            f"{cycle.code}-加减分汇总.xlsx",
            _("加减分汇总"),
            [
                _("单位代码"),
                _("单位"),
                _("申报项数"),
                _("申报分值"),
                _("核准分值"),
                _("计入分值"),
                _("察访问题数"),
                _("区级扣分"),
                _("市、省级扣分"),
                _("市对区激励得分"),
            ],
            (
                [
                    t.unit.code,
                    t.unit.name,
                    t.claims,
                    t.claimed,
                    t.approved,
                    t.counted,
                    t.findings,
                    t.deduction_district,
                    t.deduction_higher,
                    t.city_incentive,
                ]
                for t in totals
            ),
        )
    context = {
        "cycle": cycle,
        "totals": totals,
        "is_office": is_office_admin(request.user, cycle),
        "scheme": cycle.scheme(),
    }
    return _render(request, "adjustments/summary.html", context)


# Standards -----------------------------------------------------------------------------------


def standards(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    if (refused := _refuse_if_locked(request, cycle)) is not None:
        return refused
    can_edit = can_edit_adjustment_standards(request.user, cycle)
    open_for_edit = can_edit and cycle.phase in services.STANDARDS_OPEN_PHASES
    bonus = {s.category: s for s in selectors.bonus_standards(cycle=cycle)}
    deductions = selectors.deduction_standards(cycle=cycle)
    categories = cycle.bonus_categories or {}
    initial: dict[str, Any] = {
        "total_cap": cycle.bonus_total_cap,
        "multiplier_district": cycle.multiplier_district,
        "multiplier_city": cycle.multiplier_city,
        "multiplier_province": cycle.multiplier_province,
        "answer_days": services.answer_days_of(cycle),
    }
    for category in BonusCategory:
        rule = categories.get(str(category.value)) or {}
        standard = bonus.get(category.value)
        initial[f"category_{category.value}_enabled"] = standard is not None
        initial[f"category_{category.value}_points"] = standard.points if standard else None
        initial[f"category_{category.value}_cap"] = rule.get("cap")
        initial[f"category_{category.value}_stack"] = bool(rule.get("stack", True))
    form = StandardsForm(initial=initial)
    deduction_form = DeductionStandardForm()
    others = list(Cycle.objects.exclude(pk=cycle.pk).order_by("-code").values_list("code", "name"))
    copy_form = CopyStandardsForm(cycles=others)
    if request.method == "POST":
        if not open_for_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "save":
                form = StandardsForm(request.POST)
                if form.is_valid():
                    _save_standards(cycle, form, request)
                    messages.success(request, _("已保存加减分标准。"))
                    return redirect("adjustments:standards", code=cycle.code)
            elif action == "add_deduction":
                deduction_form = DeductionStandardForm(request.POST)
                if deduction_form.is_valid():
                    data = deduction_form.cleaned_data
                    existing = next((d for d in deductions if d.code == data["code"].strip()), None)
                    services.save_deduction_standards(
                        cycle=cycle,
                        rows=[
                            services.DeductionStandardRow(
                                existing.pk if existing else None,
                                data["code"],
                                data["description"],
                                data["points"],
                            )
                        ],
                        by=request.user,
                    )
                    messages.success(request, _("已保存扣分标准条目。"))
                    return redirect("adjustments:standards", code=cycle.code)
            elif action == "delete_deduction":
                pk = int(request.POST.get("pk") or 0)
                services.save_deduction_standards(
                    cycle=cycle,
                    rows=[services.DeductionStandardRow(pk, "", "", None, delete=True)],
                    by=request.user,
                )
                messages.success(request, _("已删除扣分标准条目。"))
                return redirect("adjustments:standards", code=cycle.code)
            elif action == "copy":
                copy_form = CopyStandardsForm(request.POST, cycles=others)
                if copy_form.is_valid():
                    source = get_object_or_404(Cycle, code=copy_form.cleaned_data["source"])
                    services.copy_standards(source=source, target=cycle, by=request.user)
                    messages.success(request, _("已从 %(c)s 复制标准。") % {"c": source.name})
                    return redirect("adjustments:standards", code=cycle.code)
        except ValidationError as exc:
            target = {"save": form, "add_deduction": deduction_form, "copy": copy_form}.get(
                action or ""
            )
            if target is not None:
                apply_errors(target, exc)
            else:
                _refused(request, exc)
        except ValueError:
            messages.error(request, _("请求无效。"))
    rows = []
    for category in BonusCategory:
        rule = categories.get(str(category.value)) or {}
        standard = bonus.get(category.value)
        rows.append(
            {
                "category": category.value,
                "label": standard.label if standard else category.label,
                "points": standard.points if standard else None,
                "cap": rule.get("cap"),
                "stack": bool(rule.get("stack", True)),
            }
        )
    context = {
        "cycle": cycle,
        "rows": rows,
        "deductions": deductions,
        "answer_days": services.answer_days_of(cycle),
        "can_edit": can_edit,
        "open_for_edit": open_for_edit,
        "form": form,
        "deduction_form": deduction_form,
        "copy_form": copy_form if others else None,
    }
    return _render(request, "adjustments/standards.html", context)


def _save_standards(cycle: Cycle, form: StandardsForm, request: HttpRequest) -> None:
    data = form.cleaned_data
    services.save_standards(
        cycle=cycle,
        bonus=[
            services.BonusStandardRow(
                category=c.value,
                enabled=bool(data[f"category_{c.value}_enabled"]),
                points=data[f"category_{c.value}_points"],
                cap=data[f"category_{c.value}_cap"],
                stack=bool(data[f"category_{c.value}_stack"]),
            )
            for c in BonusCategory
        ],
        total_cap=data["total_cap"],
        multipliers={
            Level.DISTRICT: data["multiplier_district"],
            Level.CITY: data["multiplier_city"],
            Level.PROVINCE: data["multiplier_province"],
        },
        answer_days=data["answer_days"],
        by=request.user,
    )


# Claims --------------------------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def claims_list(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    unit_ids = visible_unit_ids(request, cycle)
    filters = selectors.ClaimFilters(
        unit_code=request.GET.get("unit", ""),
        category=_int_or_none(request.GET.get("category")),
        state=request.GET.get("state", "") if request.GET.get("state") in ClaimState else "",
    )
    rows = list(selectors.claims(cycle=cycle, unit_ids=unit_ids, filters=filters))
    if _want_xlsx(request):
        return excel.xlsx_response(
            f"{cycle.code}-正向激励申报.xlsx",
            _("正向激励申报"),
            [
                _("编号"),
                _("单位代码"),
                _("单位"),
                _("类别"),
                _("事项"),
                _("发文机关"),
                _("文号"),
                _("发文日期"),
                _("申报分值"),
                _("核定分值"),
                _("状态"),
                _("审核意见"),
            ],
            (
                [
                    c.pk,
                    c.unit.code,
                    c.unit.name,
                    c.category,
                    c.title,
                    c.authority,
                    c.document_no,
                    c.issued_on,
                    c.claimed_points,
                    c.approved_points,
                    c.get_state_display(),
                    c.decision_reason,
                ]
                for c in rows
            ),
        )
    per_unit: dict[int, dict[str, Any]] = {}
    for claim in rows:
        entry = per_unit.setdefault(
            claim.unit_id,
            {"unit": claim.unit, "count": 0, "claimed": Decimal(0), "approved": Decimal(0)},
        )
        entry["count"] += 1
        entry["claimed"] += claim.claimed_points
        entry["approved"] += claim.approved_points or Decimal(0)
    own_units = [] if unit_ids is None else _claimable_units(request, cycle)
    context = {
        "cycle": cycle,
        "claims": rows,
        "per_unit": list(per_unit.values()),
        "filters": filters,
        "units": selectors.participating_units(cycle=cycle, unit_ids=unit_ids),
        "categories": BonusCategory.choices,
        "states": ClaimState.choices,
        "is_office": unit_ids is None,
        "can_claim": bool(own_units) and not cycle.is_locked,
        "query": request.GET.urlencode(),
    }
    return _render(request, "adjustments/claims_list.html", context)


def _claimable_units(request: HttpRequest, cycle: Cycle) -> list[Unit]:
    units = selectors.participating_units(cycle=cycle, unit_ids=unit_ids_of(request.user, cycle))
    return [u for u in units if is_unit_operator(request.user, cycle, u)]


def claim_new(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    if (refused := _refuse_if_locked(request, cycle)) is not None:
        return refused
    units = _claimable_units(request, cycle)
    if not units:
        raise PermissionDenied
    unit = next((u for u in units if u.code == request.GET.get("unit")), units[0])
    categories = [
        (s.category, f"{s.category}. {s.label}（{s.points} 分/项）")
        for s in selectors.bonus_standards(cycle=cycle)
    ]
    form = ClaimForm(categories=categories)
    if request.method == "POST":
        form = ClaimForm(request.POST, request.FILES, categories=categories)
        # The category the cycle lacks is refused by the service, naming the field; let it
        # through the form's choices so that message is the one shown.
        form.fields["category"].choices = [  # type: ignore[attr-defined]
            *categories,
            *[(c.value, c.label) for c in BonusCategory if c.value not in dict(categories)],
        ]
        if form.is_valid():
            data = form.cleaned_data
            try:
                claim = services.create_claim(
                    cycle=cycle,
                    unit=unit,
                    category=data["category"],
                    title=data["title"],
                    authority=data["authority"],
                    document_no=data["document_no"],
                    issued_on=data["issued_on"],
                    evidence=data["evidence"],
                    by=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存草稿，请确认后提交。"))
                return redirect("adjustments:claim", code=cycle.code, pk=claim.pk)
    context = {"cycle": cycle, "unit": unit, "form": form, "has_categories": bool(categories)}
    return _render(request, "adjustments/claim_new.html", context)


def claim_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    cycle = get_cycle(request, code)
    claim = get_claim(request, cycle, pk)
    if (refused := _refuse_if_locked(request, cycle)) is not None:
        return refused
    user = request.user
    is_operator = is_unit_operator(user, cycle, claim.unit)
    is_leader = is_unit_leader(user, cycle, claim.unit)
    is_office = can_decide_claims(user, cycle)
    decision_form = DecisionForm(initial={"points": claim.approved_points})
    evidence_form = EvidenceForm()
    reason_form = ReasonForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        allowed = {
            "submit": is_operator,
            "add_evidence": is_operator,
            "delete_evidence": is_operator,
            "endorse": is_leader,
            "return": is_leader,
            "decide": is_office,
        }
        if not allowed.get(action):
            raise PermissionDenied
        try:
            if action == "submit":
                services.submit_claim(claim=claim, by=user)
                messages.success(request, _("已提交单位负责人审核。"))
            elif action == "endorse":
                services.endorse_claim(claim=claim, by=user)
                messages.success(request, _("已同意，报效能办审核。"))
            elif action == "return":
                reason_form = ReasonForm(request.POST)
                if reason_form.is_valid():
                    services.return_claim(
                        claim=claim, reason=reason_form.cleaned_data["reason"], by=user
                    )
                    messages.success(request, _("已退回经办人。"))
            elif action == "add_evidence":
                evidence_form = EvidenceForm(request.POST, request.FILES)
                if evidence_form.is_valid():
                    services.add_claim_evidence(
                        claim=claim, upload=evidence_form.cleaned_data["evidence"], by=user
                    )
                    messages.success(request, _("已上传佐证材料。"))
            elif action == "delete_evidence":
                evidence = get_object_or_404(
                    ClaimEvidence, claim=claim, pk=_int_or_none(request.POST.get("evidence")) or 0
                )
                services.delete_claim_evidence(evidence=evidence, by=user)
                messages.success(request, _("已删除佐证材料。"))
            elif action == "decide":
                decision_form = DecisionForm(request.POST)
                if decision_form.is_valid():
                    data = decision_form.cleaned_data
                    services.decide_claim(
                        claim=claim,
                        decision=data["decision"],
                        points=data["points"],
                        reason=data["reason"],
                        by=user,
                    )
                    messages.success(request, _("已保存审核结论。"))
        except ValidationError as exc:
            form = {"decide": decision_form, "add_evidence": evidence_form}.get(action)
            if form is not None:
                apply_errors(form, exc)
            else:
                _refused(request, exc)
        else:
            forms_ok = all(
                f.is_bound is False or not f.errors
                for f in (decision_form, evidence_form, reason_form)
            )
            if forms_ok:
                return redirect("adjustments:claim", code=cycle.code, pk=claim.pk)
        claim.refresh_from_db()
    state = claim.state
    locked = cycle.is_locked
    context = {
        "cycle": cycle,
        "claim": claim,
        "evidence": list(claim.evidence.all()),
        "can_edit": is_operator and state == ClaimState.DRAFT and not locked,
        "can_endorse": is_leader and state == ClaimState.SUBMITTED and not locked,
        "can_decide": is_office
        and state not in (ClaimState.DRAFT, ClaimState.SUBMITTED)
        and not locked,
        "decision_form": decision_form,
        "evidence_form": evidence_form,
        "reason_form": reason_form,
    }
    return _render(request, "adjustments/claim_detail.html", context)


def evidence_file(request: HttpRequest, code: str, pk: int, file_id: int) -> FileResponse:
    cycle = get_cycle(request, code)
    claim = get_claim(request, cycle, pk)
    evidence = get_object_or_404(ClaimEvidence, claim=claim, pk=file_id)
    return _serve(evidence.file, evidence.name)


def _serve(field: Any, name: str) -> FileResponse:
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Inspections and findings --------------------------------------------------------------------


def inspections_list(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    if not can_view_all_findings(request.user, cycle):
        raise PermissionDenied
    rows = list(selectors.inspections(cycle=cycle))
    if _want_xlsx(request):
        return excel.xlsx_response(
            f"{cycle.code}-察访核验.xlsx",
            _("察访核验"),
            [
                _("编号"),
                _("察访日期"),
                _("地点"),
                _("方式"),
                _("发现层级"),
                _("察访人员"),
                _("问题数"),
            ],
            (
                [
                    i.pk,
                    i.held_on,
                    i.place,
                    i.get_kind_display(),
                    i.get_level_display(),
                    i.inspectors,
                    i.finding_count,  # type: ignore[attr-defined]
                ]
                for i in rows
            ),
        )
    context = {
        "cycle": cycle,
        "inspections": rows,
        "can_record": can_record_findings(request.user, cycle) and not cycle.is_locked,
    }
    return _render(request, "adjustments/inspections_list.html", context)


def inspection_new(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    if (refused := _refuse_if_locked(request, cycle)) is not None:
        return refused
    if not can_record_findings(request.user, cycle):
        raise PermissionDenied
    form = InspectionForm(initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        form = InspectionForm(request.POST)
        if form.is_valid():
            try:
                inspection = services.record_inspection(
                    cycle=cycle, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已记录察访，请登记发现的问题。"))
                return redirect("adjustments:inspection", code=cycle.code, pk=inspection.pk)
    return _render(request, "adjustments/inspection_new.html", {"cycle": cycle, "form": form})


def inspection_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    cycle = get_cycle(request, code)
    inspection = get_inspection(request, cycle, pk)
    if (refused := _refuse_if_locked(request, cycle)) is not None:
        return refused
    can_record = can_record_findings(request.user, cycle) and not cycle.is_locked
    units = Unit.objects.filter(participations__cycle=cycle).order_by("code")
    standards_qs = DeductionStandard.objects.filter(cycle=cycle).order_by("code")
    form = FindingForm(units=units, standards=standards_qs)
    if request.method == "POST":
        if not can_record_findings(request.user, cycle):
            raise PermissionDenied
        form = FindingForm(request.POST, request.FILES, units=units, standards=standards_qs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_finding(
                    inspection=inspection,
                    unit=data["unit"],
                    standard=data["standard"],
                    count=data["count"],
                    description=data["description"],
                    photos=data["photos"],
                    by=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已登记问题，单位可在期限内答复。"))
                return redirect("adjustments:inspection", code=cycle.code, pk=inspection.pk)
    findings = list(
        Finding.objects.filter(inspection=inspection)
        .select_related("unit", "standard")
        .order_by("unit__code", "id")
    )
    context = {
        "cycle": cycle,
        "inspection": inspection,
        "findings": findings,
        "form": form,
        "can_record": can_record,
    }
    return _render(request, "adjustments/inspection_detail.html", context)


def findings_list(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    if can_view_all_findings(request.user, cycle):
        unit_ids: set[int] | None = None
    else:
        unit_ids = visible_unit_ids(request, cycle)
    filters = selectors.FindingFilters(
        unit_code=request.GET.get("unit", ""),
        state=request.GET.get("state", "") if request.GET.get("state") in FindingState else "",
        level=request.GET.get("level", "") if request.GET.get("level") in Level else "",
    )
    rows = list(selectors.findings(cycle=cycle, unit_ids=unit_ids, filters=filters))
    multipliers = cycle.scheme().multipliers
    for finding in rows:
        level = EngineLevel(finding.inspection.level)
        finding.multiplier = multipliers.get(level, Decimal(1))  # type: ignore[attr-defined]
        finding.amount = (  # type: ignore[attr-defined]
            finding.standard.points * finding.count * finding.multiplier  # type: ignore[attr-defined]
        )
    if _want_xlsx(request):
        return excel.xlsx_response(
            f"{cycle.code}-察访核验问题.xlsx",
            _("察访核验问题"),
            [
                _("编号"),
                _("单位代码"),
                _("单位"),
                _("察访日期"),
                _("发现层级"),
                _("扣分标准条目"),
                _("问题描述"),
                _("次数"),
                _("每次扣分"),
                _("倍数"),
                _("扣分"),
                _("状态"),
                _("答复截止日期"),
                _("同一问题(上级发现)"),
            ],
            (
                [
                    f.pk,
                    f.unit.code,
                    f.unit.name,
                    f.inspection.held_on,
                    f.inspection.get_level_display(),
                    f.standard.code,
                    f.description,
                    f.count,
                    f.standard.points,
                    f.multiplier,  # type: ignore[attr-defined]
                    f.amount,  # type: ignore[attr-defined]
                    f.get_state_display(),
                    f.answer_due,
                    f.same_as_id,
                ]
                for f in rows
            ),
        )
    per_unit: dict[int, dict[str, Any]] = defaultdict(dict)
    for finding in rows:
        entry = per_unit[finding.unit_id]
        if not entry:
            entry.update(unit=finding.unit, count=0, confirmed=Decimal(0))
        entry["count"] += 1
        if finding.item_id is not None:  # what the engine deducts
            entry["confirmed"] += finding.amount  # type: ignore[attr-defined]
    context = {
        "cycle": cycle,
        "findings": rows,
        "per_unit": list(per_unit.values()),
        "filters": filters,
        "units": selectors.participating_units(cycle=cycle, unit_ids=unit_ids),
        "states": FindingState.choices,
        "levels": Level.choices,
        "query": request.GET.urlencode(),
        "today": timezone.localdate(),
    }
    return _render(request, "adjustments/findings_list.html", context)


def finding_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    cycle = get_cycle(request, code)
    finding = get_finding(request, cycle, pk)
    if (refused := _refuse_if_locked(request, cycle)) is not None:
        return refused
    user = request.user
    locked = cycle.is_locked
    today = timezone.localdate()
    can_answer = (
        can_answer_finding(user, cycle, finding.unit)
        and finding.state == FindingState.RECORDED
        and not locked
    )
    can_decide = can_decide_claims(user, cycle) and not locked
    can_add_photo = can_record_findings(user, cycle) and not locked
    answer_form = AnswerForm()
    decision_form = FindingDecisionForm()
    link_form = LinkForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        allowed = {
            "answer": can_answer_finding(user, cycle, finding.unit),
            "decide": can_decide_claims(user, cycle),
            "link": can_decide_claims(user, cycle),
            "unlink": can_decide_claims(user, cycle),
            "add_photo": can_record_findings(user, cycle),
        }
        if not allowed.get(action):
            raise PermissionDenied
        bound: Any = None
        try:
            if action == "answer":
                bound = answer_form = AnswerForm(request.POST)
                if answer_form.is_valid():
                    services.answer_finding(
                        finding=finding,
                        contest=answer_form.cleaned_data["kind"] == "contest",
                        text=answer_form.cleaned_data["response"],
                        by=user,
                    )
                    messages.success(request, _("已提交答复。"))
            elif action == "decide":
                bound = decision_form = FindingDecisionForm(request.POST)
                if decision_form.is_valid():
                    services.decide_finding(
                        finding=finding,
                        confirm=decision_form.cleaned_data["decision"] == FindingState.CONFIRMED,
                        reason=decision_form.cleaned_data["reason"],
                        by=user,
                    )
                    messages.success(request, _("已保存处理结论。"))
            elif action == "link":
                bound = link_form = LinkForm(request.POST)
                if link_form.is_valid():
                    other = Finding.objects.filter(
                        cycle=cycle, pk=link_form.cleaned_data["other"]
                    ).first()
                    if other is None:
                        raise ValidationError({"other": _("没有这个编号的察访问题。")})
                    services.link_findings(
                        finding=finding,
                        other=other,
                        reason=link_form.cleaned_data["reason"],
                        by=user,
                    )
                    messages.success(request, _("已关联为同一问题，只按较高层级扣分一次。"))
            elif action == "unlink":
                services.unlink_finding(finding=finding, by=user)
                messages.success(request, _("已取消关联。"))
            elif action == "add_photo":
                upload = request.FILES.get("photo")
                if upload is None:
                    raise ValidationError({"photos": _("请选择照片。")})
                services.add_finding_photo(finding=finding, upload=upload, by=user)
                messages.success(request, _("已上传照片。"))
        except ValidationError as exc:
            if bound is not None:
                apply_errors(bound, exc)
            else:
                _refused(request, exc)
        else:
            if bound is None or not bound.errors:
                return redirect("adjustments:finding", code=cycle.code, pk=finding.pk)
        finding = get_finding(request, cycle, pk)
    multiplier = cycle.scheme().multipliers.get(EngineLevel(finding.inspection.level), Decimal(1))
    context = {
        "cycle": cycle,
        "finding": finding,
        "photos": list(finding.photos.all()),
        "duplicates": list(finding.duplicates.select_related("inspection")),
        "multiplier": multiplier,
        "amount": finding.standard.points * finding.count * multiplier,
        "overdue": today > finding.answer_due,
        "can_answer": can_answer and today <= finding.answer_due,
        "can_decide": can_decide,
        "can_add_photo": can_add_photo,
        "answer_form": answer_form,
        "decision_form": decision_form,
        "link_form": link_form,
    }
    return _render(request, "adjustments/finding_detail.html", context)


def photo_file(request: HttpRequest, code: str, pk: int, file_id: int) -> FileResponse:
    cycle = get_cycle(request, code)
    finding = get_finding(request, cycle, pk)
    photo = get_object_or_404(FindingPhoto, finding=finding, pk=file_id)
    return _serve(photo.file, photo.name)


# City incentive ------------------------------------------------------------------------------

_IMPORT_KEY = "adjustments_city_import"


def city_incentives(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    if (refused := _refuse_if_locked(request, cycle)) is not None:
        return refused
    if not can_enter_city_incentives(request.user, cycle):
        raise PermissionDenied
    table = selectors.city_incentive_table(cycle=cycle)
    if _want_xlsx(request):
        return excel.xlsx_response(
            f"{cycle.code}-市对区激励得分.xlsx",
            _("激励得分"),
            excel.HEADERS,
            ([u.code, u.name, e.points if e else None, e.source if e else ""] for u, e in table),
        )
    if request.GET.get("template"):
        return excel.template_response()
    units = Unit.objects.filter(participations__cycle=cycle).order_by("code")
    form = CityIncentiveForm(units=units)
    import_form = ImportForm()
    preview: dict[str, Any] | None = None
    problems: list[excel.ImportProblem] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "save":
                form = CityIncentiveForm(request.POST, units=units)
                if form.is_valid():
                    data = form.cleaned_data
                    services.save_city_incentives(
                        cycle=cycle,
                        rows=[
                            services.CityIncentiveRow(data["unit"], data["points"], data["source"])
                        ],
                        by=request.user,
                    )
                    messages.success(
                        request, _("已保存 %(u)s 的激励得分。") % {"u": data["unit"].name}
                    )
                    return redirect("adjustments:city_incentives", code=cycle.code)
            elif action == "preview":
                import_form = ImportForm(request.POST, request.FILES)
                if import_form.is_valid():
                    by_code = {u.code: u for u in units}
                    rows, problems = excel.parse_city_incentives(
                        import_form.cleaned_data["file"], units=by_code, precision=cycle.precision
                    )
                    if not problems and not rows:
                        problems = [excel.ImportProblem(0, "", _("文件中没有数据行。"))]
                    if not problems:
                        token = uuid.uuid4().hex
                        request.session[_IMPORT_KEY] = {
                            "token": token,
                            "cycle": cycle.code,
                            "rows": [
                                [r.unit_code, None if r.points is None else str(r.points), r.source]
                                for r in rows
                            ],
                        }
                        current = {u.pk: e for u, e in table}
                        preview = {
                            "token": token,
                            "rows": [
                                {
                                    "row": r,
                                    "current": current.get(by_code[r.unit_code].pk),
                                }
                                for r in rows
                            ],
                        }
            elif action == "confirm":
                stored = request.session.get(_IMPORT_KEY) or {}
                if (
                    stored.get("token") != request.POST.get("token")
                    or stored.get("cycle") != cycle.code
                ):
                    messages.error(request, _("导入预览已失效，请重新上传文件。"))
                    return redirect("adjustments:city_incentives", code=cycle.code)
                by_code = {u.code: u for u in units}
                missing = [c for c, _p, _s in stored["rows"] if c not in by_code]
                if missing:
                    raise ValidationError(
                        _("单位“%(c)s”未参加本年度考评。") % {"c": "、".join(missing)}
                    )
                changed = services.save_city_incentives(
                    cycle=cycle,
                    rows=[
                        services.CityIncentiveRow(by_code[c], None if p is None else Decimal(p), s)
                        for c, p, s in stored["rows"]
                    ],
                    by=request.user,
                    reason=_("Excel 导入"),
                )
                del request.session[_IMPORT_KEY]
                messages.success(
                    request, _("已导入，%(n)s 个单位的激励得分有变化。") % {"n": changed}
                )
                return redirect("adjustments:city_incentives", code=cycle.code)
            else:
                raise PermissionDenied
        except ValidationError as exc:
            if action == "save":
                apply_errors(form, exc)
            else:
                _refused(request, exc)
    context = {
        "cycle": cycle,
        "table": table,
        "total": sum((e.points for _u, e in table if e is not None), Decimal(0)),
        "form": form,
        "import_form": import_form,
        "preview": preview,
        "problems": problems,
        "locked": cycle.is_locked,
    }
    return _render(request, "adjustments/city_incentives.html", context)
