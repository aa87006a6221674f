"""Pages of task decomposition: the office dashboard, a unit's dashboard, "my items due",
a task with its milestones and progress reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import Membership, Role, Unit, User
from jixiao.accounts.permissions import (
    can_edit_tasks,
    can_manage_cycle,
    can_view_cycle,
    can_view_task_overview,
    can_view_tree,
    unit_ids_of,
)
from jixiao.cycles.models import Cycle, Participation
from jixiao.cycles.selectors import groups as cycle_groups
from jixiao.indicators.models import Indicator, Tree
from jixiao.indicators.selectors import tree_indicators, tree_outline
from jixiao.tasks import selectors
from jixiao.tasks.forms import FilterForm, MilestoneForm, ProgressForm, TaskForm, WarnDaysForm
from jixiao.tasks.models import Milestone, ProgressAttachment, Task, TaskState
from jixiao.tasks.services import (
    add_milestone,
    add_task,
    report_progress,
    set_warn_days,
    update_task,
)
from jixiao.tasks.workflow import change_state


def _cycle(request: HttpRequest, code: str) -> Cycle:
    cycle = get_object_or_404(Cycle, code=code)
    if not can_view_cycle(request.user, cycle):
        raise Http404
    return cycle


def _unit(request: HttpRequest, cycle: Cycle, unit_code: str) -> Unit:
    participation = (
        Participation.objects.filter(cycle=cycle, unit__code=unit_code)
        .select_related("unit")
        .first()
    )
    if participation is None or not can_view_tree(request.user, cycle, participation.unit):
        raise Http404
    return participation.unit


def get_task_for(request: HttpRequest, code: str, pk: int, *, edit: bool = False) -> Task:
    """The task if the user may see its unit (404 otherwise); with ``edit``, 403 unless the
    user is the unit's operator."""
    cycle = _cycle(request, code)
    task = (
        Task.objects.filter(cycle=cycle, pk=pk)
        .select_related("unit", "leaf", "cycle", "responsible_user")
        .first()
    )
    if task is None or not can_view_tree(request.user, cycle, task.unit):
        raise Http404
    if edit and not can_edit_tasks(request.user, cycle, task.unit):
        raise PermissionDenied
    return task


def _people(unit: Unit) -> Any:
    """Accounts that can be named responsible: the unit's own people."""
    ids = Membership.objects.filter(
        unit=unit, role__in=[Role.UNIT_OPERATOR, Role.UNIT_LEADER]
    ).values("user_id")
    return User.objects.filter(pk__in=ids)


def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    cycle = _cycle(request, code)
    if not can_view_task_overview(request.user, cycle):
        own = unit_ids_of(request.user, cycle)
        unit = (
            Participation.objects.filter(cycle=cycle, unit_id__in=own)
            .select_related("unit")
            .order_by("unit__code")
            .first()
        )
        if unit is None:
            raise PermissionDenied
        return redirect("tasks:unit", cycle.code, unit.unit.code)
    participations = list(
        Participation.objects.filter(cycle=cycle)
        .select_related("unit", "group")
        .order_by("group__order", "unit__code")
    )
    form = FilterForm(
        request.GET or None,
        units=[(p.unit.code, p.unit.name) for p in participations],
        groups=[(g.code, g.name) for g in cycle_groups(cycle=cycle)],
    )
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    warn = selectors.warn_days(cycle=cycle)
    qs = selectors.filter_tasks(
        selectors.tasks_qs(cycle=cycle),
        unit=filters.get("unit", ""),
        group=filters.get("group", ""),
        person=filters.get("person", ""),
    )
    rows = selectors.task_rows(tasks=qs, today=today, warn=warn)
    units, _leaves, overall = selectors.roll_up(rows)
    light = filters.get("light", "")
    shown = [r for r in rows if not light or r.light.value == light]
    unit_rows = [
        {"participation": p, "lights": units.get(p.unit_id)}
        for p in participations
        if p.unit_id in units or not any(filters.values())
    ]
    context = {
        "cycle": cycle,
        "form": form,
        "rows": shown,
        "unit_rows": unit_rows,
        "overall": overall,
        "warn": warn,
        "today": today,
        "warn_form": WarnDaysForm(initial={"warn_days": warn})
        if can_manage_cycle(request.user, cycle)
        else None,
    }
    return render(request, "tasks/dashboard.html", context)


@require_POST
def warn_days(request: HttpRequest, code: str) -> HttpResponse:
    cycle = _cycle(request, code)
    if not can_manage_cycle(request.user, cycle):
        raise PermissionDenied
    form = WarnDaysForm(request.POST)
    if form.is_valid():
        set_warn_days(cycle=cycle, days=form.cleaned_data["warn_days"], by=request.user)
        messages.success(request, _("已保存预警天数。"))
    else:
        messages.error(request, _("预警天数须为 0 到 365 之间的整数。"))
    return redirect("tasks:dashboard", cycle.code)


def unit_dashboard(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    cycle = _cycle(request, code)
    unit = _unit(request, cycle, unit_code)
    today = timezone.localdate()
    warn = selectors.warn_days(cycle=cycle)
    rows = selectors.task_rows(
        tasks=selectors.tasks_qs(cycle=cycle).filter(unit=unit), today=today, warn=warn
    )
    units, leaves, _overall = selectors.roll_up(rows)
    by_leaf: dict[int, list[selectors.TaskRow]] = {}
    for row in rows:
        by_leaf.setdefault(row.task.leaf_id, []).append(row)
    outline = tree_outline(
        list(tree_indicators(cycle=cycle, tree=Tree.PERFORMANCE, unit_id=unit.pk))
    )
    context = {
        "cycle": cycle,
        "unit": unit,
        "outline": [
            {
                "row": o,
                "node": o.indicator,
                "tasks": by_leaf.get(o.indicator.pk, []),
                "light": leaves.get(o.indicator.pk),
            }
            for o in outline
        ],
        "lights": units.get(unit.pk),
        "can_edit": can_edit_tasks(request.user, cycle, unit) and not cycle.is_locked,
        "warn": warn,
        "today": today,
    }
    return render(request, "tasks/unit_dashboard.html", context)


def mine(request: HttpRequest, code: str) -> HttpResponse:
    cycle = _cycle(request, code)
    today = timezone.localdate()
    warn = selectors.warn_days(cycle=cycle)
    items = selectors.my_items(cycle=cycle, user=request.user, today=today, warn=warn)
    return render(
        request, "tasks/mine.html", {"cycle": cycle, "items": items, "today": today, "warn": warn}
    )


def task_add(request: HttpRequest, code: str, unit_code: str, leaf: int) -> HttpResponse:
    cycle = _cycle(request, code)
    unit = _unit(request, cycle, unit_code)
    if not can_edit_tasks(request.user, cycle, unit):
        raise PermissionDenied
    node = get_object_or_404(Indicator, pk=leaf, cycle=cycle, unit=unit, tree=Tree.PERFORMANCE)
    form = TaskForm(
        request.POST or None,
        people=_people(unit),
        initial={
            "starts_on": timezone.localdate(),
            "due": node.deadline,
            "responsible_name": node.responsible_person,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = add_task(leaf=node, values=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已添加任务。"))
            return redirect("tasks:task", cycle.code, task.pk)
    return render(
        request, "tasks/task_form.html", {"cycle": cycle, "unit": unit, "leaf": node, "form": form}
    )


def task_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    task = get_task_for(request, code, pk, edit=True)
    form = TaskForm(
        request.POST or None, instance=Task.objects.get(pk=pk), people=_people(task.unit)
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_task(task=task, values=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect("tasks:task", task.cycle.code, task.pk)
    return render(
        request,
        "tasks/task_form.html",
        {"cycle": task.cycle, "unit": task.unit, "leaf": task.leaf, "form": form, "task": task},
    )


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def task_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    task = get_task_for(request, code, pk)
    today = timezone.localdate()
    warn = selectors.warn_days(cycle=task.cycle)
    row = selectors.task_rows(
        tasks=selectors.tasks_qs(cycle=task.cycle).filter(pk=pk), today=today, warn=warn
    )[0]
    can_edit = can_edit_tasks(request.user, task.cycle, task.unit) and not task.cycle.is_locked
    people = _people(task.unit)
    context = {
        "cycle": task.cycle,
        "task": task,
        "row": row,
        "reports": task.reports.select_related("by").prefetch_related("files"),
        "can_edit": can_edit,
        "milestone_form": MilestoneForm(people=people, prefix="m") if can_edit else None,
        "progress_form": ProgressForm(initial={"reported_on": today}, prefix="p")
        if can_edit
        else None,
        "warn": warn,
    }
    return render(request, "tasks/task.html", context)


@require_POST
def milestone_add(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    task = get_task_for(request, code, pk, edit=True)
    form = MilestoneForm(request.POST, people=_people(task.unit), prefix="m")
    if form.is_valid():
        try:
            add_milestone(task=task, values=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(
            request,
            " ".join(
                f"{form.fields[f].label}: {' '.join(str(x) for x in e)}"
                for f, e in form.errors.items()
            ),
        )
    return redirect("tasks:task", task.cycle.code, task.pk)


@require_POST
def state(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Mark the task, or one of its milestones (``milestone`` in the form), done or open."""
    task = get_task_for(request, code, pk, edit=True)
    obj: Task | Milestone = task
    if request.POST.get("milestone"):
        obj = get_object_or_404(Milestone, pk=request.POST["milestone"], task=task)
        obj.task = task
    to = request.POST.get("to", "")
    if to not in TaskState.values:
        raise Http404
    try:
        change_state(obj=obj, to=to, by=request.user, today=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("tasks:task", task.cycle.code, task.pk)


@require_POST
def progress_add(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    task = get_task_for(request, code, pk, edit=True)
    form = ProgressForm(request.POST, request.FILES, prefix="p")
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "attachments"}
        try:
            report_progress(
                task=task,
                values=values,
                files=request.FILES.getlist("p-attachments"),
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已报告进度。"))
    else:
        messages.error(
            request,
            " ".join(
                f"{form.fields[f].label}: {' '.join(str(x) for x in e)}"
                for f, e in form.errors.items()
            ),
        )
    return redirect("tasks:task", task.cycle.code, task.pk)


def attachment_file(request: HttpRequest, code: str, pk: int, file_id: int) -> FileResponse:
    """A progress report's attachment, to those who may see the task's unit (404 otherwise)."""
    task = get_task_for(request, code, pk)
    attachment = ProgressAttachment.objects.filter(pk=file_id, report__task=task).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name
    )
    # Served from the application's own origin: whatever the file holds may not run scripts.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
