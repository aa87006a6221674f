"""The office's searchable audit log of a cycle, and the history of one score card line."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jixiao.accounts.permissions import can_view_reviewer_names
from jixiao.core.models import AuditEntry
from jixiao.evaluations import selectors
from jixiao.evaluations.forms import AuditSearchForm
from jixiao.evaluations.permissions import get_cycle, get_unit, require_office

PAGE_SIZE = 50


def _day(value: Any, end: bool) -> datetime | None:
    if value is None:
        return None
    return timezone.make_aware(datetime.combine(value, time.max if end else time.min))


def audit_log(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    require_office(request.user, cycle)
    form = AuditSearchForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "text": data["q"].strip(),
            "action": data["action"].strip(),
            "actor": data["actor"].strip(),
            "since": _day(data["since"], end=False),
            "until": _day(data["until"], end=True),
        }
    entries = selectors.search_audit(cycle=cycle, **filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    actions = (
        AuditEntry.objects.filter(cycle_code=cycle.code)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "cycle": cycle,
        "form": form,
        "page": page,
        "actions": list(actions),
        "query": query.urlencode(),
    }
    return render(request, "evaluations/audit_log.html", context)


def line_history(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    """Every change to one line of a unit's score card (``?line=performance:2.1``). The unit
    sees it too, with reviewers named by number, as on its score card."""
    cycle = get_cycle(request.user, code)
    unit = get_unit(request.user, cycle, unit_code)
    line = request.GET.get("line", "")[:64]
    entries = list(selectors.line_history(cycle=cycle, unit=unit, line_key=line)[:500])
    show_names = can_view_reviewer_names(request.user, cycle)
    numbers: dict[int | None, int] = {}
    rows = []
    for entry in entries:
        who: str
        if show_names or entry.object_type != "evaluations.reviewscore":
            who = str(entry.actor) if entry.actor else "—"
        else:
            number = numbers.setdefault(entry.actor_id, len(numbers) + 1)
            who = f"#{number}"
        rows.append({"entry": entry, "who": who, "masked": who.startswith("#")})
    leaf = selectors.leaf_for_line(cycle=cycle, unit=unit, line_key=line)
    context = {"cycle": cycle, "unit": unit, "line": line, "leaf": leaf, "rows": rows}
    return render(request, "evaluations/line_history.html", context)
