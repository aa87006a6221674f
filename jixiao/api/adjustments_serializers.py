"""Shapes of the adjustments endpoints: standards, claims, inspections, findings, city
incentives. Points go out as decimal strings, as stored."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from jixiao.api.serializers import plain_decimal


class BonusStandardSerializer(serializers.Serializer[Any]):
    category = serializers.IntegerField()
    # Named like a Field attribute: the serializer's metaclass takes it out of the class
    # namespace, so it does not shadow ``Field.label``.
    label = serializers.CharField()  # type: ignore[assignment]
    points = plain_decimal()
    cap = plain_decimal(null=True)
    stack = serializers.BooleanField()


class DeductionStandardSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    description = serializers.CharField()
    points = plain_decimal()


class StandardsSerializer(serializers.Serializer[Any]):
    bonus = BonusStandardSerializer(many=True)
    bonus_total_cap = plain_decimal(null=True)
    deduction = DeductionStandardSerializer(many=True)
    multipliers = serializers.DictField(child=plain_decimal())
    answer_days = serializers.IntegerField()


class ClaimSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    category = serializers.IntegerField()
    title = serializers.CharField()
    authority = serializers.CharField()
    document_no = serializers.CharField()
    issued_on = serializers.DateField()
    claimed_points = plain_decimal()
    approved_points = plain_decimal(null=True)
    state = serializers.CharField()
    decision_reason = serializers.CharField()


class InspectionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    held_on = serializers.DateField()
    place = serializers.CharField()
    kind = serializers.CharField()
    level = serializers.CharField()
    inspectors = serializers.CharField()
    finding_count = serializers.IntegerField()


class FindingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    inspection = serializers.IntegerField(source="inspection_id")
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    held_on = serializers.DateField(source="inspection.held_on")
    level = serializers.CharField(source="inspection.level")
    standard = serializers.CharField(source="standard.code")
    points = serializers.DecimalField(
        source="standard.points", max_digits=None, decimal_places=None, read_only=True
    )
    count = serializers.IntegerField()
    description = serializers.CharField()
    state = serializers.CharField()
    answer_due = serializers.DateField()
    response = serializers.CharField()
    decision_reason = serializers.CharField()
    same_as = serializers.IntegerField(source="same_as_id", allow_null=True)
    counted = serializers.SerializerMethodField()

    def get_counted(self, obj: Any) -> bool:
        """Whether the engine deducts this finding (confirmed, not superseded by a link)."""
        return bool(obj.item_id)


class CityIncentiveSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    points = plain_decimal()
    source = serializers.CharField()  # type: ignore[assignment]
