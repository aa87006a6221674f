"""Public evaluation (公众评议): the foundation keeps each unit's score; surveys build on it."""

from __future__ import annotations

from decimal import Decimal

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

    class Meta:
        verbose_name = _("公众评议得分")
        verbose_name_plural = _("公众评议得分")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="public_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.score}"
