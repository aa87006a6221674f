"""``manage.py verify_cycle CODE``: recompute a cycle from its stored inputs and compare."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.cycles.models import Cycle
from jixiao.scoring.services import verify_cycle


class Command(BaseCommand):
    help = (
        "按已保存的输入重新计算考评年度(不写入任何数据),与保存的结果哈希和各单位结果逐行比较;"
        "有不一致时列出每一行并以状态 1 退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="考评年度代码,如 2020")

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(code=options["code"]).first()
        if cycle is None:
            raise CommandError(f"没有考评年度 {options['code']}")
        report = verify_cycle(cycle=cycle)
        self.stdout.write(f"考评年度 {cycle.code}「{cycle.name}」,阶段:{cycle.get_phase_display()}")
        self.stdout.write(f"单位数:{report.units}")
        self.stdout.write(f"保存的结果哈希:{report.stored_hash or '(无)'}")
        self.stdout.write(f"重新计算的哈希:{report.recomputed_hash}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("一致:结果与保存的输入完全相符。"))
            return
        for d in report.differences:
            where = d.unit or "(年度)"
            self.stdout.write(f"不一致 {where} {d.field}: 保存 {d.stored} ≠ 重算 {d.recomputed}")
        raise CommandError(f"发现 {len(report.differences)} 处不一致。")
