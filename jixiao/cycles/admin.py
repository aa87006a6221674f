from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jixiao.core.admin import AuditedAdmin
from jixiao.cycles.models import Cycle, Participation, RankingGroup
from jixiao.cycles.workflow import check_move


class CycleAdminForm(forms.ModelForm[Cycle]):
    phase_reason = forms.CharField(
        label=_("阶段变更原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("重新打开已定档的年度时必填。"),
    )

    class Meta:
        model = Cycle
        fields = (
            "code", "name", "phase", "formula", "scale", "precision", "performance_total",
            "self_construction_total", "grade_mode", "grade_rules", "bonus_categories",
            "bonus_total_cap", "multiplier_district", "multiplier_city", "multiplier_province",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is not None and "phase" in data:
            previous = Cycle.objects.values_list("phase", flat=True).get(pk=self.instance.pk)
            try:
                check_move(previous, data["phase"], data.get("phase_reason", ""))
            except ValidationError as exc:
                self.add_error("phase", exc)
        return data


class RankingGroupInline(admin.TabularInline[RankingGroup, Cycle]):
    model = RankingGroup
    extra = 0


@admin.register(Cycle)
class CycleAdmin(AuditedAdmin):
    form = CycleAdminForm
    list_display = ("code", "name", "phase", "formula", "computed_at")
    list_filter = ("phase",)
    search_fields = ("code", "name")
    inlines = (RankingGroupInline,)
    readonly_fields = ("results_hash", "computed_at")
    actions = ("recompute", "check_trees")
    fieldsets = (
        (None, {"fields": ("code", "name", "phase", "phase_reason")}),
        (
            _("计分方案"),
            {
                "fields": (
                    "formula",
                    "scale",
                    "precision",
                    "performance_total",
                    "self_construction_total",
                )
            },
        ),
        (_("等次"), {"fields": ("grade_mode", "grade_rules")}),
        (_("正向激励"), {"fields": ("bonus_categories", "bonus_total_cap")}),
        (
            _("察访核验扣分倍数"),
            {"fields": ("multiplier_district", "multiplier_city", "multiplier_province")},
        ),
        (_("计算结果"), {"fields": ("results_hash", "computed_at")}),
    )

    @admin.action(description=_("重新计算所选年度的结果"))
    def recompute(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> None:
        from jixiao.scoring.services import recompute_cycle

        for cycle in queryset:
            try:
                summary = recompute_cycle(cycle=cycle, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{cycle}: {'; '.join(exc.messages)}", messages.ERROR)
                continue
            self.message_user(
                request,
                _("%(cycle)s: 已重新计算 %(n)s 个单位") % {"cycle": cycle, "n": summary.units},
                messages.SUCCESS,
            )

    @admin.action(description=_("检查所选年度的指标体系是否平衡"))
    def check_trees(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> None:
        from jixiao.indicators.services import check_cycle_trees

        for cycle in queryset:
            issues = check_cycle_trees(cycle=cycle)
            if not issues:
                self.message_user(
                    request, _("%(cycle)s: 指标体系完整且分值平衡") % {"cycle": cycle}
                )
            for issue in issues[:50]:
                self.message_user(request, f"{cycle.code} · {issue}", messages.WARNING)


@admin.register(Participation)
class ParticipationAdmin(AuditedAdmin):
    list_display = ("cycle", "unit", "group")
    list_filter = ("cycle", "group")
    search_fields = ("unit__name", "unit__code")
    list_select_related = ("cycle", "unit", "group")
    autocomplete_fields = ("unit",)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "group":
            kwargs["queryset"] = RankingGroup.objects.select_related("cycle")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
