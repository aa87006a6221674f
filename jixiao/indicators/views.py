"""Pages of the indicator trees: the list, the editor, the workflow, Excel import and export.

A tree is addressed by its owner: ``common`` for the common self-construction tree (附件2),
or a unit's code for its performance tree (附件1).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jixiao.accounts.models import Unit
from jixiao.accounts.permissions import (
    can_approve_tree,
    can_edit_tree,
    can_lock_tree,
    can_view_all_results,
    can_view_cycle,
    can_view_tree,
    unit_ids_of,
)
from jixiao.cycles.models import Cycle, Participation
from jixiao.indicators import excel
from jixiao.indicators.checks import Problem, cycle_year, plain
from jixiao.indicators.forms import ImportForm, IndicatorForm, TransitionForm
from jixiao.indicators.models import Indicator, Tree, TreeState, TreeStatus
from jixiao.indicators.selectors import tree_indicators, tree_outline, tree_summaries
from jixiao.indicators.services import (
    MAX_DEPTH,
    ImportMode,
    add_indicator,
    check_rows,
    delete_indicator,
    expected_total,
    get_tree_status,
    import_tree,
    move_indicator,
    update_indicator,
)
from jixiao.indicators.workflow import allowed_targets, change_tree_state

COMMON = "common"
SESSION_PREFIX = "indicator-import:"


@dataclass
class TreeRef:
    cycle: Cycle
    unit: Unit | None
    status: TreeStatus

    @property
    def owner(self) -> str:
        return self.unit.code if self.unit else COMMON

    @property
    def tree(self) -> str:
        return self.status.tree

    @property
    def title(self) -> str:
        if self.unit is None:
            return _("自身建设指标设置分解表（%(points)s分）") % {
                "points": plain(self.cycle.self_construction_total)
            }
        return _("%(unit)s绩效指标任务分解表（%(points)s分）") % {
            "unit": self.unit.name,
            "points": plain(self.cycle.performance_total),
        }


def get_tree_for(request: HttpRequest, code: str, owner: str, *, edit: bool = False) -> TreeRef:
    """The tree if the user may see it (404 otherwise, also for another unit's people); with
    ``edit``, 403 unless the user may also change it."""
    cycle = get_object_or_404(Cycle, code=code)
    if not can_view_cycle(request.user, cycle):
        raise Http404
    unit: Unit | None = None
    if owner != COMMON:
        participation = (
            Participation.objects.filter(cycle=cycle, unit__code=owner)
            .select_related("unit")
            .first()
        )
        if participation is None:
            raise Http404
        unit = participation.unit
    if not can_view_tree(request.user, cycle, unit):
        raise Http404
    if edit and not can_edit_tree(request.user, cycle, unit):
        raise PermissionDenied
    status = get_tree_status(cycle=cycle, unit=unit)
    status.cycle, status.unit = cycle, unit
    return TreeRef(cycle, unit, status)


def _tree_url(ref: TreeRef) -> str:
    return reverse("indicators:tree", args=[ref.cycle.code, ref.owner])


# The list of trees --------------------------------------------------------------------------


def trees(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, code=code)
    if not can_view_cycle(request.user, cycle):
        raise Http404
    participations = Participation.objects.filter(cycle=cycle).select_related("unit", "group")
    if not can_view_all_results(request.user, cycle):
        participations = participations.filter(unit_id__in=unit_ids_of(request.user, cycle))
    participations = participations.order_by("group__order", "unit__code")
    statuses = {
        s.unit_id: s
        for s in TreeStatus.objects.filter(cycle=cycle).only("unit_id", "state", "tree")
    }
    summaries = tree_summaries(cycle=cycle)

    def row(unit: Unit | None, group: str) -> dict[str, Any]:
        key = unit.pk if unit else None
        status = statuses.get(key)
        summary = summaries.get(key)
        expected = cycle.performance_total if unit else cycle.self_construction_total
        total = summary.total if summary else Decimal(0)
        return {
            "owner": unit.code if unit else COMMON,
            "name": unit.name if unit else _("自身建设指标（各单位共用）"),
            "group": group,
            "state": TreeState(status.state) if status else TreeState.DRAFT,
            "nodes": summary.nodes if summary else 0,
            "total": total,
            "expected": expected,
            "adds_up": total == expected,
        }

    rows = [row(None, "")] + [row(p.unit, p.group.name) for p in participations]
    return render(request, "indicators/trees.html", {"cycle": cycle, "rows": rows})


# The editor ---------------------------------------------------------------------------------


def tree(request: HttpRequest, code: str, owner: str) -> HttpResponse:
    ref = get_tree_for(request, code, owner)
    rows = list(
        tree_indicators(cycle=ref.cycle, tree=ref.tree, unit_id=ref.unit.pk if ref.unit else None)
    )
    checked = check_rows(cycle=ref.cycle, tree=ref.tree, rows=rows)
    problems_of: dict[Any, list[Problem]] = {}
    for problem in checked.problems:
        problems_of.setdefault(problem.key, []).append(problem)
    outline = tree_outline(rows)
    user = request.user
    editable = ref.status.is_editable and not ref.cycle.is_locked
    can_edit = editable and can_edit_tree(user, ref.cycle, ref.unit)
    targets = [] if ref.cycle.is_locked else allowed_targets(user, ref.status)
    context = {
        "cycle": ref.cycle,
        "ref": ref,
        "status": ref.status,
        "outline": [
            {
                "row": o,
                "node": o.indicator,
                "problems": problems_of.get(o.indicator.pk, []),
                "can_add_child": o.depth < MAX_DEPTH,
                "indent": range(o.depth - 1),
            }
            for o in outline
        ],
        "tree_problems": problems_of.get(None, []),
        "problem_count": len(checked.problems),
        "checked": checked,
        "is_common": ref.unit is None,
        "can_edit": can_edit,
        "actions": [
            {"to": to, "label": _ACTION_LABELS[to], "needs_reason": to == TreeState.RETURNED}
            for to in targets
        ],
        "can_lock": can_lock_tree(user, ref.cycle),
        "can_approve": can_approve_tree(user, ref.cycle, ref.unit),
    }
    return render(request, "indicators/tree.html", context)


# Lazy: the module is imported once, the label is read in each request's language.
_ACTION_LABELS: dict[str, Any] = {
    TreeState.SUBMITTED: gettext_lazy("提交审核"),
    TreeState.APPROVED: gettext_lazy("审核通过"),
    TreeState.LOCKED: gettext_lazy("锁定"),
    TreeState.RETURNED: gettext_lazy("退回"),
}


def _parents(ref: TreeRef, exclude: Indicator | None = None) -> list[Indicator]:
    """Nodes that may take children (not below the second level), minus ``exclude``'s
    subtree."""
    rows = list(
        tree_indicators(cycle=ref.cycle, tree=ref.tree, unit_id=ref.unit.pk if ref.unit else None)
    )
    outline = tree_outline(rows)
    banned: set[int] = set()
    if exclude is not None:
        banned.add(exclude.pk)
        for o in outline:  # depth first: a child comes after its parent
            if o.indicator.parent_id in banned:
                banned.add(o.indicator.pk)
    return [o.indicator for o in outline if o.depth < MAX_DEPTH and o.indicator.pk not in banned]


def _sibling_context(
    ref: TreeRef, parent: Indicator | None, node: Indicator | None
) -> dict[str, Any]:
    """What the form's running total needs: the parent's points and its other children's."""
    qs = Indicator.objects.filter(cycle=ref.cycle, tree=ref.tree, unit=ref.unit, parent=parent)
    if node is not None and node.pk:
        qs = qs.exclude(pk=node.pk)
    others = sum((p for p in qs.values_list("points", flat=True)), Decimal(0))
    target = parent.points if parent is not None else expected_total(ref.cycle, ref.tree)
    return {"siblings_sum": others, "parent_points": target, "parent": parent}


def node_add(request: HttpRequest, code: str, owner: str) -> HttpResponse:
    ref = get_tree_for(request, code, owner, edit=True)
    parent: Indicator | None = None
    if request.GET.get("parent") or request.POST.get("parent_id"):
        parent = get_object_or_404(
            Indicator,
            pk=request.GET.get("parent") or request.POST.get("parent_id"),
            cycle=ref.cycle,
            tree=ref.tree,
            unit=ref.unit,
        )
    instance = Indicator(cycle=ref.cycle, tree=ref.tree, unit=ref.unit, parent=parent)
    form = IndicatorForm(
        request.POST or None,
        instance=instance,
        cycle=ref.cycle,
        parents=None,
        initial={"code": _next_code(ref, parent)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            node = add_indicator(
                status=ref.status, parent=parent, values=form.values(), by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已添加指标 %(code)s。") % {"code": node.code})
            return redirect(f"{_tree_url(ref)}#node-{node.pk}")
    return render(
        request,
        "indicators/node_form.html",
        {
            "cycle": ref.cycle,
            "ref": ref,
            "form": form,
            "adding": True,
            **_sibling_context(ref, parent, None),
        },
    )


def _next_code(ref: TreeRef, parent: Indicator | None) -> str:
    siblings = Indicator.objects.filter(
        cycle=ref.cycle, tree=ref.tree, unit=ref.unit, parent=parent
    ).count()
    if parent is None:
        return excel.chinese_ordinal(siblings + 1)
    return f"{parent.code}.{siblings + 1}"


def node_edit(request: HttpRequest, code: str, owner: str, pk: int) -> HttpResponse:
    ref = get_tree_for(request, code, owner, edit=True)
    node = get_object_or_404(Indicator, pk=pk, cycle=ref.cycle, tree=ref.tree, unit=ref.unit)
    parents = _parents(ref, exclude=node)
    form = IndicatorForm(request.POST or None, instance=node, cycle=ref.cycle, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            update_indicator(
                status=ref.status, indicator=node, values=form.values(), by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("已保存指标 %(code)s。") % {"code": form.cleaned_data["code"]}
            )
            return redirect(f"{_tree_url(ref)}#node-{pk}")
    stored = Indicator.objects.select_related("parent").get(pk=pk)
    return render(
        request,
        "indicators/node_form.html",
        {
            "cycle": ref.cycle,
            "ref": ref,
            "form": form,
            "node": stored,
            "adding": False,
            **_sibling_context(ref, stored.parent, stored),
        },
    )


def _add_errors(form: IndicatorForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_POST
def node_move(request: HttpRequest, code: str, owner: str, pk: int) -> HttpResponse:
    ref = get_tree_for(request, code, owner, edit=True)
    node = get_object_or_404(Indicator, pk=pk, cycle=ref.cycle, tree=ref.tree, unit=ref.unit)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("无效的移动方向。"))
    else:
        try:
            move_indicator(status=ref.status, indicator=node, direction=direction, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect(f"{_tree_url(ref)}#node-{pk}")


@require_POST
def node_delete(request: HttpRequest, code: str, owner: str, pk: int) -> HttpResponse:
    ref = get_tree_for(request, code, owner, edit=True)
    node = get_object_or_404(Indicator, pk=pk, cycle=ref.cycle, tree=ref.tree, unit=ref.unit)
    try:
        delete_indicator(status=ref.status, indicator=node, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除指标 %(code)s 及其下级指标。") % {"code": node.code})
    return redirect(_tree_url(ref))


@require_POST
def transition(request: HttpRequest, code: str, owner: str) -> HttpResponse:
    ref = get_tree_for(request, code, owner)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("无效的操作。"))
        return redirect(_tree_url(ref))
    to = form.cleaned_data["to"]
    try:
        change_tree_state(
            status=ref.status, to=to, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("指标体系已转为“%(state)s”。") % {"state": TreeState(to).label})
    return redirect(_tree_url(ref))


# Excel --------------------------------------------------------------------------------------


def export(request: HttpRequest, code: str, owner: str) -> HttpResponse:
    ref = get_tree_for(request, code, owner)
    rows = list(
        tree_indicators(cycle=ref.cycle, tree=ref.tree, unit_id=ref.unit.pk if ref.unit else None)
    )
    total = sum((r.points for r in rows if r.parent_id is None), Decimal(0))
    data = excel.export_workbook(
        tree=ref.tree,
        rows=rows,
        title=ref.title,
        unit_name=_("单位：%(unit)s") % {"unit": ref.unit.name} if ref.unit else _("效能办"),
        total=total,
    )
    label = "附件1" if ref.tree == Tree.PERFORMANCE else "附件2"
    filename = f"{ref.cycle.code}-{label}-{ref.owner}.xlsx"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def import_context(ref: TreeRef, mode: str) -> excel.ImportContext:
    units: dict[str, tuple[int, str]] = {}
    for pk, name, short, unit_code in Unit.objects.values_list("pk", "name", "short_name", "code"):
        for key in (unit_code, short, name):  # a full name wins over another unit's short one
            if key:
                units[excel.normalise(key)] = (pk, name)
    existing_top: Decimal | None = None
    codes: frozenset[str] = frozenset()
    if mode == ImportMode.APPEND:
        rows = Indicator.objects.filter(cycle=ref.cycle, tree=ref.tree, unit=ref.unit)
        pairs = list(rows.values_list("code", "points", "parent_id"))
        codes = frozenset(c for c, _p, _parent in pairs)
        existing_top = sum((p for _c, p, parent in pairs if parent is None), Decimal(0))
    return excel.ImportContext(
        tree=ref.tree,
        expected_total=expected_total(ref.cycle, ref.tree),
        year=cycle_year(ref.cycle.code, ref.cycle.name),
        units=units,
        existing_top_points=existing_top,
        existing_codes=codes,
    )


def import_upload(request: HttpRequest, code: str, owner: str) -> HttpResponse:
    ref = get_tree_for(request, code, owner, edit=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"cycle": ref.cycle, "ref": ref, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mode = form.cleaned_data["mode"]
        result = excel.parse_workbook(
            upload.read(), filename=upload.name, context=import_context(ref, mode)
        )
        token = ""
        if result.ok:
            token = secrets.token_urlsafe(16)
            # The parsed tree waits on the server; the confirmation carries only the token.
            request.session[SESSION_PREFIX + token] = {
                "cycle": ref.cycle.code,
                "owner": ref.owner,
                "mode": mode,
                "filename": upload.name,
                "nodes": [n.to_json() for n in result.nodes],
            }
        names = {n.index: n for n in result.nodes}
        context.update(
            {
                "result": result,
                "token": token,
                "mode": mode,
                "filename": upload.name,
                "preview": [
                    {"node": n, "indent": range(n.level - 1), "parent": names.get(n.parent or -1)}
                    for n in result.nodes
                ],
            }
        )
    return render(request, "indicators/import.html", context)


@require_POST
def import_confirm(request: HttpRequest, code: str, owner: str, token: str) -> HttpResponse:
    ref = get_tree_for(request, code, owner, edit=True)
    stored = request.session.get(SESSION_PREFIX + token)
    if not stored or stored["cycle"] != ref.cycle.code or stored["owner"] != ref.owner:
        messages.error(request, _("导入预览已失效，请重新上传文件。"))
        return redirect("indicators:import", ref.cycle.code, ref.owner)
    nodes = [excel.ParsedNode.from_json(n) for n in stored["nodes"]]
    try:
        summary = import_tree(
            status=ref.status,
            nodes=nodes,
            mode=stored["mode"],
            by=request.user,
            reason=stored["filename"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("indicators:import", ref.cycle.code, ref.owner)
    del request.session[SESSION_PREFIX + token]
    messages.success(
        request,
        _("已导入：新增 %(c)s 项，更新 %(u)s 项，删除 %(d)s 项。")
        % {"c": summary.created, "u": summary.updated, "d": summary.deleted},
    )
    return redirect(_tree_url(ref))
