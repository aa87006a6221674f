from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.cycles.models import Cycle
from jixiao.scoring.services import recompute_cycle


class Command(BaseCommand):
    help = "Recompute every participating unit's result of a cycle (重新计算考评结果)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", required=True, metavar="CODE", help="cycle code, e.g. 2020")
        parser.add_argument("--reason", default="", help="why the recompute was run (audited)")

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(code=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"--cycle: no cycle with code {options['cycle']!r}")
        try:
            summary = recompute_cycle(cycle=cycle, by=None, reason=options["reason"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{cycle.code}: {summary.units} units recomputed, {summary.provisional} provisional, "
            f"hash {summary.results_hash}"
        )
