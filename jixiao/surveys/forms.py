"""Forms of public evaluation; they check shape, the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jixiao.surveys.models import Kind, Question, Survey
from jixiao.surveys.rules import format_options, parse_options

MAX_UPLOAD = 50 * 1024 * 1024


class RespondentForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices, initial=Kind.CITIZEN)
    matter = forms.CharField(label=_("服务事项"), max_length=200, required=False)
    served_on = forms.DateField(
        label=_("服务日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    consent = forms.BooleanField(label=_("同意回访"), required=False, initial=True)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件(.xlsx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("文件过大(最大 50 MB)"))
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的 Excel 文件"))
        return upload


class ResponseUploadForm(UploadForm):
    source = forms.CharField(label=_("来源(调查机构)"), max_length=80)


class ConfirmForm(forms.Form):
    upload = forms.CharField(widget=forms.HiddenInput, max_length=64)


class SampleForm(forms.Form):
    size = forms.IntegerField(label=_("样本量"), min_value=1, required=False)
    share = forms.CharField(label=_("或抽样比例"), max_length=10, required=False, help_text="20%")
    seed = forms.CharField(label=_("随机种子(可空)"), max_length=64, required=False)
    reason = forms.CharField(label=_("重抽原因"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class SurveyForm(forms.ModelForm[Survey]):
    class Meta:
        model = Survey
        fields = [
            "title",
            "intro",
            "opens_at",
            "closes_at",
            "comment_enabled",
            "greeting_enabled",
            "min_responses",
            "min_seconds_per_question",
            "address_flag_after",
        ]
        widgets = {
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "intro": forms.Textarea(attrs={"rows": 3}),
        }


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("题目"), max_length=300)
    options = forms.CharField(
        label=_("选项=分值(每行一个)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="满意=100\n基本满意=80\n不满意=0",
    )

    def clean_options(self) -> list[dict[str, str]]:
        return parse_options(self.cleaned_data["options"])


def options_text(question: Question) -> str:
    return format_options(question.options)


class PublicAnswerForm(forms.Form):
    """The public questionnaire: one radio group per question, an optional comment."""

    def __init__(self, *args: Any, questions: list[Question], comment: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=f"{number}. {question.text}",
                choices=[(i, o["label"]) for i, o in enumerate(question.options, start=1)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("请回答这一题"),
                    "invalid_choice": _("请从给出的选项中选择"),
                },
            )
        if comment:
            self.fields["comment"] = forms.CharField(
                label=_("意见建议(选填)"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["started"] = forms.CharField(widget=forms.HiddenInput, required=False)

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] for q in self.questions}


class PhoneEntryForm(forms.Form):
    """Call-centre entry: the token and one option number per question, keyboard only."""

    token = forms.CharField(label=_("邀请码(链接最后一段)"), max_length=64)
    answers = forms.CharField(
        label=_("答案(按题序输入选项编号,如 1121)"),
        max_length=100,
        help_text=_("1 = 第一个选项,2 = 第二个选项……"),
    )
    comment = forms.CharField(label=_("意见建议"), required=False, max_length=2000)

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"]).strip().rstrip("/")
        return token.rsplit("/", 1)[-1]

    def clean_answers(self) -> str:
        value = "".join(self.cleaned_data["answers"].split())
        if not value.isdigit():
            raise ValidationError(_("只能输入数字,每题一位"))
        return value
