"""Reads of tasks with their lights, for the dashboards, "my items" and the API.

Each read is a fixed number of queries: the tasks (with unit, leaf and responsible user, and
the latest reported percentage as a subquery) and their milestones in one more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from jixiao.cycles.models import Cycle
from jixiao.tasks.lights import Light, milestone_light, task_light, worst
from jixiao.tasks.models import LightRule, Milestone, ProgressReport, Task, TaskState

DEFAULT_WARN_DAYS = 7


def warn_days(*, cycle: Cycle) -> int:
    rule = LightRule.objects.filter(cycle=cycle).values_list("warn_days", flat=True).first()
    return DEFAULT_WARN_DAYS if rule is None else rule


@dataclass
class MilestoneRow:
    milestone: Milestone
    light: Light


@dataclass
class TaskRow:
    task: Task
    light: Light
    percent: int | None
    milestones: list[MilestoneRow] = field(default_factory=list)


def tasks_qs(*, cycle: Cycle) -> QuerySet[Task]:
    latest = ProgressReport.objects.filter(task=OuterRef("pk")).order_by("-reported_on", "-id")
    return (
        Task.objects.filter(cycle=cycle)
        .select_related("unit", "leaf", "responsible_user")
        .annotate(latest_percent=Subquery(latest.values("percent")[:1]))
        .order_by("unit__code", "leaf__order", "due", "id")
    )


def task_rows(*, tasks: Iterable[Task], today: date, warn: int) -> list[TaskRow]:
    """Lights for ``tasks`` (from ``tasks_qs``) and their milestones: one query more."""
    tasks = list(tasks)
    by_task: dict[int, list[Milestone]] = defaultdict(list)
    for m in Milestone.objects.filter(task__in=[t.pk for t in tasks]).select_related(
        "responsible_user"
    ):
        by_task[m.task_id].append(m)
    rows: list[TaskRow] = []
    for task in tasks:
        milestones = [
            MilestoneRow(
                m,
                milestone_light(
                    due=m.due, done=m.state == TaskState.DONE, today=today, warn_days=warn
                ),
            )
            for m in by_task.get(task.pk, [])
        ]
        percent: int | None = getattr(task, "latest_percent", None)
        light = task_light(
            starts_on=task.starts_on,
            due=task.due,
            done=task.state == TaskState.DONE,
            milestones=[m.light for m in milestones],
            percent=percent,
            today=today,
            warn_days=warn,
        )
        rows.append(TaskRow(task, light, percent, milestones))
    return rows


@dataclass
class UnitLights:
    unit_id: int
    counts: dict[str, int]
    light: Light


def roll_up(rows: Iterable[TaskRow]) -> tuple[dict[int, UnitLights], dict[int, Light], Light]:
    """Lights per unit (with counts), per leaf, and for the whole cycle."""
    units: dict[int, UnitLights] = {}
    leaves: dict[int, list[Light]] = defaultdict(list)
    for row in rows:
        u = units.setdefault(
            row.task.unit_id,
            UnitLights(row.task.unit_id, {"red": 0, "yellow": 0, "green": 0}, Light.NONE),
        )
        u.counts[row.light.value] = u.counts.get(row.light.value, 0) + 1
        u.light = worst([u.light, row.light])
        leaves[row.task.leaf_id].append(row.light)
    leaf_lights = {leaf: worst(lights) for leaf, lights in leaves.items()}
    return units, leaf_lights, worst(u.light for u in units.values())


def filter_tasks(
    qs: QuerySet[Task], *, unit: str = "", group: str = "", person: str = ""
) -> QuerySet[Task]:
    if unit:
        qs = qs.filter(unit__code=unit)
    if group:
        # One join: the unit's participation in this task's cycle, in that group.
        qs = qs.filter(
            unit__participations__cycle=F("cycle"), unit__participations__group__code=group
        )
    if person:
        qs = qs.filter(
            Q(responsible_name__icontains=person)
            | Q(responsible_user__username=person)
            | Q(responsible_user__display_name__icontains=person)
        )
    return qs


def my_items(*, cycle: Cycle, user: Any, today: date, warn: int) -> list[dict[str, Any]]:
    """Open tasks and milestones the user is responsible for, soonest first."""
    tasks = list(tasks_qs(cycle=cycle).filter(responsible_user=user, state=TaskState.OPEN))
    items: list[dict[str, Any]] = [
        {"kind": "task", "task": r.task, "title": r.task.title, "due": r.task.due, "light": r.light}
        for r in task_rows(tasks=tasks, today=today, warn=warn)
    ]
    for m in (
        Milestone.objects.filter(task__cycle=cycle, responsible_user=user, state=TaskState.OPEN)
        .select_related("task__unit")
        .order_by("due", "id")
    ):
        items.append(
            {
                "kind": "milestone",
                "task": m.task,
                "title": m.title,
                "due": m.due,
                "light": milestone_light(due=m.due, done=False, today=today, warn_days=warn),
            }
        )
    items.sort(key=lambda i: (i["due"], i["title"]))
    return items
