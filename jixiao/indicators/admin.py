from __future__ import annotations

from django.contrib import admin

from jixiao.core.admin import CycleInputAdmin
from jixiao.indicators.models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(CycleInputAdmin):
    list_display = ("code", "name", "tree", "unit", "points", "method", "collection_unit")
    list_filter = ("cycle", "tree", "method")
    search_fields = ("code", "name", "unit__name")
    list_select_related = ("unit", "collection_unit", "cycle")
    autocomplete_fields = ("unit", "collection_unit", "parent")
    ordering = ("cycle", "tree", "unit__code", "order")
