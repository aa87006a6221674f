from __future__ import annotations

from django.contrib import admin

from jixiao.core.admin import CycleInputAdmin
from jixiao.surveys.models import PublicScore


@admin.register(PublicScore)
class PublicScoreAdmin(CycleInputAdmin):
    list_display = ("cycle", "unit", "score", "responses", "source")
    list_filter = ("cycle",)
    search_fields = ("unit__name",)
    list_select_related = ("cycle", "unit")
    autocomplete_fields = ("unit",)
