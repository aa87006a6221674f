from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.accounts.models import User
from jixiao.cycles.models import Cycle
from jixiao.cycles.services import copy_cycle


class Command(BaseCommand):
    help = (
        "Start a new cycle from an existing one (复制考评年度): scheme, ranking groups, "
        "participating units, indicator trees (as drafts), standards tables and the survey "
        "are carried over; scores, results, tasks and answers are not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="SOURCE", help="code of the cycle to copy, e.g. 2020")
        parser.add_argument("code", metavar="CODE", help="code of the new cycle, e.g. 2021")
        parser.add_argument("--name", default="", help="name of the new cycle")
        parser.add_argument("--by", metavar="USERNAME", help="the acting user, for the audit")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Cycle.objects.filter(code=options["source"]).first()
        if source is None:
            raise CommandError(f"SOURCE: no cycle with code {options['source']!r}")
        by = None
        if options.get("by"):
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"--by: no user {options['by']!r}")
        try:
            target = copy_cycle(source=source, code=options["code"], name=options["name"], by=by)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{target.code}: copied from {source.code} ({target.name})")
