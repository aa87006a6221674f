from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.models import User
from jixiao.tasks.lights import Light
from jixiao.tasks.models import Milestone, ProgressReport, Task

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaskForm(forms.ModelForm[Task]):
    class Meta:
        model = Task
        fields = (
            "title",
            "description",
            "responsible_user",
            "responsible_name",
            "starts_on",
            "due",
        )
        widgets = {"starts_on": DATE, "due": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, people: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["responsible_user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people if people is not None else User.objects.none()


class MilestoneForm(forms.ModelForm[Milestone]):
    class Meta:
        model = Milestone
        fields = ("title", "due", "responsible_user", "responsible_name")
        widgets = {"due": DATE}

    def __init__(self, *args: Any, people: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["responsible_user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people if people is not None else User.objects.none()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ProgressForm(forms.ModelForm[ProgressReport]):
    attachments = forms.FileField(
        label=_("附件"), required=False, widget=MultipleFileInput(attrs={"multiple": True})
    )

    class Meta:
        model = ProgressReport
        fields = ("reported_on", "percent", "done_text", "problems", "next_steps")
        widgets = {
            "reported_on": DATE,
            "done_text": forms.Textarea(attrs={"rows": 2}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }


class FilterForm(forms.Form):
    light = forms.ChoiceField(
        label=_("灯色"),
        required=False,
        choices=[
            ("", _("全部")),
            (Light.RED.value, _("红灯")),
            (Light.YELLOW.value, _("黄灯")),
            (Light.GREEN.value, _("绿灯")),
        ],
    )
    unit = forms.ChoiceField(label=_("单位"), required=False)
    group = forms.ChoiceField(label=_("组别"), required=False)
    person = forms.CharField(label=_("责任人"), required=False, max_length=100)

    def __init__(
        self, *args: Any, units: list[tuple[str, str]], groups: list[tuple[str, str]], **kw: Any
    ):
        super().__init__(*args, **kw)
        self.fields["unit"].choices = [("", _("全部")), *units]  # type: ignore[attr-defined]
        self.fields["group"].choices = [("", _("全部")), *groups]  # type: ignore[attr-defined]


class WarnDaysForm(forms.Form):
    warn_days = forms.IntegerField(label=_("提前预警天数"), min_value=0, max_value=365)
