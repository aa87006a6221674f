"""Shapes of the adjustments endpoints: standards, claims, inspections, findings, city
incentives. Points go out as decimal strings, as stored."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from jixiao.adjustments.models import InspectionKind, Level
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


# Writes ----------------------------------------------------------------------------------------
#
# These check only the shape of a request. Limits the services own (a category the cycle has,
# a positive count, decimal places, a non-negative number) are left open here so that the
# service's message, naming its field, is the one the client gets.


def decimal_in(**kwargs: Any) -> serializers.DecimalField:
    """A decimal as the client wrote it; the service checks the cycle's places and the sign."""
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


class EvidenceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class ClaimDetailSerializer(ClaimSerializer):
    evidence = EvidenceSerializer(many=True, source="evidence.all")


class ClaimCreateSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(help_text="Code of a unit whose operator you are")
    category = serializers.IntegerField(help_text="1–6; the cycle must have a standard for it")
    title = serializers.CharField(max_length=300)
    authority = serializers.CharField(max_length=200)
    document_no = serializers.CharField(max_length=100, required=False, allow_blank=True)
    issued_on = serializers.DateField()
    evidence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Files (multipart): PDF, image, Word, Excel or OFD, 10 MB each",
    )


class ClaimEditSerializer(serializers.Serializer[Any]):
    category = serializers.IntegerField()
    title = serializers.CharField(max_length=300)
    authority = serializers.CharField(max_length=200)
    document_no = serializers.CharField(max_length=100, allow_blank=True)
    issued_on = serializers.DateField()


class ClaimTransitionSerializer(serializers.Serializer[Any]):
    to = serializers.ChoiceField(
        choices=["submitted", "endorsed", "draft", "approved", "adjusted", "rejected"],
        help_text=(
            "submitted (the unit's operator); endorsed or draft = returned, with a reason "
            "(the unit's leader); approved at the standard's points, adjusted with points "
            "and a reason, or rejected with a reason (the office)"
        ),
    )
    points = decimal_in(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class EvidenceUploadSerializer(serializers.Serializer[Any]):
    evidence = serializers.FileField(help_text="PDF, image, Word, Excel or OFD, 10 MB at most")


class FindingWriteSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(help_text="Unit code")
    standard = serializers.CharField(
        required=False, allow_blank=True, help_text="Code of an item of the deduction standard"
    )
    count = serializers.IntegerField(default=1)
    description = serializers.CharField(max_length=300)


class FindingCreateSerializer(FindingWriteSerializer):
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="JPG or PNG (multipart)"
    )


class InspectionWriteSerializer(serializers.Serializer[Any]):
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    inspectors = serializers.CharField(max_length=300)
    findings = FindingWriteSerializer(many=True, required=False)


class InspectionDetailSerializer(InspectionSerializer):
    findings = FindingSerializer(many=True, source="findings_list")


class FindingTransitionSerializer(serializers.Serializer[Any]):
    to = serializers.ChoiceField(
        choices=["answered", "contested", "confirmed", "withdrawn"],
        help_text=(
            "answered or contested with a response, before the deadline (the unit); "
            "confirmed or withdrawn, with a reason to withdraw or to change a decision "
            "(the office)"
        ),
    )
    response = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class LinkSerializer(serializers.Serializer[Any]):
    other = serializers.IntegerField(help_text="Id of the same occurrence found at another level")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class PhotoUploadSerializer(serializers.Serializer[Any]):
    photo = serializers.FileField(help_text="JPG or PNG, 10 MB at most")


class PhotoSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class BonusStandardWriteSerializer(serializers.Serializer[Any]):
    category = serializers.IntegerField(min_value=1, max_value=6)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    points = decimal_in()
    cap = decimal_in(required=False, allow_null=True, default=None)
    stack = serializers.BooleanField(default=True)


class DeductionStandardWriteSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32)
    description = serializers.CharField(max_length=300)
    points = decimal_in()


class MultipliersWriteSerializer(serializers.Serializer[Any]):
    district = decimal_in()
    city = decimal_in()
    province = decimal_in()


class StandardsWriteSerializer(serializers.Serializer[Any]):
    bonus = BonusStandardWriteSerializer(
        many=True, help_text="Every category the cycle has; a category left out is removed"
    )
    bonus_total_cap = decimal_in(allow_null=True)
    multipliers = MultipliersWriteSerializer()
    answer_days = serializers.IntegerField()
    deduction = DeductionStandardWriteSerializer(
        many=True,
        required=False,
        help_text=(
            "The whole deduction standard: items are matched by code; an item left out is "
            "deleted unless a finding cites it. Left out entirely: unchanged."
        ),
    )


class CityIncentiveWriteSerializer(serializers.Serializer[Any]):
    points = decimal_in()
    source = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, default="", max_length=300
    )
