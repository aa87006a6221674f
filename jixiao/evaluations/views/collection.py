"""A data-collection unit's pages: the grid of units × its leaves, the Excel round trip."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import Unit
from jixiao.accounts.permissions import collection_unit_ids_of
from jixiao.cycles.models import Cycle
from jixiao.evaluations import excel, selectors, services
from jixiao.evaluations.forms import UploadForm
from jixiao.evaluations.permissions import get_cycle
from jixiao.evaluations.views.common import report_errors

PAGE_SIZE = 50


def _collection_unit(request: HttpRequest, cycle: Cycle) -> tuple[Unit, list[Unit]]:
    """The collection unit the page is for (``?as=`` when the user scores for several)."""
    ids = collection_unit_ids_of(request.user, cycle)
    if not ids:
        raise PermissionDenied
    mine = list(Unit.objects.filter(pk__in=ids).order_by("code"))
    wanted = request.GET.get("as") or request.POST.get("as")
    chosen = next((u for u in mine if u.code == wanted), mine[0]) if wanted else mine[0]
    if wanted and chosen.code != wanted:
        raise Http404
    return chosen, mine


def grid(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    collector, mine = _collection_unit(request, cycle)
    leaves = selectors.collected_leaves(cycle=cycle, collection_unit=collector)
    paginator = Paginator(selectors.assessed_units(cycle=cycle), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    units = [p.unit for p in page.object_list]
    values = selectors.collection_values(cycle=cycle, leaves=leaves, unit_ids=[u.pk for u in units])
    if request.method == "POST":
        entries, errors = _posted_entries(request, cycle, units, leaves, values)
        if errors:
            for error in errors:
                messages.error(request, error)
        else:
            try:
                changed = services.save_collection_values(
                    cycle=cycle, collection_unit=collector, entries=entries, by=request.user
                )
            except ValidationError as exc:
                report_errors(request, exc)
            else:
                messages.success(request, _("已保存 %(n)s 项采集数据。") % {"n": changed})
        return redirect(f"{request.path}?as={collector.code}&page={page.number}")
    cols = excel.columns(leaves)
    rows = [
        {
            "unit": unit,
            "cells": [
                {
                    "leaf": leaf,
                    "field": name,
                    "name": f"v-{unit.pk}-{leaf.pk}-{name}",
                    "value": _plain(getattr(values.get((unit.pk, leaf.pk)), name, None)),
                }
                for leaf, name in cols
            ],
            "tokens": [
                {
                    "name": f"t-{unit.pk}-{leaf.pk}",
                    "value": services.version_token(
                        getattr(values.get((unit.pk, leaf.pk)), "updated_at", None)
                    ),
                }
                for leaf in leaves
            ],
        }
        for unit in units
    ]
    context = {
        "cycle": cycle,
        "collector": collector,
        "mine": mine,
        "leaves": leaves,
        "columns": [{"leaf": leaf, "label": excel.FIELD_LABELS[name]} for leaf, name in cols],
        "rows": rows,
        "page": page,
        "writable": cycle.phase == "assessment" and not cycle.is_locked,
        "upload_form": UploadForm(),
    }
    return render(request, "evaluations/collection_grid.html", context)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def _posted_entries(
    request: HttpRequest, cycle: Cycle, units: list[Unit], leaves: list[Any], values: dict[Any, Any]
) -> tuple[list[services.CollectionEntry], list[str]]:
    """The cells of the page whose posted values differ from the stored ones."""
    entries: list[services.CollectionEntry] = []
    errors: list[str] = []
    for unit in units:
        for leaf in leaves:
            row = values.get((unit.pk, leaf.pk))
            entry = services.CollectionEntry(
                unit=unit,
                indicator=leaf,
                token=request.POST.get(f"t-{unit.pk}-{leaf.pk}", ""),
                where=f"{unit.name} {leaf.code}",
            )
            differs = False
            for name in services.fields_for(leaf.method):
                raw = request.POST.get(f"v-{unit.pk}-{leaf.pk}-{name}", "").strip()
                try:
                    value: Any = Decimal(raw) if raw else None
                except InvalidOperation:
                    errors.append(
                        f"{unit.name} {leaf.code}: " + _("“%(raw)s”不是数字") % {"raw": raw}
                    )
                    continue
                if name == "finding_count" and value is not None:
                    if value != value.to_integral_value():
                        errors.append(f"{unit.name} {leaf.code}: " + _("发现问题数必须是整数"))
                        continue
                    value = int(value)
                setattr(entry, name, value)
                if value != (getattr(row, name) if row is not None else None):
                    differs = True
            if differs:
                entries.append(entry)
    return entries, errors


def template(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    collector, _mine = _collection_unit(request, cycle)
    leaves = selectors.collected_leaves(cycle=cycle, collection_unit=collector)
    units = [p.unit for p in selectors.assessed_units(cycle=cycle)]
    values = selectors.collection_values(cycle=cycle, leaves=leaves)
    data = excel.build_template(
        cycle=cycle, collection_unit=collector, leaves=leaves, units=units, values=values
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="collection-{cycle.code}-{collector.code}.xlsx"'
    )
    return response


SESSION_KEY = "evaluations.collection_upload"


@require_POST
def upload(request: HttpRequest, code: str) -> HttpResponse:
    """Read an uploaded grid and show what it would change; nothing is saved yet."""
    cycle = get_cycle(request.user, code)
    collector, _mine = _collection_unit(request, cycle)
    form = UploadForm(request.POST, request.FILES)
    back = redirect(f"/cycles/{cycle.code}/collection/?as={collector.code}")
    if not form.is_valid():
        messages.error(request, _("请选择要上传的 .xlsx 文件。"))
        return back
    file = form.cleaned_data["file"]
    if file.size > excel.MAX_UPLOAD_BYTES:
        messages.error(request, _("文件超过 10 MB。"))
        return back
    leaves = selectors.collected_leaves(cycle=cycle, collection_unit=collector)
    participations = selectors.assessed_units(cycle=cycle)
    units_by_code = {p.unit.code: p.unit for p in participations}
    parsed = excel.parse_upload(
        stream=file, cycle=cycle, leaves=leaves, units_by_code=units_by_code
    )
    values = selectors.collection_values(cycle=cycle, leaves=leaves)
    changes = []
    for entry in parsed.entries:
        row = values.get((entry.unit.pk, entry.indicator.pk))
        for name in services.fields_for(entry.indicator.method):
            old = getattr(row, name) if row is not None else None
            new = getattr(entry, name)
            if old != new:
                changes.append(
                    {
                        "unit": entry.unit,
                        "leaf": entry.indicator,
                        "field": excel.FIELD_LABELS[name],
                        "old": old,
                        "new": new,
                    }
                )
    token = ""
    if not parsed.errors and changes:
        token = secrets.token_urlsafe(16)
        changed_cells = {(c["unit"].pk, c["leaf"].pk) for c in changes}
        request.session[SESSION_KEY] = {
            "token": token,
            "cycle": cycle.pk,
            "collector": collector.pk,
            "entries": [
                {
                    "unit": e.unit.pk,
                    "leaf": e.indicator.pk,
                    "values": {
                        n: None if getattr(e, n) is None else str(getattr(e, n))
                        for n in services.fields_for(e.indicator.method)
                    },
                    "version": services.version_token(
                        getattr(values.get((e.unit.pk, e.indicator.pk)), "updated_at", None)
                    ),
                }
                for e in parsed.entries
                if (e.unit.pk, e.indicator.pk) in changed_cells
            ],
        }
    context = {
        "cycle": cycle,
        "collector": collector,
        "errors": parsed.errors,
        "changes": changes,
        "token": token,
        "file_name": file.name,
    }
    return render(request, "evaluations/collection_preview.html", context)


@require_POST
def confirm_upload(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request.user, code)
    collector, _mine = _collection_unit(request, cycle)
    stored = request.session.get(SESSION_KEY) or {}
    back = redirect(f"/cycles/{cycle.code}/collection/?as={collector.code}")
    if (
        not stored
        or stored.get("token") != request.POST.get("token")
        or stored.get("cycle") != cycle.pk
        or stored.get("collector") != collector.pk
    ):
        messages.error(request, _("预览已失效，请重新上传。"))
        return back
    leaves = {
        leaf.pk: leaf for leaf in selectors.collected_leaves(cycle=cycle, collection_unit=collector)
    }
    units = {p.unit.pk: p.unit for p in selectors.assessed_units(cycle=cycle)}
    entries = []
    for row in stored["entries"]:
        leaf, unit = leaves.get(row["leaf"]), units.get(row["unit"])
        if leaf is None or unit is None:
            messages.error(request, _("预览已失效，请重新上传。"))
            return back
        values: dict[str, Any] = {
            name: (None if raw is None else (int(raw) if name == "finding_count" else Decimal(raw)))
            for name, raw in row["values"].items()
        }
        entries.append(
            services.CollectionEntry(unit=unit, indicator=leaf, token=row["version"], **values)
        )
    try:
        changed = services.save_collection_values(
            cycle=cycle,
            collection_unit=collector,
            entries=entries,
            by=request.user,
            reason=_("上传采集表"),
        )
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        del request.session[SESSION_KEY]
        messages.success(request, _("已导入 %(n)s 项采集数据。") % {"n": changed})
    return back
