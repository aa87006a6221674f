from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.cycles.models import Cycle
from jixiao.exchange.services import write_archive


class Command(BaseCommand):
    help = (
        "Export a whole cycle (scheme, groups, units, users' roles, indicator trees and every "
        "score input) as one JSON archive, format jixiao-cycle-archive version 1 "
        "(导出考评年度归档). See docs/exchange-format.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", metavar="CODE", help="cycle code, e.g. 2020")
        parser.add_argument(
            "-o",
            "--output",
            default="-",
            metavar="FILE",
            help="file to write (UTF-8 JSON); '-' writes to standard output (the default)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = Cycle.objects.filter(code=options["code"]).first()
        if cycle is None:
            raise CommandError(f"no cycle with code {options['code']!r}")
        output = options["output"]
        if output == "-":
            # The wrapper around stdout appends a newline to every write; use the stream.
            stream = getattr(self.stdout, "_out", sys.stdout)
            write_archive(cycle=cycle, stream=stream)
            return
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"-o: directory {str(target.parent)!r} does not exist")
        # Write beside the target and rename, so an interrupted export never leaves a
        # truncated archive under the real name.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as stream:
                write_archive(cycle=cycle, stream=stream)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stderr.write(f"{cycle.code}: archive written to {target}")
