from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.accounts.models import User
from jixiao.exchange.services import ArchiveError, check_archive, import_cycle
from jixiao.scoring.services import evaluate_inputs, recompute_cycle


class Command(BaseCommand):
    help = (
        "Import a cycle from a JSON archive written by export_cycle (导入考评年度归档). The "
        "whole file is checked first; if anything is wrong, every problem is printed with its "
        "JSON path (e.g. $.inputs.reviews[12].score) and nothing is written. Otherwise the "
        "cycle is created in one transaction; units and users that already exist (same code "
        "or username) are reused, new users get no usable password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the archive; '-' reads standard input")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete an existing cycle with the same code first (refused when it is finalized)",
        )
        parser.add_argument(
            "--recompute",
            action="store_true",
            help=(
                "compute the results after the import and compare their hash with the one the "
                "archive carries (a finalized cycle is verified without writing results)"
            ),
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the archive and report problems; write nothing",
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            default=None,
            help="the acting user recorded in the audit log (default: none, a system job)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from exc
        by = None
        if options["by"]:
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"--by: no user {options['by']!r}")
        if options["check"]:
            problems = check_archive(document=data, replace=options["replace"])
            self._fail_on(problems)
            self.stdout.write(f"{path}: no problems found")
            return
        try:
            summary = import_cycle(document=data, by=by, replace=options["replace"])
        except ArchiveError as exc:
            self._fail_on(exc.errors)
            raise  # unreachable: _fail_on raises for a non-empty list
        cycle = summary.cycle
        written = ", ".join(f"{n} {kind}" for kind, n in summary.counts.items() if n)
        verb = "replaced" if summary.replaced else "imported"
        self.stdout.write(
            f"{cycle.code}: {verb} ({written}; {summary.units_reused} units and "
            f"{summary.users_reused} users already existed)"
        )
        for note in summary.notes:
            self.stdout.write(f"note: {note}")
        if not options["recompute"]:
            return
        try:
            if cycle.is_locked:
                # A finalized cycle's results are restored only if they come out exactly as
                # the archive says; without the archive's hash they are verified, not written.
                expected_hash = summary.archive_results_hash or ""
                if expected_hash:
                    results_hash = recompute_cycle(
                        cycle=cycle,
                        by=by,
                        reason="restored from an archive",
                        restore_hash=expected_hash,
                    ).results_hash
                    self.stdout.write(f"{cycle.code}: {cycle.phase}, results restored")
                else:
                    from jixiao.scoring.selectors import load_inputs

                    _ranked, _hashes, results_hash = evaluate_inputs(
                        cycle=cycle, loaded=load_inputs(cycle=cycle)
                    )
                    self.stdout.write(
                        f"{cycle.code}: {cycle.phase}, results verified, not written "
                        f"(hash {results_hash})"
                    )
            else:
                results_hash = recompute_cycle(
                    cycle=cycle, by=by, reason="after import from an archive"
                ).results_hash
                self.stdout.write(f"{cycle.code}: recomputed, hash {results_hash}")
        except ValidationError as exc:
            raise CommandError("recompute: " + "; ".join(exc.messages)) from exc
        expected = summary.archive_results_hash
        if expected and expected != results_hash:
            raise CommandError(
                f"the results hash {results_hash} differs from the archive's {expected}: "
                "the inputs or the scoring rules changed"
            )
        if expected:
            self.stdout.write(f"{cycle.code}: results hash matches the archive")

    def _fail_on(self, problems: list[Any]) -> None:
        if not problems:
            return
        for problem in problems:
            self.stderr.write(str(problem))
        raise CommandError(f"{len(problems)} problem(s) in the archive; nothing was imported")
