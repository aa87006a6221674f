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
