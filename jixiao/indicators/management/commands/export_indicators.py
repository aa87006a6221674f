"""Export 附件1 (a unit's performance tree) or 附件2 (the common tree) as .xlsx."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.accounts.models import Unit
from jixiao.cycles.models import Cycle
from jixiao.indicators import excel
from jixiao.indicators.selectors import tree_indicators
from jixiao.indicators.services import get_tree_status
from jixiao.indicators.views import TreeRef


class Command(BaseCommand):
    help = "Export an indicator tree to Excel (no --unit: the common self-construction tree)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", required=True, help="Cycle code")
        parser.add_argument("--unit", help="Unit code; omit for the common tree")
        parser.add_argument("-o", "--output", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(code=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"no cycle {options['cycle']}")
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"], participations__cycle=cycle).first()
            if unit is None:
                raise CommandError(f"unit {options['unit']} is not assessed in {cycle.code}")
        ref = TreeRef(cycle, unit, get_tree_status(cycle=cycle, unit=unit))
        rows = list(tree_indicators(cycle=cycle, tree=ref.tree, unit_id=unit.pk if unit else None))
        data = excel.export_workbook(
            tree=ref.tree,
            rows=rows,
            title=ref.title,
            unit_name=f"单位：{unit.name}" if unit else "效能办",
            total=sum((r.points for r in rows if r.parent_id is None), Decimal(0)),
        )
        options["output"].write_bytes(data)
        self.stdout.write(f"{options['output']}: {len(rows)} nodes")
