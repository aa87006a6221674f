"""Forms of the adjustments pages. They check the shape of the input; the rules live in the
services, whose ValidationErrors are put back on the form by field name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.models import Unit
from jixiao.adjustments.models import (
    BonusCategory,
    ClaimState,
    DeductionStandard,
    FindingState,
    InspectionKind,
    Level,
)


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form: by field where the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


DATE = forms.DateInput(attrs={"type": "date"})
POINTS = {"max_digits": 8, "decimal_places": 2, "min_value": Decimal(0)}


class ClaimForm(forms.Form):
    category = forms.TypedChoiceField(label=_("类别"), coerce=int, choices=())
    title = forms.CharField(label=_("事项"), max_length=300)
    authority = forms.CharField(label=_("发文机关"), max_length=200)
    document_no = forms.CharField(label=_("文号"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("发文日期"), widget=DATE)
    evidence = MultiFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("PDF、图片、Word、Excel 或 OFD，每个不超过 10 MB"),
    )

    def __init__(self, *args: Any, categories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("佐证材料"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[
            (ClaimState.APPROVED, _("按标准分值核准")),
            (ClaimState.ADJUSTED, _("调整分值后核准")),
            (ClaimState.REJECTED, _("不予核准")),
        ],
        widget=forms.RadioSelect,
    )
    points = forms.DecimalField(label=_("核定分值"), required=False, **POINTS)  # type: ignore[arg-type]
    reason = forms.CharField(
        label=_("原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InspectionForm(forms.Form):
    held_on = forms.DateField(label=_("察访日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=200)
    kind = forms.ChoiceField(label=_("方式"), choices=InspectionKind.choices)
    level = forms.ChoiceField(label=_("发现层级"), choices=Level.choices)
    inspectors = forms.CharField(label=_("察访人员"), max_length=300)


class FindingForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    standard = forms.ModelChoiceField(
        label=_("扣分标准条目"), queryset=DeductionStandard.objects.none(), required=False
    )
    # A plain integer field: a negative count reaches the service, which names the field.
    count = forms.IntegerField(label=_("次数"), initial=1)
    description = forms.CharField(label=_("问题描述"), max_length=300)
    photos = MultiFileField(
        label=_("现场照片"), required=False, help_text=_("JPG 或 PNG，每张不超过 10 MB")
    )

    def __init__(self, *args: Any, units: Any, standards: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["standard"].queryset = standards  # type: ignore[attr-defined]
        self.fields["standard"].empty_label = _("— 请选择 —")  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("答复方式"),
        choices=[("answer", _("认可并答复")), ("contest", _("申辩"))],
        widget=forms.RadioSelect,
        initial="answer",
    )
    response = forms.CharField(label=_("答复或申辩内容"), widget=forms.Textarea(attrs={"rows": 3}))


class FindingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结论"),
        choices=[(FindingState.CONFIRMED, _("确认扣分")), (FindingState.WITHDRAWN, _("撤销"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LinkForm(forms.Form):
    other = forms.IntegerField(label=_("另一层级发现的同一问题（编号）"), min_value=1)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class CityIncentiveForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    points = forms.DecimalField(label=_("激励得分"), required=False, **POINTS)  # type: ignore[arg-type]
    source = forms.CharField(label=_("来源(市考评项目)"), max_length=300, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件(.xlsx)"))


class StandardsForm(forms.Form):
    """Bonus standards per category, the total cap, the multipliers and the answer window."""

    total_cap = forms.DecimalField(label=_("正向激励总上限"), required=False, **POINTS)  # type: ignore[arg-type]
    multiplier_district = forms.DecimalField(label=_("区级扣分倍数"), **POINTS)  # type: ignore[arg-type]
    multiplier_city = forms.DecimalField(label=_("市级扣分倍数"), **POINTS)  # type: ignore[arg-type]
    multiplier_province = forms.DecimalField(label=_("省级扣分倍数"), **POINTS)  # type: ignore[arg-type]
    answer_days = forms.IntegerField(label=_("答复期限(天)"), min_value=1, max_value=90)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in BonusCategory:
            n = category.value
            self.fields[f"category_{n}_enabled"] = forms.BooleanField(
                label=_("启用"), required=False
            )
            self.fields[f"category_{n}_points"] = forms.DecimalField(
                label=_("每项分值"),
                required=False,
                **POINTS,  # type: ignore[arg-type]
            )
            self.fields[f"category_{n}_cap"] = forms.DecimalField(
                label=_("类别上限"),
                required=False,
                **POINTS,  # type: ignore[arg-type]
            )
            self.fields[f"category_{n}_stack"] = forms.BooleanField(label=_("累加"), required=False)

    def category_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "category": c.value,
                "label": c.label,
                "enabled": self[f"category_{c.value}_enabled"],
                "points": self[f"category_{c.value}_points"],
                "cap": self[f"category_{c.value}_cap"],
                "stack": self[f"category_{c.value}_stack"],
            }
            for c in BonusCategory
        ]


class DeductionStandardForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=32)
    description = forms.CharField(label=_("扣分情形"), max_length=300)
    points = forms.DecimalField(label=_("每次扣分"), **POINTS)  # type: ignore[arg-type]


class CopyStandardsForm(forms.Form):
    source = forms.ChoiceField(label=_("从以下年度复制"), choices=())

    def __init__(self, *args: Any, cycles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = cycles  # type: ignore[attr-defined]
