"""Writes of tasks, milestones and progress reports; each with the acting user, in one
transaction, with an audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle
from jixiao.indicators.checks import cycle_year
from jixiao.indicators.models import Indicator, Tree
from jixiao.tasks.models import LightRule, Milestone, ProgressAttachment, ProgressReport, Task

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
TASK_FIELDS = ("title", "description", "responsible_user", "responsible_name", "starts_on", "due")
MILESTONE_FIELDS = ("title", "due", "responsible_user", "responsible_name")


def _writable(cycle: Cycle) -> None:
    if cycle.is_locked:
        raise ValidationError(_("该考评年度已定档，任务不能再变更"), code="cycle_locked")


def _check_dates(cycle: Cycle, values: dict[str, Any]) -> None:
    year = cycle_year(cycle.code, cycle.name)
    errors: dict[str, str] = {}
    for field in ("starts_on", "due"):
        day = values.get(field)
        if isinstance(day, date) and year is not None and day.year != year:
            errors[field] = _("日期须在 %(year)s 年度内") % {"year": year}
    start, due = values.get("starts_on"), values.get("due")
    if isinstance(start, date) and isinstance(due, date) and due < start:
        errors["due"] = _("完成时限不能早于开始日期")
    if errors:
        raise ValidationError(errors)


def _snapshot(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    return {f: getattr(obj, f + "_id" if f == "responsible_user" else f) for f in fields}


def add_task(*, leaf: Indicator, values: dict[str, Any], by: Any) -> Task:
    """A task under a performance leaf (not under a node with children)."""
    if leaf.tree != Tree.PERFORMANCE or leaf.unit_id is None:
        raise ValidationError(_("任务只能挂在业绩指标下"))
    if Indicator.objects.filter(parent=leaf).exists():
        raise ValidationError(_("任务只能挂在末级指标下"))
    _writable(leaf.cycle)
    _check_dates(leaf.cycle, values)
    with transaction.atomic():
        task = Task(cycle=leaf.cycle, unit_id=leaf.unit_id, leaf=leaf)
        for f in TASK_FIELDS:
            if f in values:
                setattr(task, f, values[f])
        task.full_clean()
        task.save()
        record_audit(
            by=by,
            action="add_task",
            obj=task,
            cycle_code=leaf.cycle.code,
            new=_snapshot(task, TASK_FIELDS),
        )
    return task


def update_task(*, task: Task, values: dict[str, Any], by: Any) -> Task:
    _writable(task.cycle)
    _check_dates(task.cycle, {**_snapshot(task, TASK_FIELDS), **values})
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        old = _snapshot(locked, TASK_FIELDS)
        for f in TASK_FIELDS:
            if f in values:
                setattr(locked, f, values[f])
        locked.full_clean()
        locked.save()
        record_audit(
            by=by,
            action="update_task",
            obj=locked,
            cycle_code=task.cycle.code,
            old=old,
            new=_snapshot(locked, TASK_FIELDS),
        )
    return locked


def delete_task(*, task: Task, by: Any) -> None:
    _writable(task.cycle)
    with transaction.atomic():
        record_audit(
            by=by,
            action="delete_task",
            obj=task,
            cycle_code=task.cycle.code,
            old=_snapshot(task, TASK_FIELDS),
        )
        task.delete()


def add_milestone(*, task: Task, values: dict[str, Any], by: Any) -> Milestone:
    _writable(task.cycle)
    _check_dates(task.cycle, {"due": values.get("due")})
    with transaction.atomic():
        milestone = Milestone(task=task)
        for f in MILESTONE_FIELDS:
            if f in values:
                setattr(milestone, f, values[f])
        milestone.full_clean()
        milestone.save()
        record_audit(
            by=by,
            action="add_milestone",
            obj=milestone,
            cycle_code=task.cycle.code,
            new=_snapshot(milestone, MILESTONE_FIELDS),
        )
    return milestone


def report_progress(
    *,
    task: Task,
    values: dict[str, Any],
    files: Sequence[UploadedFile[Any]] = (),
    by: Any,
) -> ProgressReport:
    """A progress report with its attachments (each at most 10 MB)."""
    _writable(task.cycle)
    for upload in files:
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise ValidationError({"files": _("附件“%(name)s”超过 10 MB") % {"name": upload.name}})
    with transaction.atomic():
        report = ProgressReport(task=task, by=by if getattr(by, "pk", None) else None, **values)
        report.full_clean(exclude=["by"])
        report.save()
        for upload in files:
            ProgressAttachment.objects.create(
                report=report, file=upload, name=(upload.name or "")[:200], size=upload.size or 0
            )
        record_audit(
            by=by,
            action="report_progress",
            obj=report,
            cycle_code=task.cycle.code,
            new={"percent": report.percent, "reported_on": report.reported_on, "files": len(files)},
        )
    return report


def set_warn_days(*, cycle: Cycle, days: int, by: Any) -> LightRule:
    with transaction.atomic():
        rule, _created = LightRule.objects.select_for_update().get_or_create(cycle=cycle)
        old = rule.warn_days
        rule.warn_days = days
        rule.full_clean()
        rule.save()
        record_audit(
            by=by,
            action="set_warn_days",
            obj=rule,
            cycle_code=cycle.code,
            old={"warn_days": old},
            new={"warn_days": days},
        )
    return rule
