"""Score inputs of the indicator trees: reviewers' scores and data-collection values.

The workflows that produce them (self-evaluation, review, collection grids) build on these
rows; in the foundation the admin and the cycle archive enter them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jixiao.scoring.types import Part as EnginePart


class Part(models.TextChoices):
    TOTAL = EnginePart.TOTAL.value, _("总分")
    COMPLETION = EnginePart.COMPLETION.value, _("完成情况")
    PROGRESS = EnginePart.PROGRESS.value, _("进步情况")


SCORE = {"max_digits": 8, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class ReviewScore(models.Model):
    """One reviewer's score for one unit × leaf (× part)."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("被考核单位"), on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("指标"),
        on_delete=models.CASCADE,
        related_name="review_scores",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        on_delete=models.PROTECT,
        related_name="review_scores",
    )
    part = models.CharField(_("评分部分"), max_length=16, choices=Part.choices, default=Part.TOTAL)
    score = models.DecimalField(_("得分"), **SCORE)  # type: ignore[arg-type]
    comment = models.TextField(_("评语"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("评估组评分")
        verbose_name_plural = _("评估组评分")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "unit", "indicator", "reviewer", "part"], name="review_unique"
            )
        ]
        indexes = [models.Index(fields=["cycle", "unit", "indicator"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator.code} · {self.reviewer}: {self.score}"

    def clean(self) -> None:
        clean_score_against_points(self.score, self.indicator, self.part)


def clean_score_against_points(score: Decimal | None, indicator: object, part: str) -> None:
    points = getattr(indicator, "points", None)
    if part == Part.COMPLETION:
        points = getattr(indicator, "completion_points", None)
    elif part == Part.PROGRESS:
        points = getattr(indicator, "progress_points", None)
    if score is not None and points is not None and score > points:
        raise ValidationError(
            {"score": _("得分 %(score)s 超过分值 %(points)s") % {"score": score, "points": points}}
        )


class CollectionValue(models.Model):
    """What a data-collection unit entered for one unit × leaf: score, finding count or ratio."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("被考核单位"), on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("指标"),
        on_delete=models.CASCADE,
        related_name="collection_values",
    )
    score = models.DecimalField(_("得分"), null=True, blank=True, **SCORE)  # type: ignore[arg-type]
    finding_count = models.PositiveIntegerField(_("发现问题数"), null=True, blank=True)
    actual = models.DecimalField(
        _("实际完成值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("目标值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("采集数据")
        verbose_name_plural = _("采集数据")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit", "indicator"], name="collection_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator.code}"

    def clean(self) -> None:
        clean_score_against_points(self.score, self.indicator, Part.TOTAL)
        if self.target is not None and self.target <= 0:
            raise ValidationError({"target": _("目标值必须大于 0")})


# The assessment workflow ------------------------------------------------------------------
#
# Everything below produces or checks the score inputs above: the units' self-evaluations with
# their evidence, the reviewers' assignments and returns, the deadlines of the phase, appeals
# and their rulings, and the snapshots of published and final results.


class AssessmentCalendar(models.Model):
    """The deadlines and thresholds of a cycle's assessment phase (one row per cycle)."""

    cycle = models.OneToOneField(
        "cycles.Cycle", on_delete=models.CASCADE, related_name="assessment_calendar"
    )
    self_evaluation_deadline = models.DateTimeField(_("自评提交截止"), null=True, blank=True)
    review_deadline = models.DateTimeField(_("评估组评分截止"), null=True, blank=True)
    collection_deadline = models.DateTimeField(_("采集评分截止"), null=True, blank=True)
    appeal_deadline = models.DateTimeField(_("申诉截止"), null=True, blank=True)
    spread_threshold = models.DecimalField(
        _("评分差异提示阈值"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("同一指标评估组最高分与最低分之差超过此值时提示效能办"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("评估安排")
        verbose_name_plural = _("评估安排")

    def __str__(self) -> str:
        return str(self.cycle)


class PackageState(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回补充")


class SelfEvaluationPackage(models.Model):
    """A unit's self-evaluation of one cycle as a whole: what its leader approves and submits."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=PackageState.choices, default=PackageState.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("自评材料")
        verbose_name_plural = _("自评材料")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="self_evaluation_package_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_state_display()}"


class SelfEvaluation(models.Model):
    """A unit's self-evaluation of one performance leaf: what was done, the claimed score."""

    package = models.ForeignKey(
        SelfEvaluationPackage, on_delete=models.CASCADE, related_name="items"
    )
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("指标"),
        on_delete=models.CASCADE,
        related_name="self_evaluations",
    )
    achievement = models.TextField(_("完成情况"), blank=True)
    claimed_score = models.DecimalField(_("自评得分"), null=True, blank=True, **SCORE)  # type: ignore[arg-type]
    returned = models.BooleanField(_("退回补充"), default=False)
    return_reason = models.TextField(_("退回原因"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("自评")
        verbose_name_plural = _("自评")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "unit", "indicator"], name="self_evaluation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator.code}"

    @property
    def is_filled(self) -> bool:
        return bool(self.achievement.strip()) and self.claimed_score is not None


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is random: the original name is kept in a field and never touches the
    # file system, so it cannot collide or traverse.
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.cycle_id}/{instance.unit_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """An evidence file of a self-evaluation or of an appeal. Served only through a view that
    checks permission; the storage location is never a public URL."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    self_evaluation = models.ForeignKey(
        SelfEvaluation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    appeal = models.ForeignKey(
        "evaluations.Appeal",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(self_evaluation__isnull=False, appeal__isnull=True)
                | models.Q(self_evaluation__isnull=True, appeal__isnull=False),
                name="evidence_belongs_to_one",
            )
        ]

    def __str__(self) -> str:
        return self.name


class DeadlineExtension(models.Model):
    """The office reopens a unit's self-evaluation after the deadline, until ``until``."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    until = models.DateTimeField(_("延期至"))
    reason = models.TextField(_("原因"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["-granted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} → {self.until:%Y-%m-%d %H:%M}"


class ReviewerAssignment(models.Model):
    """A reviewer of the joint group assigned to a unit: to all of its judged performance
    leaves (``indicator`` blank) or to one leaf."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评估组成员"),
        on_delete=models.CASCADE,
        related_name="review_assignments",
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("指标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("评估分工")
        verbose_name_plural = _("评估分工")
        constraints = [
            models.UniqueConstraint(
                "cycle",
                "unit",
                "reviewer",
                models.functions.Coalesce("indicator", models.Value(0)),
                name="reviewer_assignment_unique",
            )
        ]
        indexes = [models.Index(fields=["cycle", "reviewer"])]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.unit}"


class ReviewReturn(models.Model):
    """A reviewer sent a self-evaluation back to its unit for more evidence (退回补充)."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    self_evaluation = models.ForeignKey(
        SelfEvaluation, on_delete=models.CASCADE, related_name="returns"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("退回原因"))
    at = models.DateTimeField(_("退回时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("补充提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("退回补充")
        verbose_name_plural = _("退回补充")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.self_evaluation} ← {self.reviewer}"


class LineKind(models.TextChoices):
    LEAF = "leaf", _("指标得分")
    BONUS = "bonus", _("正向激励")
    DEDUCTION = "deduction", _("察访核验扣分")


class AppealState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    RECHECKING = "rechecking", _("复核中")
    RULED = "ruled", _("已裁定")


class Outcome(models.TextChoices):
    KEPT = "kept", _("维持原分")
    CHANGED = "changed", _("予以更正")


class Appeal(models.Model):
    """A unit's appeal (申诉) against one line of its preliminary score card, and the re-check's
    ruling (复核). The line is named generically, as the engine's explanation names it
    (``performance:2.1``, ``bonus:1``, ``deduction_higher``), so that bonuses and deductions
    need no key into their own app."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    line_kind = models.CharField(_("申诉事项类型"), max_length=16, choices=LineKind.choices)
    line_key = models.CharField(_("申诉事项"), max_length=64)
    line_label = models.CharField(_("事项名称"), max_length=300, blank=True)
    line_value = models.CharField(_("公示得分"), max_length=32, blank=True)
    reason = models.TextField(_("申诉理由"))
    state = models.CharField(
        _("状态"), max_length=16, choices=AppealState.choices, default=AppealState.SUBMITTED
    )
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("复核结论"), max_length=16, choices=Outcome.choices, blank=True)
    ruling = models.TextField(_("复核意见"), blank=True)
    new_value = models.CharField(_("复核后得分"), max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    ruled_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cycle", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.line_key}"

    @property
    def is_open(self) -> bool:
        return self.state != AppealState.RULED


class SnapshotKind(models.TextChoices):
    PUBLISHED = "published", _("公示结果")
    FINAL = "final", _("定档结果")


class ResultSnapshot(models.Model):
    """The results as published (公示) and as finalized (定档), kept for a line-by-line
    comparison: unit code → composite, components, rank, grade and leaf scores."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=SnapshotKind.choices)
    results_hash = models.CharField(_("结果哈希"), max_length=64)
    rows = models.JSONField(_("结果"), default=dict)
    taken_at = models.DateTimeField(_("时间"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("结果快照")
        verbose_name_plural = _("结果快照")
        ordering = ["-taken_at", "-id"]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.get_kind_display()}"
