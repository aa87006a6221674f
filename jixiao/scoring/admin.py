from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jixiao.core.admin import OfficeOnlyAdmin
from jixiao.scoring.models import Result


@admin.register(Result)
class ResultAdmin(OfficeOnlyAdmin):
    """Results are written only by recompute; the admin shows them read-only."""

    list_display = ("cycle", "group", "rank", "unit", "composite", "grade", "provisional")
    list_filter = ("cycle", "group", "grade", "provisional")
    search_fields = ("unit__name", "unit__code")
    list_select_related = ("cycle", "group", "unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
