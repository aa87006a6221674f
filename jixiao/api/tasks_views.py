"""Tasks, milestones and progress over the API, with their lights. Same services and
predicates as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.models import Unit
from jixiao.accounts.permissions import (
    can_edit_tasks,
    can_view_task_overview,
    can_view_tree,
    unit_ids_of,
)
from jixiao.api.access import get_cycle_for
from jixiao.indicators.models import Indicator, Tree
from jixiao.tasks import selectors
from jixiao.tasks.models import Task, TaskState
from jixiao.tasks.services import add_milestone, add_task, report_progress
from jixiao.tasks.workflow import change_state

CYCLE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="Cycle code")
TASK = OpenApiParameter("pk", int, OpenApiParameter.PATH, description="Task id")


def _errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class MilestoneSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="milestone.pk")
    title = serializers.CharField(source="milestone.title")
    due = serializers.DateField(source="milestone.due")
    responsible = serializers.CharField(source="milestone.responsible")
    state = serializers.CharField(source="milestone.state")
    light = serializers.CharField()


class TaskSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="task.pk")
    unit = serializers.CharField(source="task.unit.code")
    leaf = serializers.CharField(source="task.leaf.code")
    title = serializers.CharField(source="task.title")
    responsible = serializers.CharField(source="task.responsible")
    starts_on = serializers.DateField(source="task.starts_on")
    due = serializers.DateField(source="task.due")
    state = serializers.CharField(source="task.state")
    percent = serializers.IntegerField(allow_null=True)
    light = serializers.CharField()
    milestones = MilestoneSerializer(many=True)


class TaskWriteSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(help_text="Unit code")
    leaf = serializers.CharField(help_text="Code of a performance leaf of the unit")
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    responsible_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    starts_on = serializers.DateField()
    due = serializers.DateField()


class MilestoneWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=300)
    due = serializers.DateField()
    responsible_name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ProgressWriteSerializer(serializers.Serializer[Any]):
    reported_on = serializers.DateField()
    percent = serializers.IntegerField(min_value=0, max_value=100)
    done_text = serializers.CharField()
    problems = serializers.CharField(required=False, allow_blank=True)
    next_steps = serializers.CharField(required=False, allow_blank=True)


class StateSerializer(serializers.Serializer[Any]):
    to = serializers.CharField(help_text="done or open")
    milestone = serializers.IntegerField(required=False, help_text="A milestone of the task")


def _task_for(user: Any, code: str, pk: int, *, edit: bool = False) -> Task:
    cycle = get_cycle_for(user, code)
    task = Task.objects.filter(cycle=cycle, pk=pk).select_related("unit", "cycle", "leaf").first()
    if task is None or not can_view_tree(user, cycle, task.unit):
        raise NotFound
    if edit and not can_edit_tasks(user, cycle, task.unit):
        raise PermissionDenied
    return task


def _row(task: Task) -> Any:
    today = timezone.localdate()
    warn = selectors.warn_days(cycle=task.cycle)
    qs = selectors.tasks_qs(cycle=task.cycle).filter(pk=task.pk)
    return selectors.task_rows(tasks=qs, today=today, warn=warn)[0]


class TaskListView(APIView):
    @extend_schema(
        parameters=[
            CYCLE,
            OpenApiParameter("unit", str, description="Only this unit (code)"),
            OpenApiParameter("light", str, enum=["red", "yellow", "green"]),
        ],
        responses=TaskSerializer(many=True),
    )
    def get(self, request: Request, code: str) -> Response:
        """Tasks with their lights: every unit's for the office and leadership, otherwise the
        user's own units'."""
        cycle = get_cycle_for(request.user, code)
        qs = selectors.tasks_qs(cycle=cycle)
        if not can_view_task_overview(request.user, cycle):
            qs = qs.filter(unit_id__in=unit_ids_of(request.user, cycle))
        if request.query_params.get("unit"):
            qs = qs.filter(unit__code=request.query_params["unit"])
        rows = selectors.task_rows(
            tasks=qs, today=timezone.localdate(), warn=selectors.warn_days(cycle=cycle)
        )
        light = request.query_params.get("light")
        rows = [r for r in rows if not light or r.light.value == light]
        return Response(TaskSerializer(rows, many=True).data)

    @extend_schema(parameters=[CYCLE], request=TaskWriteSerializer, responses={201: TaskSerializer})
    def post(self, request: Request, code: str) -> Response:
        """Add a task under a performance leaf of a unit (the unit's operator)."""
        cycle = get_cycle_for(request.user, code)
        data = TaskWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit = Unit.objects.filter(code=values.pop("unit"), participations__cycle=cycle).first()
        if unit is None or not can_view_tree(request.user, cycle, unit):
            raise NotFound
        if not can_edit_tasks(request.user, cycle, unit):
            raise PermissionDenied
        leaf = Indicator.objects.filter(
            cycle=cycle, tree=Tree.PERFORMANCE, unit=unit, code=values.pop("leaf")
        ).first()
        if leaf is None:
            raise ValidationError({"leaf": "no such indicator"})
        try:
            task = add_task(leaf=leaf, values=values, by=request.user)
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        return Response(TaskSerializer(_row(task)).data, status=201)


class TaskDetailView(APIView):
    @extend_schema(parameters=[CYCLE, TASK], responses=TaskSerializer)
    def get(self, request: Request, code: str, pk: int) -> Response:
        return Response(TaskSerializer(_row(_task_for(request.user, code, pk))).data)


class MilestoneListView(APIView):
    @extend_schema(
        parameters=[CYCLE, TASK], request=MilestoneWriteSerializer, responses={201: TaskSerializer}
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        task = _task_for(request.user, code, pk, edit=True)
        data = MilestoneWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            add_milestone(task=task, values=dict(data.validated_data), by=request.user)
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        return Response(TaskSerializer(_row(task)).data, status=201)


class ProgressListView(APIView):
    @extend_schema(
        parameters=[CYCLE, TASK], request=ProgressWriteSerializer, responses={201: TaskSerializer}
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        """Report progress (attachments are added on the task's page)."""
        task = _task_for(request.user, code, pk, edit=True)
        data = ProgressWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report_progress(task=task, values=dict(data.validated_data), by=request.user)
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        return Response(TaskSerializer(_row(task)).data, status=201)


class StateView(APIView):
    @extend_schema(parameters=[CYCLE, TASK], request=StateSerializer, responses=TaskSerializer)
    def post(self, request: Request, code: str, pk: int) -> Response:
        """Mark the task, or one of its milestones, done or open again."""
        task = _task_for(request.user, code, pk, edit=True)
        data = StateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["to"] not in TaskState.values:
            raise ValidationError({"to": "done or open"})
        obj: Any = task
        if data.validated_data.get("milestone"):
            obj = task.milestones.filter(pk=data.validated_data["milestone"]).first()
            if obj is None:
                raise NotFound
            obj.task = task
        try:
            change_state(
                obj=obj, to=data.validated_data["to"], by=request.user, today=timezone.localdate()
            )
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        return Response(TaskSerializer(_row(task)).data)
