"""``manage.py seed_demo``: load the demo year 2020 (示例数据) and compute its results."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jixiao.cycles.demo import CYCLE_CODE, load_demo
from jixiao.cycles.models import Cycle


class Command(BaseCommand):
    help = (
        "载入示例考评年度 2020(示例数据)并计算结果。年度已存在时不做任何改动;"
        "--reset 删除并重新载入年度 2020;--if-empty 仅在数据库中没有任何考评年度时载入。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--reset",
            action="store_true",
            help="删除已有的考评年度 2020 及其全部数据后重新载入,并重置示例账号的密码。",
        )
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="仅当数据库中没有任何考评年度时载入(供 make run 使用)。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Cycle.objects.exists():
            self.stdout.write("数据库中已有考评年度,未载入示例数据。")
            return
        summary = load_demo(reset=options["reset"])
        if summary is None:
            self.stdout.write(
                f"考评年度 {CYCLE_CODE} 已存在,未做任何改动(如需重新载入,请加 --reset)。"
            )
            return
        cycle = Cycle.objects.get(code=CYCLE_CODE)
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入「{cycle.name}」: {cycle.participations.count()} 个参评单位,"
                f"{summary.indicators} 个指标,{summary.review_scores} 条评估组评分,"
                f"{summary.collection_values} 条采集数据,"
                f"新建 {summary.accounts_created} 个示例账号;结果已计算。"
            )
        )
