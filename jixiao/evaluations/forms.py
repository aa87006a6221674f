"""Forms of the assessment pages. Numbers are checked against the cycle's precision here and
again in the services: an input with more decimals is refused, never rounded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jixiao.cycles.models import Cycle
from jixiao.evaluations.files import ALLOWED_EXTENSIONS, MAX_EVIDENCE_BYTES
from jixiao.evaluations.models import AssessmentCalendar, Outcome
from jixiao.evaluations.services import check_precision


class ScoreField(forms.DecimalField):
    """A score: any number of places is parsed, then the cycle's precision is enforced by
    the form so that 1.234 is refused with a message instead of being rounded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_digits", 12)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("step", "any")


class CycleForm(forms.Form):
    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        self.cycle = cycle
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            if isinstance(value, Decimal):
                try:
                    check_precision(value, self.cycle, str(self.fields[name].label))
                except ValidationError as exc:
                    self.add_error(name, exc.messages)
        return cleaned


class SelfEvaluationForm(CycleForm):
    achievement = forms.CharField(
        label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    claimed_score = ScoreField(label=_("自评得分"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


EVIDENCE_ACCEPT = ",".join(ALLOWED_EXTENSIONS)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("佐证材料"),
        help_text=_("PDF、图片、Word、Excel、WPS，单个文件不超过 %(mb)s MB")
        % {"mb": MAX_EVIDENCE_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReviewForm(CycleForm):
    comment = forms.CharField(
        label=_("评语"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args: Any, parts: list[tuple[str, str, Decimal]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts = parts
        for part, label, points in parts:
            self.fields[f"score_{part}"] = ScoreField(
                label=_("%(part)s得分（满分 %(points)s）") % {"part": label, "points": points},
                max_value=points,
            )
            self.fields[f"version_{part}"] = forms.CharField(
                widget=forms.HiddenInput, required=False
            )
        self.order_fields([f"score_{p}" for p, _label, _pts in parts] + ["comment"])

    def scores(self) -> dict[str, Decimal]:
        return {part: self.cleaned_data[f"score_{part}"] for part, _l, _p in self.parts}

    def versions(self) -> dict[str, str]:
        return {part: self.cleaned_data.get(f"version_{part}") or "" for part, _l, _p in self.parts}


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CalendarForm(forms.ModelForm[AssessmentCalendar]):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = AssessmentCalendar
        fields = [
            "self_evaluation_deadline",
            "review_deadline",
            "collection_deadline",
            "appeal_deadline",
            "spread_threshold",
        ]
        widgets = {
            name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            for name in (
                "self_evaluation_deadline",
                "review_deadline",
                "collection_deadline",
                "appeal_deadline",
            )
        }


class ExtensionForm(forms.Form):
    unit_code = forms.CharField(label=_("单位代码"), max_length=32)
    until = forms.DateTimeField(
        label=_("延期至"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("原因"), max_length=2000)


class AssignForm(forms.Form):
    units = forms.CharField(
        label=_("单位代码"),
        help_text=_("一个或多个单位代码，用空格或逗号分隔"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reviewers = forms.MultipleChoiceField(label=_("评估组成员"))
    leaf_code = forms.CharField(
        label=_("指定指标（可选）"),
        required=False,
        max_length=32,
        help_text=_("留空表示该单位的全部评估组评分指标"),
    )

    def __init__(self, *args: Any, reviewers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].choices = reviewers  # type: ignore[attr-defined]
        self.fields["reviewers"].widget = forms.CheckboxSelectMultiple(choices=reviewers)

    def unit_codes(self) -> list[str]:
        raw = self.cleaned_data["units"].replace(",", " ").replace("，", " ").split()
        return list(dict.fromkeys(raw))


class PhaseForm(forms.Form):
    reason = forms.CharField(label=_("原因"), required=False, max_length=2000)


class AppealForm(forms.Form):
    line_key = forms.ChoiceField(label=_("申诉事项"))
    reason = forms.CharField(
        label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    file = forms.FileField(
        label=_("佐证材料（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def __init__(self, *args: Any, lines: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line_key"].choices = lines  # type: ignore[attr-defined]


class RecheckForm(forms.Form):
    checker = forms.ChoiceField(label=_("复核人"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, checkers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checker"].choices = checkers  # type: ignore[attr-defined]


class RulingForm(CycleForm):
    outcome = forms.ChoiceField(
        label=_("复核结论"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    ruling = forms.CharField(
        label=_("复核意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        reviews: list[tuple[int, str, Decimal, Decimal]],
        collection: list[tuple[str, str, Any]],
        **kwargs: Any,
    ) -> None:
        """``reviews``: (id, label, current score, points); ``collection``: (field, label,
        current value) of the appealed leaf's inputs."""
        super().__init__(*args, **kwargs)
        self.review_ids = [pk for pk, _l, _s, _p in reviews]
        for pk, label, score, points in reviews:
            self.fields[f"review_{pk}"] = ScoreField(
                label=label, initial=score, max_value=points, required=False
            )
        self.collection_fields = [name for name, _l, _v in collection]
        for name, label, value in collection:
            if name == "finding_count":
                self.fields[f"collect_{name}"] = forms.IntegerField(
                    label=label, initial=value, min_value=0, required=False
                )
            else:
                self.fields[f"collect_{name}"] = ScoreField(
                    label=label, initial=value, required=False
                )

    def review_scores(self) -> dict[int, Decimal]:
        return {
            pk: self.cleaned_data[f"review_{pk}"]
            for pk in self.review_ids
            if self.cleaned_data.get(f"review_{pk}") is not None
        }

    def collection(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(f"collect_{name}") for name in self.collection_fields}


class AuditSearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=200)
    action = forms.CharField(label=_("操作"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("填好的采集表（.xlsx）"))
