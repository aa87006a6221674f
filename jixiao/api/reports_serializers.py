"""Serializers of the report endpoints: score cards with last year, verification reports."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from jixiao.api.serializers import ComponentsSerializer, ExplanationField, ScoreField


class PreviousYearSerializer(serializers.Serializer[Any]):
    cycle = serializers.CharField(help_text="Code of the previous cycle")
    composite = ScoreField()
    rank = serializers.IntegerField()
    grade = serializers.CharField()
    components = ComponentsSerializer()


class ScoreCardSerializer(serializers.Serializer[Any]):
    cycle = serializers.CharField()
    unit = serializers.CharField()
    unit_name = serializers.CharField()
    group = serializers.CharField()
    group_size = serializers.IntegerField()
    composite = ScoreField()
    rank = serializers.IntegerField()
    grade = serializers.CharField()
    provisional = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    components = ComponentsSerializer()
    leaf_scores = serializers.DictField(child=serializers.CharField())
    previous = PreviousYearSerializer(allow_null=True)
    explanation = ExplanationField(allow_null=True)


class DifferenceSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField()
    field = serializers.CharField()
    stored = serializers.CharField()
    recomputed = serializers.CharField()


class VerificationSerializer(serializers.Serializer[Any]):
    cycle_code = serializers.CharField()
    ok = serializers.BooleanField()
    units = serializers.IntegerField()
    stored_hash = serializers.CharField()
    recomputed_hash = serializers.CharField()
    checked_at = serializers.DateTimeField()
    differences = DifferenceSerializer(many=True)
