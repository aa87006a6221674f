"""Per-cycle settings of the report pages that the Cycle model does not carry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    """Whether a finalized cycle's results are open to the public (公开), set by the office.

    Without a row, or with ``public`` false, the public page answers 404.
    """

    cycle = models.OneToOneField(
        "cycles.Cycle", on_delete=models.CASCADE, related_name="publication"
    )
    public = models.BooleanField(_("向社会公开"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("结果公开设置")
        verbose_name_plural = _("结果公开设置")

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.public}"
