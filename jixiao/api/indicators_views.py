"""Indicator trees over the API: read a tree with its state and problems, add, change and
delete nodes, and move the tree through its approval. Same services and predicates as the
pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.models import Unit
from jixiao.accounts.permissions import can_edit_tree, can_view_tree
from jixiao.api.access import get_cycle_for
from jixiao.api.serializers import IndicatorNodeSerializer
from jixiao.api.views import nest
from jixiao.indicators.models import Indicator, Method, Source, TreeState
from jixiao.indicators.selectors import tree_indicators
from jixiao.indicators.services import (
    add_indicator,
    check_rows,
    delete_indicator,
    get_tree_status,
    update_indicator,
)
from jixiao.indicators.views import COMMON, TreeRef
from jixiao.indicators.workflow import change_tree_state

CYCLE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="Cycle code")
OWNER = OpenApiParameter("owner", str, OpenApiParameter.PATH, description='"common" or a unit code')
NODE = OpenApiParameter("pk", int, OpenApiParameter.PATH, description="Node id")


def get_tree_ref(user: Any, code: str, owner: str, *, edit: bool = False) -> TreeRef:
    """404 for a tree the user may not see; 403 for one they may see but not change."""
    cycle = get_cycle_for(user, code)
    unit: Unit | None = None
    if owner != COMMON:
        unit = Unit.objects.filter(code=owner, participations__cycle=cycle).first()
        if unit is None:
            raise NotFound(_("没有找到单位 %(code)s") % {"code": owner})
    if not can_view_tree(user, cycle, unit):
        raise NotFound(_("没有找到单位 %(code)s") % {"code": owner})
    if edit and not can_edit_tree(user, cycle, unit):
        raise PermissionDenied(_("无权修改该指标体系"))
    return TreeRef(cycle, unit, get_tree_status(cycle=cycle, unit=unit))


def _django_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class ProblemSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()
    difference = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)


class TreeStateSerializer(serializers.Serializer[Any]):
    tree = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    # Plain text rather than a choice: the same states as the ``to`` of a transition, which
    # would otherwise appear in the schema as two enums of one set.
    state = serializers.CharField(help_text="draft, submitted, approved, locked or returned")
    reason = serializers.CharField()
    total = serializers.DecimalField(max_digits=10, decimal_places=2)
    expected = serializers.DecimalField(max_digits=10, decimal_places=2)
    problems = ProblemSerializer(many=True)
    indicators = IndicatorNodeSerializer(many=True)


class NodeWriteSerializer(serializers.Serializer[Any]):
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text="Parent node id"
    )
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=300)
    points = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)
    method = serializers.ChoiceField(choices=Method.choices, required=False, allow_blank=True)
    points_per_finding = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True
    )
    completion_points = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True
    )
    progress_points = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Source.choices, required=False, allow_blank=True
    )
    source_detail = serializers.CharField(required=False, allow_blank=True, max_length=200)
    target = serializers.CharField(required=False, allow_blank=True)
    rule = serializers.CharField(required=False, allow_blank=True)
    collection_unit = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.all(), required=False, allow_null=True
    )
    responsible_office = serializers.CharField(required=False, allow_blank=True, max_length=100)
    responsible_person = serializers.CharField(required=False, allow_blank=True, max_length=100)
    deadline = serializers.DateField(required=False, allow_null=True)


class TransitionSerializer(serializers.Serializer[Any]):
    to = serializers.CharField(help_text="submitted, approved, locked or returned")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _tree_data(ref: TreeRef) -> dict[str, Any]:
    rows = list(
        tree_indicators(cycle=ref.cycle, tree=ref.tree, unit_id=ref.unit.pk if ref.unit else None)
    )
    checked = check_rows(cycle=ref.cycle, tree=ref.tree, rows=rows)
    return {
        "tree": ref.tree,
        "unit": ref.unit.code if ref.unit else None,
        "state": ref.status.state,
        "reason": ref.status.reason,
        "total": checked.total,
        "expected": checked.expected,
        "problems": [
            {"code": p.code, "field": p.field, "message": p.message, "difference": p.difference}
            for p in checked.problems
        ],
        "indicators": nest(rows),
    }


def _parent(ref: TreeRef, pk: int | None) -> Indicator | None:
    if pk is None:
        return None
    parent = Indicator.objects.filter(pk=pk, cycle=ref.cycle, tree=ref.tree, unit=ref.unit).first()
    if parent is None:
        raise ValidationError({"parent": _("上级指标不在这棵指标树中")})
    return parent


class TreeView(APIView):
    @extend_schema(parameters=[CYCLE, OWNER], responses=TreeStateSerializer)
    def get(self, request: Request, code: str, owner: str) -> Response:
        """A tree with its approval state, totals and every problem that stops submission."""
        ref = get_tree_ref(request.user, code, owner)
        return Response(TreeStateSerializer(_tree_data(ref)).data)


class NodeListView(APIView):
    @extend_schema(
        parameters=[CYCLE, OWNER], request=NodeWriteSerializer, responses={201: TreeStateSerializer}
    )
    def post(self, request: Request, code: str, owner: str) -> Response:
        """Add a node (at the end of its parent's children)."""
        ref = get_tree_ref(request.user, code, owner, edit=True)
        data = NodeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent = _parent(ref, values.pop("parent", None))
        try:
            add_indicator(status=ref.status, parent=parent, values=values, by=request.user)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return Response(TreeStateSerializer(_tree_data(ref)).data, status=201)


class NodeDetailView(APIView):
    @extend_schema(
        parameters=[CYCLE, OWNER, NODE], request=NodeWriteSerializer, responses=TreeStateSerializer
    )
    def patch(self, request: Request, code: str, owner: str, pk: int) -> Response:
        """Change a node; a new ``parent`` moves it."""
        ref = get_tree_ref(request.user, code, owner, edit=True)
        node = Indicator.objects.filter(
            pk=pk, cycle=ref.cycle, tree=ref.tree, unit=ref.unit
        ).first()
        if node is None:
            raise NotFound
        data = NodeWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "parent" in values:
            values["parent"] = _parent(ref, values["parent"])
        try:
            update_indicator(status=ref.status, indicator=node, values=values, by=request.user)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return Response(TreeStateSerializer(_tree_data(ref)).data)

    @extend_schema(parameters=[CYCLE, OWNER, NODE], responses={204: None})
    def delete(self, request: Request, code: str, owner: str, pk: int) -> Response:
        """Delete a node and everything below it."""
        ref = get_tree_ref(request.user, code, owner, edit=True)
        node = Indicator.objects.filter(
            pk=pk, cycle=ref.cycle, tree=ref.tree, unit=ref.unit
        ).first()
        if node is None:
            raise NotFound
        try:
            delete_indicator(status=ref.status, indicator=node, by=request.user)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return Response(status=204)


class TransitionView(APIView):
    @extend_schema(
        parameters=[CYCLE, OWNER], request=TransitionSerializer, responses=TreeStateSerializer
    )
    def post(self, request: Request, code: str, owner: str) -> Response:
        """Submit, approve, lock or return (with a reason) the tree."""
        ref = get_tree_ref(request.user, code, owner)
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["to"] not in TreeState.values:
            raise ValidationError({"to": _("须为 %(v)s 之一") % {"v": ", ".join(TreeState.values)}})
        try:
            change_tree_state(
                status=ref.status,
                to=data.validated_data["to"],
                by=request.user,
                reason=data.validated_data["reason"],
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return Response(TreeStateSerializer(_tree_data(ref)).data)
