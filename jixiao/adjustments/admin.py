from __future__ import annotations

from django.contrib import admin

from jixiao.adjustments.models import BonusItem, CityIncentive, DeductionItem
from jixiao.core.admin import CycleInputAdmin


@admin.register(BonusItem)
class BonusItemAdmin(CycleInputAdmin):
    list_display = ("cycle", "unit", "category", "title", "points", "approved")
    list_filter = ("cycle", "category", "approved")
    search_fields = ("unit__name", "title")
    list_select_related = ("cycle", "unit")
    autocomplete_fields = ("unit",)


@admin.register(DeductionItem)
class DeductionItemAdmin(CycleInputAdmin):
    list_display = ("cycle", "unit", "standard_code", "description", "count", "points", "level")
    list_filter = ("cycle", "level", "standard_code")
    search_fields = ("unit__name", "description")
    list_select_related = ("cycle", "unit")
    autocomplete_fields = ("unit",)


@admin.register(CityIncentive)
class CityIncentiveAdmin(CycleInputAdmin):
    list_display = ("cycle", "unit", "points", "source")
    list_filter = ("cycle",)
    search_fields = ("unit__name", "source")
    list_select_related = ("cycle", "unit")
    autocomplete_fields = ("unit",)
