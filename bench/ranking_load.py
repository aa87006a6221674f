"""Load on the ranking page of a 500-unit group: 20 concurrent readers, from a second process.

    python bench/ranking_load.py [--users 20] [--requests 40] [--workers 2] [--check]

Uses the synthetic 5,000-unit cycle of ``bench/recompute.py`` on PostgreSQL (database
``jixiao_bench``, generated there on first use, results recomputed if missing). It then:

1. times the page in this process with the Django test client, with the rendered-tables cache
   emptied before each request (``cold``: every query and the whole render) and kept (``warm``);
2. starts gunicorn on 127.0.0.1 (``--workers``, the ``make run`` setting) and, from a second
   process, lets ``--users`` readers (threads with keep-alive connections, each logged in as a
   leader) request the page ``--requests`` times each, one after the other without pause: a
   closed loop, bounded by the number of requests and by ``--timeout`` seconds. Before
   measuring, every gunicorn worker is warmed with a few requests (its cache is its own).

Prints the latencies (p50, p95, p99, max) and the throughput; ``--check`` fails when p95 is
at or above 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
UNITS = 5000
VIEWER = "bench-viewer"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="per user")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # JSON: run as the load process
    args = parser.parse_args(argv)
    if args.client:
        print(json.dumps(_client(json.loads(args.client))))
        return 0
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    from bench.recompute import _setup

    _setup("postgres")
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from bench.synthetic import existing_cycle, generate_cycle
    from jixiao.accounts.models import Membership, Role, User
    from jixiao.cycles.models import RankingGroup
    from jixiao.scoring.models import Result
    from jixiao.scoring.services import recompute_cycle

    call_command("migrate", verbosity=0, interactive=False)
    cycle = existing_cycle(UNITS) or generate_cycle(units=UNITS).cycle
    if Result.objects.filter(cycle=cycle).count() != UNITS:
        recompute_cycle(cycle=cycle, reason="ranking load benchmark")
        cycle.refresh_from_db()
    group = (
        RankingGroup.objects.filter(cycle=cycle)
        .annotate(n=Count("participations"))
        .order_by("order", "code")
        .first()
    )
    assert group is not None
    size = group.n
    user, _created = User.objects.get_or_create(username=VIEWER)
    Membership.objects.get_or_create(user=user, role=Role.VIEWER, unit=None, cycle=None)
    path = f"/cycles/{cycle.code}/ranking/?group={group.code}"

    # 1. In-process: cold (cache emptied) and warm.
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    cold, warm = [], []
    for _ in range(5):
        cache.clear()
        started = time.perf_counter()
        response = client.get(path)
        cold.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        assert (
            response.content.count(b'<tr class="is-provisional">') + response.content.count(b"<tr>")
            >= size
        )
    for _ in range(20):
        started = time.perf_counter()
        client.get(path)
        warm.append(time.perf_counter() - started)

    # 2. gunicorn and a second process of readers. The machine may be shared: its load average
    # before the run is reported with the figures.
    load_before = os.getloadavg()[0]
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    # The model backend (the first one is django-axes' lock-out check, which logs no one in).
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    connection.close()
    env = {**os.environ, "JIXIAO_LOCAL": "1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "jixiao.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for_port(args.port)
        spec = {
            "port": args.port,
            "path": path,
            "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
            "users": args.users,
            "requests": args.requests,
            "warmup": 4 * args.workers,
            "timeout": args.timeout,
        }
        done = subprocess.run(
            [sys.executable, __file__, "--client", json.dumps(spec)],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
            cwd=ROOT,
        )
        load = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
        session.delete()

    figures = {
        "units_in_group": size,
        "cold_ms": _ms(statistics.median(cold)),
        "cold_best_ms": _ms(min(cold)),
        "warm_ms": _ms(statistics.median(warm)),
        **load,
        "workers": args.workers,
        "load_average_before": round(load_before, 2),
        "database": f"PostgreSQL {connection.cursor().connection.info.server_version}",
    }
    print(json.dumps(figures, indent=2))
    if args.check and figures["p95_ms"] >= 300:
        print(f"p95 {figures['p95_ms']} ms is not under 300 ms", file=sys.stderr)
        return 1
    return 0


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on 127.0.0.1:{port}")


def _client(spec: dict[str, Any]) -> dict[str, Any]:
    """The load process: ``users`` threads, each with one keep-alive connection."""
    headers = {"Cookie": spec["cookie"], "Accept-Language": "zh-hans"}

    def get(conn: HTTPConnection) -> float:
        started = time.perf_counter()
        conn.request("GET", spec["path"], headers=headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200 or b"ranking-table" not in body:
            raise RuntimeError(f"status {response.status}")
        return elapsed

    warm = HTTPConnection("127.0.0.1", spec["port"], timeout=60)
    for _ in range(spec["warmup"]):
        get(warm)
    warm.close()

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + spec["timeout"]

    def reader() -> None:
        conn = HTTPConnection("127.0.0.1", spec["port"], timeout=60)
        mine: list[float] = []
        try:
            for _ in range(spec["requests"]):
                if time.monotonic() > deadline:
                    break
                mine.append(get(conn))
        except Exception as exc:  # reported, not raised: the figures say how many failed
            with lock:
                errors.append(repr(exc))
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=reader) for _ in range(spec["users"])]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return _ms(latencies[min(len(latencies) - 1, int(p * len(latencies)))])

    return {
        "users": spec["users"],
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": _ms(latencies[-1]),
        "throughput_rps": round(len(latencies) / wall, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
