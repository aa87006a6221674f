"""The reviewer's pages: the queue of assigned leaves and the scoring of one of them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jixiao.accounts.permissions import is_reviewer
from jixiao.evaluations import selectors, services
from jixiao.evaluations.forms import ReturnForm, ReviewForm
from jixiao.evaluations.models import Part, ReviewScore, SelfEvaluation
from jixiao.evaluations.permissions import get_cycle, get_review_leaf
from jixiao.evaluations.views.common import report_errors


def queue(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    if not is_reviewer(request.user, cycle):
        raise PermissionDenied
    items = selectors.reviewer_queue(reviewer=request.user, cycle=cycle)
    counts = {
        state: sum(1 for i in items if i.state == state)
        for state in ("todo", "done", "returned", "waiting")
    }
    return render(
        request, "evaluations/review_queue.html", {"cycle": cycle, "items": items, "counts": counts}
    )


def review_item(request: HttpRequest, code: str, unit_code: str, leaf_id: int) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    leaf = get_review_leaf(request.user, cycle, unit_code, leaf_id)
    unit = leaf.unit
    assert unit is not None
    item = (
        SelfEvaluation.objects.filter(cycle=cycle, unit=unit, indicator=leaf)
        .select_related("package")
        .prefetch_related("evidence", "returns")
        .first()
    )
    reviews = list(
        ReviewScore.objects.filter(cycle=cycle, unit=unit, indicator=leaf).order_by("id")
    )
    mine = {r.part: r for r in reviews if r.reviewer_id == request.user.pk}
    parts = [(p, str(Part(p).label), pts) for p, pts in services.parts_of(leaf)]
    initial: dict[str, object] = {"comment": next(iter(mine.values())).comment if mine else ""}
    for part, _label, _pts in parts:
        row = mine.get(part)
        initial[f"score_{part}"] = row.score if row else None
        initial[f"version_{part}"] = services.version_token(row.updated_at if row else None)
    form = ReviewForm(request.POST or None, cycle=cycle, parts=parts, initial=initial)
    return_form = ReturnForm(request.POST if "reason" in request.POST else None)
    if request.method == "POST":
        target = redirect(
            "evaluations:review_item", code=cycle.code, unit_code=unit.code, leaf_id=leaf.pk
        )
        if item is None:
            messages.error(request, _("该单位还没有填写这项自评。"))
            return target
        if request.POST.get("action") == "return":
            if return_form.is_valid():
                try:
                    services.return_for_evidence(
                        item=item, reason=return_form.cleaned_data["reason"], by=request.user
                    )
                except ValidationError as exc:
                    report_errors(request, exc)
                else:
                    messages.success(request, _("已退回单位补充材料。"))
                    return redirect("evaluations:review_queue", code=cycle.code)
            else:
                messages.error(request, _("退回必须填写原因。"))
            return target
        if form.is_valid():
            try:
                services.save_review(
                    item=item,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    versions=form.versions(),
                    by=request.user,
                )
            except ValidationError as exc:
                report_errors(request, exc)
            else:
                messages.success(request, _("评分已提交。"))
                return target
        else:
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}：{error}" if label else str(error))
    # Reviewers see the others' scores, without names, only once their own is in.
    others = [r for r in reviews if r.reviewer_id != request.user.pk] if mine else []
    spread = selectors.leaf_spread(cycle=cycle, leaf=leaf, reviews=reviews) if mine else {}
    threshold = selectors.calendar_for(cycle=cycle).spread_threshold
    last_year = selectors.last_year_scores(cycle=cycle, unit_ids={unit.pk}).get(
        (unit.pk, f"performance:{leaf.code}")
    )
    context = {
        "cycle": cycle,
        "unit": unit,
        "leaf": leaf,
        "item": item,
        "form": form,
        "return_form": return_form,
        "mine": mine,
        "others": others,
        "spread": [
            {"part": Part(p).label, "s": s, "wide": s.width > threshold} for p, s in spread.items()
        ],
        "last_year": last_year,
        "can_score": item is not None
        and item.package.state != "draft"
        and not item.returned
        and cycle.phase == "assessment",
    }
    return render(request, "evaluations/review_item.html", context)
