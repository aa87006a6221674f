"""The what-if page: edit a copy of the scheme (or one unit's input), see the new ranks."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jixiao.cycles.models import Cycle, GradeMode, Participation
from jixiao.reports.permissions import can_run_whatif
from jixiao.reports.services import adopt_scheme
from jixiao.reports.views import get_cycle_for_user
from jixiao.reports.whatif import InputChange, run_whatif


class WhatIfForm(forms.Form):
    formula = forms.CharField(label=_("综合得分公式"), widget=forms.Textarea(attrs={"rows": 2}))
    multiplier_district = forms.DecimalField(
        label=_("区级扣分倍数"), min_value=0, max_digits=10, decimal_places=2
    )
    multiplier_city = forms.DecimalField(
        label=_("市级扣分倍数"), min_value=0, max_digits=10, decimal_places=2
    )
    multiplier_province = forms.DecimalField(
        label=_("省级扣分倍数"), min_value=0, max_digits=10, decimal_places=2
    )
    bonus_total_cap = forms.DecimalField(
        label=_("正向激励总上限"), min_value=0, required=False, max_digits=10, decimal_places=2
    )
    grade_mode = forms.ChoiceField(label=_("等次规则"), choices=GradeMode.choices)
    grade_rules = forms.CharField(
        label=_("等次参数（JSON）"), widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.ChoiceField(label=_("试改单位的输入"), required=False)
    public = forms.DecimalField(
        label=_("公众评议得分"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    city_incentive = forms.DecimalField(
        label=_("市对区绩效考评激励得分"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    reason = forms.CharField(label=_("采用原因"), max_length=500, required=False)

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        units = Participation.objects.filter(cycle=cycle).order_by("unit__code")
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = [("", gettext("（不改）"))] + [
            (code, f"{code} {name}") for code, name in units.values_list("unit__code", "unit__name")
        ]

    @classmethod
    def initial_for(cls, cycle: Cycle) -> dict[str, Any]:
        return {
            "formula": cycle.formula,
            "multiplier_district": cycle.multiplier_district,
            "multiplier_city": cycle.multiplier_city,
            "multiplier_province": cycle.multiplier_province,
            "bonus_total_cap": cycle.bonus_total_cap,
            "grade_mode": cycle.grade_mode,
            "grade_rules": json.dumps(cycle.grade_rules, ensure_ascii=False),
        }

    def clean_grade_rules(self) -> Any:
        try:
            return json.loads(self.cleaned_data["grade_rules"])
        except json.JSONDecodeError as exc:
            raise ValidationError(gettext("不是有效的 JSON：%(e)s") % {"e": exc.msg}) from exc

    def scheme(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "formula": data["formula"],
            "multiplier_district": data["multiplier_district"],
            "multiplier_city": data["multiplier_city"],
            "multiplier_province": data["multiplier_province"],
            "bonus_total_cap": data["bonus_total_cap"],
            "grade_mode": data["grade_mode"],
            "grade_rules": data["grade_rules"],
        }

    def change(self) -> InputChange | None:
        data = self.cleaned_data
        if not data.get("unit") or (
            data.get("public") is None and data.get("city_incentive") is None
        ):
            return None
        return InputChange(data["unit"], data.get("public"), data.get("city_incentive"))


def _errors_onto(form: WhatIfForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def whatif(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the form with the cycle's scheme. POST: run it (nothing is saved); with
    ``adopt`` the scheme (not the input change) is adopted, audited and recomputed."""
    cycle = get_cycle_for_user(request, code)
    if not can_run_whatif(request.user, cycle):
        raise PermissionDenied
    groups = None
    if request.method == "POST":
        form = WhatIfForm(request.POST, cycle=cycle)
        if form.is_valid():
            if "adopt" in request.POST:
                if form.change() is not None:
                    form.add_error(
                        None, gettext("单位输入的试改不能采用：输入须在各自的页面修改。")
                    )
                else:
                    try:
                        adopt_scheme(
                            cycle=cycle,
                            scheme=form.scheme(),
                            by=request.user,
                            reason=form.cleaned_data["reason"],
                        )
                    except ValidationError as exc:
                        _errors_onto(form, exc)
                    else:
                        messages.success(request, gettext("新方案已采用，结果已重新计算。"))
                        return redirect("cycle_overview", code=cycle.code)
            try:
                groups = run_whatif(cycle=cycle, scheme=form.scheme(), change=form.change())
            except ValidationError as exc:
                _errors_onto(form, exc)
    else:
        form = WhatIfForm(initial=WhatIfForm.initial_for(cycle), cycle=cycle)
    changed = sum(g.changed for g in groups) if groups else 0
    context = {
        "cycle": cycle,
        "form": form,
        "groups": groups,
        "changed": changed,
        "only_changed": request.POST.get("only_changed") == "1",
        "can_view_all": True,
        "can_manage": True,
        "zero": Decimal(0),
    }
    return render(request, "reports/whatif.html", context)
