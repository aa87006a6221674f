"""Result snapshots: one row per unit per cycle, written in bulk by the recompute service."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE = {"max_digits": 10, "decimal_places": 4}


class Result(models.Model):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="results"
    )
    group = models.ForeignKey(
        "cycles.RankingGroup",
        verbose_name=_("组别"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    performance = models.DecimalField(_("业绩指标"), **SCORE)  # type: ignore[arg-type]
    self_construction = models.DecimalField(_("自身建设指标"), **SCORE)  # type: ignore[arg-type]
    indicator = models.DecimalField(_("指标考核得分"), **SCORE)  # type: ignore[arg-type]
    city_incentive = models.DecimalField(_("市对区激励得分"), **SCORE)  # type: ignore[arg-type]
    public = models.DecimalField(_("公众评议得分"), **SCORE)  # type: ignore[arg-type]
    bonus = models.DecimalField(_("正向激励得分"), **SCORE)  # type: ignore[arg-type]
    deduction = models.DecimalField(_("察访核验扣分"), **SCORE)  # type: ignore[arg-type]
    composite = models.DecimalField(_("绩效评估得分"), **SCORE)  # type: ignore[arg-type]
    rank = models.PositiveIntegerField(_("组内名次"))
    grade = models.CharField(_("等次"), max_length=20)
    provisional = models.BooleanField(_("暂定"), default=False)
    missing = models.JSONField(_("缺少的输入"), default=list)
    leaf_scores = models.JSONField(_("末级指标得分"), default=dict)
    inputs_hash = models.CharField(_("输入哈希"), max_length=64)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("考评结果")
        verbose_name_plural = _("考评结果")
        ordering = ["cycle", "group__order", "rank", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "unit"], name="result_unique")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.composite}"
