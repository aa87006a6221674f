"""Task decomposition (任务分解): tasks under performance leaves, their milestones (时间节点)
and progress reports, and the rule that turns dates into traffic lights."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskState(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")


class LightRule(models.Model):
    """How early a task or milestone turns yellow, per cycle (default 7 days)."""

    cycle = models.OneToOneField(
        "cycles.Cycle", on_delete=models.CASCADE, related_name="light_rule"
    )
    warn_days = models.PositiveSmallIntegerField(
        _("提前预警天数"), default=7, validators=[MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("红黄绿灯规则")
        verbose_name_plural = _("红黄绿灯规则")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.warn_days}"


class Task(models.Model):
    """A task (任务) under one performance leaf. ``cycle`` and ``unit`` repeat the leaf's, so
    the dashboards filter without joining the tree."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="tasks"
    )
    leaf = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("指标"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    title = models.CharField(_("任务"), max_length=300)
    description = models.TextField(_("说明"), blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人（账号）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    responsible_name = models.CharField(_("责任人"), max_length=100, blank=True)
    starts_on = models.DateField(_("开始日期"))
    due = models.DateField(_("完成时限"))
    state = models.CharField(
        _("状态"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["cycle", "unit", "due", "id"]
        indexes = [models.Index(fields=["cycle", "unit"])]

    def __str__(self) -> str:
        return self.title

    @property
    def responsible(self) -> str:
        return str(self.responsible_user) if self.responsible_user else self.responsible_name


class Milestone(models.Model):
    """A dated step of a task (时间节点)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("时间节点"), max_length=300)
    due = models.DateField(_("截止日期"))
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人（账号）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    responsible_name = models.CharField(_("责任人"), max_length=100, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["task", "due", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def responsible(self) -> str:
        return str(self.responsible_user) if self.responsible_user else self.responsible_name


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("报告日期"))
    percent = models.PositiveSmallIntegerField(
        _("完成进度（%）"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    done_text = models.TextField(_("已完成工作"))
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步计划"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["task", "-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.task} {self.reported_on} {self.percent}%"


class ProgressAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("附件"), upload_to="progress/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))

    class Meta:
        verbose_name = _("进度附件")
        verbose_name_plural = _("进度附件")

    def __str__(self) -> str:
        return self.name
