"""Public evaluation (公众评议): respondents, the survey, samples, invitations, responses, scores.

A unit keeps the list of people it served (``Respondent``) and reports it to the office
(``RespondentList``); the office defines the cycle's ``Survey`` and its ``Question``s, draws a
``Sample`` per unit whose members get an ``Invitation`` (a single-use token), and every
``Response`` (web, phone or imported from an outside firm) is scored into ``PublicScore``,
which the score engine reads through ``selectors.public_scores``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicScore(models.Model):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.DecimalField(
        _("公众评议得分"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
    )
    responses = models.PositiveIntegerField(_("有效问卷数"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    # The fields below are filled when the score is computed from survey responses; a score
    # entered by hand or restored from an archive leaves them blank.
    invited = models.PositiveIntegerField(_("邀请人数"), null=True, blank=True)
    answered = models.PositiveIntegerField(_("受邀答卷数"), null=True, blank=True)
    rate = models.DecimalField(_("回复率"), max_digits=7, decimal_places=4, null=True, blank=True)
    ci_low = models.DecimalField(
        _("95% 置信区间下限"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    ci_high = models.DecimalField(
        _("95% 置信区间上限"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    low_count = models.BooleanField(_("样本不足"), default=False)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公众评议得分")
        verbose_name_plural = _("公众评议得分")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="public_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.score}"


class Kind(models.TextChoices):
    CITIZEN = "citizen", _("群众")
    ENTERPRISE = "enterprise", _("企业")
    NPC_DEPUTY = "npc_deputy", _("人大代表")
    CPPCC_MEMBER = "cppcc_member", _("政协委员")
    DEPARTMENT = "department", _("部门")
    OTHER = "other", _("其他")


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    REPORTED = "reported", _("已上报")


class RespondentList(models.Model):
    """A unit's list of respondents for one cycle; its status tells whether it is reported."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    reported_at = models.DateTimeField(_("上报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务对象名单")
        verbose_name_plural = _("服务对象名单")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="respondent_list_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_status_display()}"


class Respondent(models.Model):
    """A person or body a unit served (服务对象). ``phone`` is normalised (digits only), or
    NULL when the list gives none, so the unique constraint lets any number of them in."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=100)
    phone = models.CharField(_("电话"), max_length=20, null=True, blank=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.CITIZEN)
    matter = models.CharField(_("服务事项"), max_length=200, blank=True)
    served_on = models.DateField(_("服务日期"), null=True, blank=True)
    consent = models.BooleanField(_("同意回访"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["id"]
        constraints = [
            # One person per unit's list: duplicates by phone are merged on entry and import.
            # Not a partial index: imports merge with INSERT … ON CONFLICT on these columns.
            models.UniqueConstraint(
                fields=["cycle", "unit", "phone"], name="respondent_phone_unique_in_unit"
            )
        ]
        indexes = [models.Index(fields=["cycle", "phone"])]

    def __str__(self) -> str:
        return self.name


class Survey(models.Model):
    """The cycle's questionnaire settings: window, comment, greeting, thresholds."""

    cycle = models.OneToOneField("cycles.Cycle", on_delete=models.CASCADE, related_name="survey")
    title = models.CharField(_("问卷标题"), max_length=200, default="公众满意度评议")
    intro = models.TextField(_("说明"), blank=True)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("结束时间"))
    comment_enabled = models.BooleanField(_("允许填写意见建议"), default=True)
    greeting_enabled = models.BooleanField(_("页面显示受访人称呼"), default=False)
    min_responses = models.PositiveIntegerField(_("有效问卷最低数量"), default=30)
    min_seconds_per_question = models.PositiveSmallIntegerField(
        _("每题最短作答秒数"),
        default=2,
        help_text=_("作答时间少于 题数 × 此值 的答卷标记为“作答过快”。"),
    )
    address_flag_after = models.PositiveSmallIntegerField(
        _("同一地址答卷数标记阈值"),
        default=3,
        help_text=_("同一网络地址提交的答卷达到此数量后，其后的答卷标记为“同一地址多次提交”。"),
    )

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("结束时间必须晚于开始时间")})


def default_options() -> list[dict[str, str]]:
    return [
        {"label": "满意", "points": "100"},
        {"label": "基本满意", "points": "80"},
        {"label": "不满意", "points": "0"},
    ]


class Question(models.Model):
    """A question with its answer options, each ``{"label": str, "points": "decimal"}``."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("题目"), max_length=300)
    options = models.JSONField(_("选项及分值"), default=default_options)

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        from jixiao.surveys.rules import check_options

        try:
            check_options(self.options)
        except ValidationError as exc:
            raise ValidationError({"options": exc.messages}) from None

    def points_of(self, index: int) -> Decimal:
        return Decimal(str(self.options[index]["points"]))


class Sample(models.Model):
    """One draw of respondents for a unit; a redraw keeps the old row inactive (audited)."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    size = models.PositiveIntegerField(_("样本量"), null=True, blank=True)
    share = models.DecimalField(
        _("抽样比例"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    seed = models.CharField(_("随机种子"), max_length=64)
    drawn = models.PositiveIntegerField(_("抽中人数"), default=0)
    eligible = models.PositiveIntegerField(_("可抽人数"), default=0)
    active = models.BooleanField(_("有效"), default=True)
    reason = models.TextField(_("重抽原因"), blank=True)
    drawn_at = models.DateTimeField(_("抽样时间"), auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("抽样")
        verbose_name_plural = _("抽样")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "unit"],
                condition=models.Q(active=True),
                name="one_active_sample_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.drawn}"


class Invitation(models.Model):
    """A sampled respondent's personal link: ``token`` is single use, valid in the window."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="invitations")
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        ordering = ["id"]
        indexes = [models.Index(fields=["cycle", "unit", "active"])]

    def __str__(self) -> str:
        return f"{self.respondent} · {self.unit}"


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    PHONE = "phone", _("电话")
    IMPORT = "import", _("第三方导入")


class Flag(models.TextChoices):
    FAST = "fast", _("作答过快")
    SAME_ADDRESS = "same_address", _("同一地址多次提交")


class Response(models.Model):
    """One answered questionnaire. ``points_cents`` is the sum of its answers' points × 100
    and ``answer_count`` their number, so a unit's score is an exact aggregate of integers."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    # One response per token: the unique constraint is what makes a second, concurrent
    # submission of the same link fail, whatever the application checked before.
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    seconds_taken = models.PositiveIntegerField(_("作答用时(秒)"), null=True, blank=True)
    client_hash = models.CharField(_("地址摘要"), max_length=64, blank=True)
    comment = models.TextField(_("意见建议"), blank=True)
    points_cents = models.BigIntegerField()
    answer_count = models.PositiveSmallIntegerField()
    flags = models.JSONField(_("疑点"), default=list, blank=True)
    valid = models.BooleanField(_("有效"), default=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_ref = models.CharField(_("外部编号"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["cycle", "unit", "valid"]),
            models.Index(fields=["cycle", "client_hash"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.submitted_at:%Y-%m-%d %H:%M}"

    @property
    def score(self) -> Decimal:
        """This response's score on the 0–1000 scale, for display (two decimals)."""
        if not self.answer_count:
            return Decimal(0)
        return (Decimal(self.points_cents) / (10 * self.answer_count)).quantize(Decimal("0.01"))

    @property
    def flag_labels(self) -> list[str]:
        return [str(Flag(f).label) if f in Flag.values else f for f in self.flags]


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    option = models.PositiveSmallIntegerField(_("选项序号"))
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option}"


def option_labels(options: Any) -> list[str]:
    return [str(o.get("label", "")) for o in options or []]
