"""Import 附件1 (a unit's performance tree) or 附件2 (the common tree) from an .xlsx file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.accounts.models import Unit
from jixiao.cycles.models import Cycle
from jixiao.indicators import excel
from jixiao.indicators.services import ImportMode, get_tree_status, import_tree
from jixiao.indicators.views import TreeRef, import_context


class Command(BaseCommand):
    help = "Import an indicator tree from Excel (no --unit: the common self-construction tree)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--cycle", required=True, help="Cycle code")
        parser.add_argument("--unit", help="Unit code; omit for the common tree")
        parser.add_argument(
            "--append", action="store_true", help="Add to the tree instead of replacing it"
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file, save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(code=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"no cycle {options['cycle']}")
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"], participations__cycle=cycle).first()
            if unit is None:
                raise CommandError(f"unit {options['unit']} is not assessed in {cycle.code}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if path.stat().st_size > excel.MAX_BYTES:
            raise CommandError(f"{path}: larger than 10 MB")
        mode = ImportMode.APPEND if options["append"] else ImportMode.REPLACE
        ref = TreeRef(cycle, unit, get_tree_status(cycle=cycle, unit=unit))
        result = excel.parse_workbook(
            path.read_bytes(), filename=path.name, context=import_context(ref, mode)
        )
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s); nothing imported")
        if options["dry_run"]:
            self.stdout.write(f"{path.name}: {len(result.nodes)} nodes, total {result.total}; OK")
            return
        try:
            summary = import_tree(
                status=ref.status, nodes=result.nodes, mode=mode, by=None, reason=path.name
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{path.name}: {summary.created} created, {summary.updated} updated, "
            f"{summary.deleted} deleted"
        )
