from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms.models import model_to_dict
from django.http import HttpRequest

from jixiao.core.models import AuditEntry
from jixiao.core.services import record_audit


def _snapshot(obj: models.Model) -> dict[str, Any]:
    return {k: v for k, v in model_to_dict(obj).items() if not isinstance(v, list)}


def _cycle_code(obj: models.Model) -> str:
    cycle = getattr(obj, "cycle", None)
    if cycle is not None:
        return str(getattr(cycle, "code", ""))
    return str(getattr(obj, "code", "")) if obj._meta.model_name == "cycle" else ""


def _is_office(request: HttpRequest) -> bool:
    from jixiao.accounts.permissions import is_office_admin

    return bool(request.user.is_active and is_office_admin(request.user))


# The admin is the office's tool: entry is decided by the office-admin predicate, not by
# Django's per-model permission table, so a role granted in Membership is all it takes.
admin.site.has_permission = _is_office  # type: ignore[method-assign]


class OfficeOnlyAdmin(admin.ModelAdmin[Any]):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_office(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_office(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_office(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_office(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_office(request)


class AuditedAdmin(OfficeOnlyAdmin):
    """Every save and delete through the admin leaves an audit entry with old and new values."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        old = None
        if change and obj.pk is not None:
            previous = type(obj).objects.filter(pk=obj.pk).first()
            old = _snapshot(previous) if previous is not None else None
        super().save_model(request, obj, form, change)
        record_audit(
            by=request.user,
            action="admin_change" if change else "admin_add",
            obj=obj,
            cycle_code=_cycle_code(obj),
            old=old,
            new=_snapshot(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_audit(
            by=request.user,
            action="admin_delete",
            obj=obj,
            cycle_code=_cycle_code(obj),
            old=_snapshot(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            record_audit(
                by=request.user,
                action="admin_delete",
                obj=obj,
                cycle_code=_cycle_code(obj),
                old=_snapshot(obj),
            )
        super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(OfficeOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr", "cycle_code")
    list_filter = ("action", "object_type", "cycle_code")
    search_fields = ("object_repr", "reason", "actor__username")
    list_select_related = ("actor",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CycleInputAdmin(AuditedAdmin):
    """Admin for rows that belong to a cycle: read-only once the cycle is finalized."""

    def _locked(self, obj: Any) -> bool:
        cycle = getattr(obj, "cycle", None) if obj is not None else None
        return bool(cycle is not None and cycle.is_locked)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not self._locked(obj)
