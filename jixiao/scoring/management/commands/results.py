from __future__ import annotations

import csv
import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.cycles.models import Cycle
from jixiao.scoring.rounding import quantize
from jixiao.scoring.selectors import cycle_results

COMPONENTS = (
    "performance",
    "self_construction",
    "indicator",
    "city_incentive",
    "public",
    "bonus",
    "deduction",
)


class Command(BaseCommand):
    help = (
        "Print a cycle's stored results, ranked within each group "
        "(as a table, CSV or a JSON array of one object per unit)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", required=True, metavar="CODE", help="cycle code, e.g. 2020")
        parser.add_argument(
            "--format", choices=("table", "csv", "json"), default="table", help="output format"
        )
        parser.add_argument("--group", metavar="CODE", help="only this ranking group")

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(code=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"--cycle: no cycle with code {options['cycle']!r}")

        def fmt(value: Decimal) -> str:
            return str(quantize(value, cycle.precision))

        rows: list[dict[str, Any]] = [
            {
                "unit": r.unit.code,
                "name": r.unit.name,
                "group": r.group.code,
                "composite": fmt(r.composite),
                "rank": r.rank,
                "grade": r.grade,
                "provisional": r.provisional,
                "components": {c: fmt(getattr(r, c)) for c in COMPONENTS},
            }
            for r in cycle_results(cycle=cycle, group_code=options.get("group"))
        ]
        output = options["format"]
        if output == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        elif output == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(
                ["group", "rank", "unit", "name", "composite", "grade", "provisional", *COMPONENTS]
            )
            for row in rows:
                writer.writerow(
                    [
                        row["group"],
                        row["rank"],
                        row["unit"],
                        row["name"],
                        row["composite"],
                        row["grade"],
                        int(row["provisional"]),
                        *(row["components"][c] for c in COMPONENTS),
                    ]
                )
        else:
            if not rows:
                self.stdout.write(
                    f"{cycle.code}: no results yet (run `recompute --cycle {cycle.code}`)"
                )
                return
            group = None
            for row in rows:
                if row["group"] != group:
                    group = row["group"]
                    self.stdout.write(f"\n[{group}]")
                    self.stdout.write(f"{'rank':>4}  {'unit':<10} {'composite':>10}  grade  name")
                mark = " *" if row["provisional"] else ""
                self.stdout.write(
                    f"{row['rank']:>4}  {row['unit']:<10} {row['composite']:>10}  "
                    f"{row['grade']:<5}  {row['name']}{mark}"
                )
