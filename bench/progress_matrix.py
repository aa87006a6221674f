"""The office's progress matrix page on the synthetic cycle of ``bench/synthetic.py``.

    python bench/progress_matrix.py [--units 5000] [--db sqlite|postgres] [--repeat 5]

Uses the database of the recompute benchmark (``var/bench/bench.sqlite3`` or the PostgreSQL
database ``jixiao_bench``), generating the cycle only when it is not there. The synthetic
cycle has reviews but no workflow rows; the first run adds, once, what the page reads: one
whole-unit reviewer assignment per unit × reviewer that scored it, and a submitted
self-evaluation of every judged leaf for 95 % of the units. It then times the full page
(``GET /cycles/<code>/assessment/progress/`` through the test client, as the office: session,
permission, every grouped count of the cycle, one page of 50 rows of the matrix, template),
best and median of ``--repeat`` runs, after one warm-up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def prepare(units: int) -> str:
    from django.core.management import call_command
    from django.db import transaction

    from bench.synthetic import existing_cycle, generate_cycle
    from jixiao.accounts.models import Membership, Role, User
    from jixiao.evaluations.models import (
        PackageState,
        ReviewerAssignment,
        ReviewScore,
        SelfEvaluation,
        SelfEvaluationPackage,
    )
    from jixiao.evaluations.selectors import JUDGED, leaves

    call_command("migrate", verbosity=0, interactive=False)
    cycle = existing_cycle(units) or generate_cycle(units=units, progress=False).cycle
    with transaction.atomic():
        if not ReviewerAssignment.objects.filter(cycle=cycle).exists():
            pairs = (
                ReviewScore.objects.filter(cycle=cycle)
                .values_list("unit_id", "reviewer_id")
                .distinct()
            )
            ReviewerAssignment.objects.bulk_create(
                (ReviewerAssignment(cycle=cycle, unit_id=u, reviewer_id=r) for u, r in pairs),
                batch_size=5000,
            )
        if not SelfEvaluationPackage.objects.filter(cycle=cycle).exists():
            unit_ids = list(
                cycle.participations.order_by("unit_id").values_list("unit_id", flat=True)
            )
            chosen = {u for i, u in enumerate(unit_ids) if i % 20 != 7}
            packages = SelfEvaluationPackage.objects.bulk_create(
                (
                    SelfEvaluationPackage(cycle=cycle, unit_id=u, state=PackageState.SUBMITTED)
                    for u in chosen
                ),
                batch_size=5000,
            )
            by_unit = {p.unit_id: p.pk for p in packages}
            if None in by_unit.values():  # SQLite before 3.35 returns no ids
                by_unit = dict(
                    SelfEvaluationPackage.objects.filter(cycle=cycle).values_list("unit_id", "pk")
                )
            rows = (
                SelfEvaluation(
                    package_id=by_unit[unit_id],
                    cycle=cycle,
                    unit_id=unit_id,
                    indicator_id=pk,
                    achievement="已完成",
                    claimed_score=points,
                )
                for pk, unit_id, points in leaves(cycle=cycle)
                .filter(tree="performance", method__in=JUDGED, unit_id__in=chosen)
                .values_list("pk", "unit_id", "points")
            )
            SelfEvaluation.objects.bulk_create(rows, batch_size=5000)
        office, _ = User.objects.get_or_create(username="bench-office", defaults={"password": "!"})
        Membership.objects.get_or_create(user=office, role=Role.OFFICE_ADMIN, unit=None, cycle=None)
    return cycle.code


def measure(code: str, repeat: int) -> dict[str, float]:
    from django.test import Client

    from jixiao.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench-office"))
    path = f"/cycles/{code}/assessment/progress/"
    response = client.get(path)  # warm-up: caches, the template loader
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return {
        "best": min(times),
        "median": statistics.median(times),
        "bytes": len(response.content),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from bench.recompute import _setup

    _setup(args.db)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    code = prepare(args.units)
    figures = measure(code, args.repeat)
    print(
        f"{args.db}: {args.units} units — progress page best {figures['best'] * 1000:.0f} ms, "
        f"median {figures['median'] * 1000:.0f} ms, "
        f"{figures['bytes'] / 1024:.0f} KiB"
    )
    return 0 if figures["best"] < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
