from __future__ import annotations

from django.contrib import admin

from jixiao.core.admin import CycleInputAdmin
from jixiao.evaluations.models import CollectionValue, ReviewScore


@admin.register(ReviewScore)
class ReviewScoreAdmin(CycleInputAdmin):
    list_display = ("cycle", "unit", "indicator", "reviewer", "part", "score")
    list_filter = ("cycle", "part")
    search_fields = ("unit__name", "indicator__code", "reviewer__username")
    list_select_related = ("cycle", "unit", "indicator", "reviewer")
    autocomplete_fields = ("unit", "indicator", "reviewer")


@admin.register(CollectionValue)
class CollectionValueAdmin(CycleInputAdmin):
    list_display = ("cycle", "unit", "indicator", "score", "finding_count", "actual", "target")
    list_filter = ("cycle",)
    search_fields = ("unit__name", "indicator__code")
    list_select_related = ("cycle", "unit", "indicator")
    autocomplete_fields = ("unit", "indicator")
