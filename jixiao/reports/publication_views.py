"""Finalized results for leaders, the public results page, and verification of a cycle."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jixiao.cycles.models import Cycle
from jixiao.reports import selectors
from jixiao.reports.models import Publication
from jixiao.reports.permissions import (
    can_publish,
    can_verify_cycle,
    can_view_publication,
)
from jixiao.reports.services import set_public_results
from jixiao.reports.views import get_cycle_for_user
from jixiao.scoring.services import verify_cycle


class PublishForm(forms.Form):
    public = forms.BooleanField(label=_("向社会公开本年度结果"), required=False)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


def publication(request: HttpRequest, code: str) -> HttpResponse:
    """The finalized results of every group, as published to leaders."""
    cycle = get_cycle_for_user(request, code)
    if not can_view_publication(request.user, cycle):
        if not cycle.is_locked:
            raise Http404
        raise PermissionDenied
    public = Publication.objects.filter(cycle=cycle, public=True).exists()
    context = {
        "cycle": cycle,
        "tables": selectors.ranking_tables(cycle=cycle),
        "public": public,
        "can_publish": can_publish(request.user, cycle),
        "form": PublishForm(initial={"public": public}),
        "can_view_all": True,
    }
    return render(request, "reports/publication.html", context)


@require_POST
def publication_public(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle_for_user(request, code)
    if not can_publish(request.user, cycle):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            set_public_results(
                cycle=cycle,
                public=form.cleaned_data["public"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                gettext("结果已向社会公开。")
                if form.cleaned_data["public"]
                else gettext("已停止向社会公开结果。"),
            )
    return redirect("publication", code=cycle.code)


@login_not_required
def public_results(request: HttpRequest, code: str) -> HttpResponse:
    """The public page: units, ranks, composites and grades, nothing else (no reviewers, no
    inputs, no personal data). 404 unless the cycle is finalized and the office opened it."""
    cycle = get_object_or_404(Cycle, code=code)
    if not cycle.is_locked or not Publication.objects.filter(cycle=cycle, public=True).exists():
        raise Http404
    return render(
        request,
        "reports/public.html",
        {"public_cycle": cycle, "tables": selectors.ranking_tables(cycle=cycle)},
    )


def verification(request: HttpRequest, code: str) -> HttpResponse:
    """Recompute the cycle from its stored inputs (POST) and list every line that differs."""
    cycle = get_cycle_for_user(request, code)
    if not can_verify_cycle(request.user, cycle):
        raise PermissionDenied
    context: dict[str, Any] = {"cycle": cycle, "report": None, "can_view_all": True}
    if request.method == "POST":
        context["report"] = verify_cycle(cycle=cycle)
    return render(request, "reports/verification.html", context)
