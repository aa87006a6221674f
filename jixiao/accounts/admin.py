from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.models import Membership, Unit, User
from jixiao.core.admin import AuditedAdmin, OfficeOnlyAdmin


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(User)
class UserAdmin(OfficeOnlyAdmin, BaseUserAdmin[User]):
    inlines = (MembershipInline,)
    list_display = ("username", "display_name", "email", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("显示"), {"fields": ("display_name",)}),
    )


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("code", "name", "parent", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "role", "unit", "cycle")
    list_filter = ("role", "cycle")
    search_fields = ("user__username", "unit__name")
    list_select_related = ("user", "unit", "cycle")
    autocomplete_fields = ("user", "unit")
