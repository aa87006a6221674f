"""Forms of the tree editor, the workflow buttons and the Excel import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.models import Unit
from jixiao.cycles.models import Cycle
from jixiao.indicators.checks import cycle_year
from jixiao.indicators.excel import MAX_BYTES
from jixiao.indicators.models import Indicator, Tree, TreeState
from jixiao.indicators.services import ImportMode

PERFORMANCE_ONLY = ("source", "source_detail")


class IndicatorForm(forms.ModelForm[Indicator]):
    """One node. ``parent`` is offered when editing, to move a node under another."""

    class Meta:
        model = Indicator
        fields = (
            "code",
            "name",
            "points",
            "method",
            "aggregation",
            "points_per_finding",
            "completion_points",
            "progress_points",
            "source",
            "source_detail",
            "target",
            "rule",
            "collection_unit",
            "responsible_office",
            "responsible_person",
            "deadline",
        )
        widgets = {
            "target": forms.Textarea(attrs={"rows": 3}),
            "rule": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "points": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args: Any, cycle: Cycle, parents: list[Indicator] | None, **kw: Any):
        super().__init__(*args, **kw)
        self.cycle = cycle
        self.fields["collection_unit"].queryset = Unit.objects.filter(active=True)  # type: ignore[attr-defined]
        if self.instance.tree == Tree.SELF_CONSTRUCTION:
            for name in PERFORMANCE_ONLY:
                del self.fields[name]
        if parents is not None:
            self.fields["parent"] = forms.ModelChoiceField(
                label=_("上级指标"),
                queryset=Indicator.objects.filter(pk__in=[p.pk for p in parents]),
                required=False,
                empty_label=str(_("（一级指标）")),
                initial=self.instance.parent_id,
            )
            self.fields["parent"].label_from_instance = lambda p: f"{p.code} {p.name}"  # type: ignore[attr-defined]

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data.get("deadline")
        year = cycle_year(self.cycle.code, self.cycle.name)
        if deadline is not None and year is not None and deadline.year != year:
            raise forms.ValidationError(
                _("完成时限须在 %(year)s 年度内"), params={"year": year}, code="year"
            )
        return deadline

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=TreeState.choices)
    reason = forms.CharField(label=_("原因"), max_length=1000, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=[
            (ImportMode.REPLACE, _("替换整棵指标树")),
            (ImportMode.APPEND, _("追加到现有指标之后")),
        ],
        initial=ImportMode.REPLACE,
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件大小 %(size)s MB，超过 10 MB 的上限"),
                params={"size": f"{upload.size / 1024 / 1024:.1f}"},
                code="too_big",
            )
        return upload
