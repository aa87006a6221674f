"""Shapes of the assessment endpoints. Scores are decimal strings, as elsewhere in the API."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "format": "decimal", "example": "85.50"})
class ExactDecimalField(serializers.CharField):
    """A decimal taken exactly as sent: DRF's DecimalField rounds to its places, which would
    turn 1.234 into an accepted 1.23; here the service refuses it for its places."""

    def to_internal_value(self, data: Any) -> Decimal:  # type: ignore[override]
        text = super().to_internal_value(data)
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise serializers.ValidationError("not a number") from None
        if not value.is_finite():
            raise serializers.ValidationError("not a number")
        return value

    def to_representation(self, value: Any) -> str:
        return str(value)


class SelfEvaluationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    leaf = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    points = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    achievement = serializers.CharField(allow_blank=True, max_length=5000)
    claimed_score = ExactDecimalField(allow_null=True)
    version = serializers.IntegerField(min_value=0)
    returned = serializers.BooleanField(read_only=True)
    return_reason = serializers.CharField(read_only=True)
    evidence = serializers.ListField(child=serializers.CharField(), read_only=True)


class ReviewInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    scores = serializers.DictField(
        child=ExactDecimalField(),
        help_text="part → score: total, or completion and progress",
    )
    comment = serializers.CharField(allow_blank=True, required=False, default="")
    versions = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class CollectionEntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    unit = serializers.CharField()
    leaf = serializers.CharField()
    score = ExactDecimalField(allow_null=True, required=False)
    finding_count = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    actual = ExactDecimalField(allow_null=True, required=False)
    target = ExactDecimalField(allow_null=True, required=False)
    version = serializers.CharField(allow_blank=True, required=False, allow_null=True)


class CollectionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    collection_unit = serializers.CharField()
    entries = CollectionEntrySerializer(many=True)


class AppealSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    line_kind = serializers.CharField(read_only=True)
    line_key = serializers.CharField(max_length=64)
    line_value = serializers.CharField(read_only=True)
    reason = serializers.CharField(max_length=5000)
    state = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    ruling = serializers.CharField(read_only=True)
    new_value = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
