"""Read-only shapes of the API. Scores go out as decimal strings, never floats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jixiao.cycles.models import Phase
from jixiao.indicators.models import Aggregation, Method, Source
from jixiao.scoring.rounding import quantize


def plain_decimal(*, null: bool = False) -> serializers.DecimalField:
    """A decimal written as stored ("1000.00", "0.3"), without re-rounding."""
    return serializers.DecimalField(
        max_digits=None, decimal_places=None, read_only=True, allow_null=null
    )


@extend_schema_field({"type": "string", "format": "decimal", "example": "899.80"})
class ScoreField(serializers.Field[Decimal, Decimal, str, Any]):
    """A score rounded half up to the cycle's precision (``context["precision"]``): "899.80"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return format(quantize(value, self.context["precision"]), "f")


# Cycles ------------------------------------------------------------------------------------


class CycleListSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    phase_label = serializers.CharField(source="get_phase_display")
    computed_at = serializers.DateTimeField(allow_null=True)


class GradeBandSerializer(serializers.Serializer[Any]):
    grade = serializers.CharField()
    min = plain_decimal()


class GradeQuotaSerializer(serializers.Serializer[Any]):
    grade = serializers.CharField()
    share = plain_decimal()


class GradeRuleSerializer(serializers.Serializer[Any]):
    mode = serializers.ChoiceField(choices=["bands", "quotas"])
    bands = GradeBandSerializer(many=True)
    quotas = GradeQuotaSerializer(many=True)
    rest = serializers.CharField(help_text="The grade of every unit no band or quota takes.")


class BonusCategorySerializer(serializers.Serializer[Any]):
    category = serializers.IntegerField()
    cap = plain_decimal(null=True)
    stack = serializers.BooleanField(help_text="False: only the highest approved item counts.")


class MultipliersSerializer(serializers.Serializer[Any]):
    district = plain_decimal()
    city = plain_decimal()
    province = plain_decimal()


class GroupSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    order = serializers.IntegerField()
    units = serializers.IntegerField(help_text="Number of participating units.")


class CycleDetailSerializer(CycleListSerializer):
    formula = serializers.CharField()
    precision = serializers.IntegerField()
    scale = plain_decimal()
    performance_total = plain_decimal()
    self_construction_total = plain_decimal()
    bonus_categories = BonusCategorySerializer(many=True)
    bonus_total_cap = plain_decimal(null=True)
    multipliers = MultipliersSerializer()
    grade_rule = GradeRuleSerializer()
    groups = GroupSerializer(many=True)
    results_hash = serializers.CharField(help_text="Empty until the first recompute.")


# Units -------------------------------------------------------------------------------------


class GroupRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ParticipationSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    short_name = serializers.CharField(source="unit.short_name")
    group = GroupRefSerializer()


# Indicator trees ---------------------------------------------------------------------------


class IndicatorNodeSerializer(serializers.Serializer[Any]):
    """One node; ``children`` holds the nodes below it (empty for a leaf)."""

    code = serializers.CharField()
    name = serializers.CharField()
    order = serializers.IntegerField()
    points = plain_decimal()
    method = serializers.ChoiceField(choices=Method.choices, allow_blank=True)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices)
    points_per_finding = plain_decimal(null=True)
    completion_points = plain_decimal(null=True)
    progress_points = plain_decimal(null=True)
    # A field named like a Field attribute: the serializer's metaclass takes it out of the
    # class namespace, so it does not shadow ``Field.source``.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Source.choices, allow_blank=True
    )
    source_detail = serializers.CharField()
    target = serializers.CharField()
    rule = serializers.CharField()
    collection_unit = serializers.CharField(source="collection_unit.code", allow_null=True)
    deadline = serializers.DateField(allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["children"] = IndicatorNodeSerializer(many=True, source="tree_children")
        return fields


class IndicatorTreeSerializer(serializers.Serializer[Any]):
    tree = serializers.CharField()
    unit = serializers.CharField(allow_null=True, help_text="Blank for the common tree.")
    indicators = IndicatorNodeSerializer(many=True)


# Results -----------------------------------------------------------------------------------


class ComponentsSerializer(serializers.Serializer[Any]):
    performance = ScoreField()
    self_construction = ScoreField()
    indicator = ScoreField()
    city_incentive = ScoreField()
    public = ScoreField()
    bonus = ScoreField()
    deduction = ScoreField()


class ResultSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    group = serializers.CharField(source="group.code")
    composite = ScoreField()
    rank = serializers.IntegerField()
    grade = serializers.CharField()
    provisional = serializers.BooleanField(
        help_text="True while an input is missing (e.g. no public score yet)."
    )
    components = ComponentsSerializer(source="*")


class ExplanationSerializer(serializers.Serializer[Any]):
    """One step of the explanation: its value, the rule that made it, and its parts."""

    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # (see IndicatorNode.source)
    value = serializers.CharField()
    rule = serializers.CharField()
    missing = serializers.BooleanField()
    inputs = serializers.ListField(child=serializers.DictField())
    code = serializers.CharField(required=False)
    points = serializers.CharField(required=False)
    method = serializers.CharField(required=False, allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["children"] = ExplanationSerializer(many=True)
        return fields


@extend_schema_field(ExplanationSerializer)
class ExplanationField(serializers.JSONField):
    """The engine's explanation, passed through as the engine wrote it."""


class ResultDetailSerializer(ResultSerializer):
    missing = serializers.ListField(child=serializers.CharField())
    computed_at = serializers.DateTimeField()
    explanation = ExplanationField(
        allow_null=True,
        help_text="Worked from the unit's current inputs; null when the unit has none.",
    )


class RecomputeSummarySerializer(serializers.Serializer[Any]):
    units = serializers.IntegerField()
    provisional = serializers.IntegerField()
    results_hash = serializers.CharField()
    computed_at = serializers.DateTimeField()
