"""Benchmark: public survey submissions under load, on 2 gunicorn workers and PostgreSQL.

    .venv/bin/python bench/survey_load.py [--target page|api] [--seconds 20] [--concurrency 16]
                                          [--tokens 30000] [--units 100] [--workers 2] [--check]

Uses its own database ``jixiao_survey_load`` (created and migrated on first use). Each run
empties the database's survey tables and makes a cycle ``SLOAD`` whose survey (the four
default questions) is open now, ``--units`` units and ``--tokens`` respondents, each sampled
with a personal link, written with bulk inserts. It then starts gunicorn itself
(``--workers`` sync workers on a free port of 127.0.0.1, persistent database connections as
configured by default) and stops it at the end, whatever happens (also on Ctrl-C).

The load comes from this process, not from gunicorn's: ``--concurrency`` threads, each one a
client answering one link after another. ``--target page`` (the default) is a phone on the
public page, with a fresh cookie jar per link:

1. GET ``/s/<token>/`` — the questionnaire, the CSRF cookie and token, the signed start time;
2. POST the answers (a random option per question), with the cookie, the form's CSRF token
   and an ``Origin`` header as a browser sends it; success is the redirect to ``/s/done/``
   (the thanks page itself is not fetched).

``--target api`` is a client of the public submission endpoint, one request per response:
POST ``/api/v1/survey/responses/`` with the JSON body ``{"token", "answers": {question id:
option number}, "comment"}``. The endpoint takes no login, no session and no cookie (the
single-use token in the body is its only authority, so CSRF does not apply), and the client
sends none; the question ids are the survey's, as an app built on the survey knows them.
Success is 201.

Each link is used once. The run stops by itself after ``--seconds`` (or when the links run
out), after a ``--warmup`` that is not counted in the figures. Every request is timed from
the connection to the last byte of the answer.

All the load comes from one address (127.0.0.1), so gunicorn runs with
``JIXIAO_SURVEY_RATE_LIMIT`` set far above what the run can submit: the limit is still
counted on every POST (the code path is the same), it just never triggers. For the same
reason, and because the client answers at once, every response after the third is flagged
"same address" and every one "too fast": the flags are recorded, as for a real flood.

Afterwards the figures are checked against the database: the responses stored for the cycle
equal the successful POSTs, one per link, on exactly the links that succeeded; a used link
then gets 409 on GET and POST (page and API), a page POST without the CSRF cookie gets 403,
an API POST with an option the question does not have gets 400 and one with a made-up token
404, and none of these stores anything. ``--check`` exits with status 1 unless responses/s
≥ 300 and POST p99 < 200 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB = "jixiao_survey_load"
URL = f"postgres://jixiao:jixiao@127.0.0.1:5432/{DB}"
CODE = "SLOAD"
API_PATH = "/api/v1/survey/responses/"
#: What a successful submission answers: the page's redirect, the endpoint's 201.
SUCCESS = {"page": 302, "api": 201}
TARGET_RATE = 300.0
TARGET_P99_MS = 200.0

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED_INPUT = re.compile(r'name="started" value="([^"]*)"')
RADIO = re.compile(r'type="radio" name="(q\d+)" value="(\d+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")


# The database ---------------------------------------------------------------------------------


def ensure_database() -> None:
    import psycopg

    with psycopg.connect("postgres://jixiao:jixiao@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
            c.execute(f"CREATE DATABASE {DB}")
    env = {**os.environ, "DATABASE_URL": URL, "JIXIAO_LOCAL": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def setup_django() -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ["JIXIAO_LOCAL"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(*, units: int, tokens: int) -> tuple[list[str], dict[int, int]]:
    """A cycle whose survey is open now, ``units`` units and ``tokens`` sampled respondents
    (spread evenly); returns the tokens, shuffled, and the survey's questions (id: number of
    options). Earlier runs' survey rows are removed."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from jixiao.accounts.models import Unit
    from jixiao.cycles.models import Cycle, Participation, RankingGroup
    from jixiao.surveys import services
    from jixiao.surveys.models import Invitation, Respondent, Sample

    with connection.cursor() as cursor:
        # This database holds only this benchmark's data.
        cursor.execute(
            "TRUNCATE surveys_answer, surveys_response, surveys_invitation, surveys_sample, "
            "surveys_respondent, surveys_respondentlist RESTART IDENTITY CASCADE"
        )
    cycle, _created = Cycle.objects.get_or_create(code=CODE, defaults={"name": "提交压测"})
    group, _g = RankingGroup.objects.get_or_create(cycle=cycle, code="G", defaults={"name": "G"})
    codes = [f"{CODE}-{i:04d}" for i in range(units)]
    Unit.objects.bulk_create(
        [Unit(code=c, name=f"压测单位{i}") for i, c in enumerate(codes)], ignore_conflicts=True
    )
    made = list(Unit.objects.filter(code__in=codes).order_by("code"))
    Participation.objects.bulk_create(
        [Participation(cycle=cycle, unit=u, group=group) for u in made], ignore_conflicts=True
    )
    now = timezone.now()
    survey = services.save_survey(
        cycle=cycle,
        data={"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=30)},
        by=None,
    )
    with transaction.atomic():
        people = Respondent.objects.bulk_create(
            [
                Respondent(
                    cycle=cycle,
                    unit=made[i % units],
                    name=f"受访人{i}",
                    phone=f"139{i:08d}",
                    matter="办理营业执照",
                )
                for i in range(tokens)
            ],
            batch_size=5000,
        )
        samples = {
            s.unit_id: s
            for s in Sample.objects.bulk_create(
                [
                    Sample(cycle=cycle, unit=u, size=len(people[n::units]), seed="load")
                    for n, u in enumerate(made)
                ]
            )
        }
        links = [secrets.token_urlsafe(24) for _ in people]
        Invitation.objects.bulk_create(
            [
                Invitation(
                    sample=samples[p.unit_id],
                    cycle=cycle,
                    unit_id=p.unit_id,
                    respondent=p,
                    token=token,
                )
                for p, token in zip(people, links, strict=True)
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    random.Random(6).shuffle(links)
    questions = {q.pk: len(q.options) for q in survey.questions.order_by("order", "id")}
    return links, questions


# The server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    env = {**os.environ, "DATABASE_URL": URL, "JIXIAO_LOCAL": "1"}
    # Persistent connections as configured by default; the whole load comes from 127.0.0.1.
    env.pop("DJANGO_CONN_MAX_AGE", None)
    env.pop("DJANGO_DEBUG", None)
    env["JIXIAO_SURVEY_RATE_LIMIT"] = str(10**9)
    command = [
        str(gunicorn),
        "jixiao.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--error-logfile",
        str(log),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop_gunicorn(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def wait_ready(proc: subprocess.Popen[bytes], port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/s/done/")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (0 for one that has gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def server_pids(server: subprocess.Popen[bytes]) -> tuple[list[int], list[int]]:
    """gunicorn's workers, and the PostgreSQL backends of the bench database."""
    from django.db import connection

    with open(f"/proc/{server.pid}/task/{server.pid}/children") as children:
        workers = [int(pid) for pid in children.read().split()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB],
        )
        backends = [row[0] for row in cursor.fetchall()]
    return workers, backends


# The load -------------------------------------------------------------------------------------


@dataclass
class Timing:
    """One timed request."""

    kind: str  # "get" or "post"
    status: int  # 0: a connection error or a timeout
    ms: float
    measured: bool


@dataclass
class Load:
    port: int
    tokens: list[str]
    questions: dict[int, int] = field(default_factory=dict)
    samples: list[Timing] = field(default_factory=list)
    succeeded: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_token: int = 0

    def take(self) -> str | None:
        with self.lock:
            if self.next_token >= len(self.tokens):
                return None
            token = self.tokens[self.next_token]
            self.next_token += 1
            return token


def request(
    port: int, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str, float]:
    """One request on a new connection (gunicorn's sync workers close each one)."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode()
        meta = {
            "location": response.getheader("Location", "") or "",
            "cookies": "; ".join(response.headers.get_all("Set-Cookie") or []),
        }
    finally:
        conn.close()
    return response.status, meta, text, (time.perf_counter() - t0) * 1000


def answer_form(page: str, rng: random.Random) -> tuple[str, dict[str, str]]:
    """The CSRF cookie's companion token and the answers (a random option per question)."""
    csrf = CSRF_INPUT.search(page)
    started = STARTED_INPUT.search(page)
    if csrf is None or started is None:
        raise ValueError("no form on the page")
    options: dict[str, list[str]] = {}
    for name, value in RADIO.findall(page):
        options.setdefault(name, []).append(value)
    data = {"csrfmiddlewaretoken": csrf.group(1), "started": started.group(1)}
    data.update({name: rng.choice(values) for name, values in options.items()})
    data["comment"] = "" if rng.random() < 0.8 else "办事很快,态度很好。"
    return csrf.group(1), data


def phone(load: Load, seed: int, measured: bool, deadline: float) -> None:
    """One simulated phone: answers links one after another until the deadline."""
    rng = random.Random(seed)
    origin = f"http://127.0.0.1:{load.port}"
    mine: list[Timing] = []
    ok: list[str] = []
    while time.monotonic() < deadline:
        token = load.take()
        if token is None:
            break
        path = f"/s/{token}/"
        try:
            status, meta, page, ms = request(load.port, "GET", path)
        except OSError:
            mine.append(Timing("get", 0, 0.0, measured))
            continue
        mine.append(Timing("get", status, ms, measured))
        cookie = CSRF_COOKIE.search(meta["cookies"])
        if status != 200 or cookie is None:
            continue
        _csrf, data = answer_form(page, rng)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie.group(1)}",
            "Origin": origin,
            "Referer": origin + path,
        }
        try:
            status, meta, _page, ms = request(
                load.port, "POST", path, urllib.parse.urlencode(data), headers
            )
        except OSError:
            mine.append(Timing("post", 0, 0.0, measured))
            continue
        mine.append(Timing("post", status, ms, measured))
        if status == 302 and meta["location"].endswith("/s/done/"):
            ok.append(token)
    with load.lock:
        load.samples.extend(mine)
        load.succeeded.extend(ok)


def api_body(token: str, questions: dict[int, int], rng: random.Random) -> str:
    """The endpoint's JSON: a random option number per question, a comment one time in five."""
    answers = {str(pk): rng.randint(1, options) for pk, options in questions.items()}
    comment = "" if rng.random() < 0.8 else "办事很快,态度很好。"
    return json.dumps({"token": token, "answers": answers, "comment": comment})


def api_client(load: Load, seed: int, measured: bool, deadline: float) -> None:
    """One client of the submission endpoint: one POST per link until the deadline. No
    cookie, no session, no CSRF token: the endpoint takes none (the token is the authority)."""
    rng = random.Random(seed)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    mine: list[Timing] = []
    ok: list[str] = []
    while time.monotonic() < deadline:
        token = load.take()
        if token is None:
            break
        body = api_body(token, load.questions, rng)
        try:
            status, _meta, _text, ms = request(load.port, "POST", API_PATH, body, headers)
        except OSError:
            mine.append(Timing("post", 0, 0.0, measured))
            continue
        mine.append(Timing("post", status, ms, measured))
        if status == 201:
            ok.append(token)
    with load.lock:
        load.samples.extend(mine)
        load.succeeded.extend(ok)


def run_load(
    load: Load, *, concurrency: int, seconds: float, measured: bool, target: str = "page"
) -> float:
    """Runs the clients for ``seconds``; returns the time it took until the last answer."""
    start = time.monotonic()
    deadline = start + seconds
    client = api_client if target == "api" else phone
    threads = [
        threading.Thread(
            target=client, args=(load, n + int(measured) * 1000, measured, deadline), daemon=True
        )
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return time.monotonic() - start


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


# Checks afterwards ----------------------------------------------------------------------------


def verify(load: Load, port: int) -> dict[str, Any]:
    """The stored responses against the client's count; a used link and a POST without the
    CSRF cookie are refused and store nothing."""
    from django.db.models import Count

    from jixiao.surveys.models import Invitation, Response

    stored = Response.objects.filter(cycle__code=CODE)
    count = stored.count()
    distinct = stored.values("invitation_id").distinct().count()
    answered = set(
        Invitation.objects.filter(cycle__code=CODE, response__isnull=False).values_list(
            "token", flat=True
        )
    )
    flags: Counter[str] = Counter()
    for row in stored.values("flags").annotate(n=Count("id")):
        for flag in row["flags"] or ["none"]:
            flags[flag] += row["n"]
    checks = {
        "stored": count,
        "one_per_link": count == distinct == len(answered),
        "same_links": answered == set(load.succeeded),
        "flags": dict(flags),
    }
    used = load.succeeded[0]
    status_get, _meta, _page, _ms = request(port, "GET", f"/s/{used}/")
    fresh = load.tokens[-1]
    status_fresh, meta, page, _ms = request(port, "GET", f"/s/{fresh}/")
    cookie = CSRF_COOKIE.search(meta["cookies"])
    _csrf, data = answer_form(page, random.Random(0))
    origin = f"http://127.0.0.1:{port}"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie.group(1) if cookie else ''}",
        "Origin": origin,
    }
    body = urllib.parse.urlencode(data)
    status_post, _meta, _page, _ms = request(port, "POST", f"/s/{used}/", body, headers)
    no_cookie = {k: v for k, v in headers.items() if k != "Cookie"}
    status_csrf, _meta, _page, _ms = request(port, "POST", f"/s/{fresh}/", body, no_cookie)
    json_headers = {"Content-Type": "application/json"}
    rng = random.Random(0)
    status_api_used, _meta, _page, _ms = request(
        port, "POST", API_PATH, api_body(used, load.questions, rng), json_headers
    )
    bad = json.loads(api_body(fresh, load.questions, rng))
    bad["answers"] = {pk: options + 1 for pk, options in load.questions.items()}
    status_api_bad, _meta, _page, _ms = request(
        port, "POST", API_PATH, json.dumps(bad), json_headers
    )
    forged = api_body("forged-" + secrets.token_urlsafe(24), load.questions, rng)
    status_api_forged, _meta, _page, _ms = request(port, "POST", API_PATH, forged, json_headers)
    checks["used_link_get"] = status_get
    checks["used_link_post"] = status_post
    checks["post_without_csrf_cookie"] = status_csrf
    checks["api_used_link"] = status_api_used
    checks["api_unknown_option"] = status_api_bad
    checks["api_forged_token"] = status_api_forged
    checks["unchanged_after_refusals"] = (
        Response.objects.filter(cycle__code=CODE).count() == count
        and not Response.objects.filter(invitation__token=fresh).exists()
    )
    statuses = (status_fresh, status_get, status_post, status_csrf)
    api_statuses = (status_api_used, status_api_bad, status_api_forged)
    checks["ok"] = (
        checks["one_per_link"]
        and checks["same_links"]
        and count == len(load.succeeded)
        and statuses == (200, 409, 409, 403)
        and api_statuses == (409, 400, 404)
        and checks["unchanged_after_refusals"]
    )
    return checks


# Report ---------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from django.db import connection

    cpu = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        kib = int(info.readline().split()[1])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg,
        "loadavg_before": os.getloadavg(),
    }


def summarise(
    load: Load, seconds: float, warm: int, cpu: dict[str, float], target: str = "page"
) -> dict[str, Any]:
    measured = [s for s in load.samples if s.measured]
    posts = [s for s in measured if s.kind == "post"]
    gets = [s for s in measured if s.kind == "get"]
    ok_posts = [s.ms for s in posts if s.status == SUCCESS[target]]
    ok_gets = [s.ms for s in gets if s.status == 200]
    errors = Counter(
        f"{s.kind.upper()} {s.status or 'connection error'}"
        for s in measured
        if (s.kind, s.status) not in {("get", 200), ("post", SUCCESS[target])}
    )

    def stats(values: list[float]) -> dict[str, float]:
        return {
            "p50_ms": round(percentile(values, 0.50), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "max_ms": round(max(values), 1) if values else float("nan"),
        }

    return {
        "seconds": round(seconds, 2),
        "responses": len(ok_posts),
        "responses_per_s": round(len(ok_posts) / seconds, 1),
        "post": stats(ok_posts),
        "get": stats(ok_gets),
        "errors": dict(errors),
        "warmup_responses": warm,
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
        "cpu_ms_per_response": round(1000 * sum(cpu.values()) / max(len(ok_posts), 1), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--target",
        choices=["page", "api"],
        default="page",
        help="page: GET /s/<token>/ then POST the form; api: POST /api/v1/survey/responses/",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time")
    parser.add_argument("--warmup", type=float, default=2.0, help="load before measuring")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=30000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="status 1 below the target")
    args = parser.parse_args()

    ensure_database()
    setup_django()
    t0 = time.perf_counter()
    tokens, questions = prepare(units=args.units, tokens=args.tokens)
    print(
        f"prepared {len(tokens)} links for {args.units} units in {time.perf_counter() - t0:.1f} s"
    )
    info = machine()

    def interrupted(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    log = ROOT / "var" / "bench" / "survey_load-gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_gunicorn(port, args.workers, log)
    try:
        wait_ready(server, port)
        load = Load(port=port, tokens=tokens, questions=questions)
        run_load(
            load,
            concurrency=args.concurrency,
            seconds=args.warmup,
            measured=False,
            target=args.target,
        )
        warm = len(load.succeeded)
        # CPU time of the measured run: gunicorn's workers, their PostgreSQL backends, and
        # this process (the load), to tell what the run cost from what the machine gave it.
        workers, backends = server_pids(server)
        before = cpu_seconds(workers), cpu_seconds(backends), time.process_time()
        seconds = run_load(
            load,
            concurrency=args.concurrency,
            seconds=args.seconds,
            measured=True,
            target=args.target,
        )
        cpu = {
            "gunicorn": cpu_seconds(workers) - before[0],
            "postgresql": cpu_seconds(backends) - before[1],
            "load": time.process_time() - before[2],
        }
        figures = summarise(load, seconds, warm, cpu, args.target)
        checks = verify(load, port)
    finally:
        stop_gunicorn(server)
    info["loadavg_after"] = os.getloadavg()
    result = {
        "target": args.target,
        "workers": args.workers,
        "concurrency": args.concurrency,
        **figures,
        "checks": checks,
        "machine": info,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        post, get = figures["post"], figures["get"]
        clients = "clients of the API" if args.target == "api" else "phones on the page"
        gets = (
            f"GET  p50 {get['p50_ms']} ms, p95 {get['p95_ms']} ms, p99 {get['p99_ms']} ms, "
            f"max {get['max_ms']} ms\n"
            if args.target == "page"
            else ""
        )
        print(
            f"{figures['responses']} responses in {figures['seconds']} s = "
            f"{figures['responses_per_s']} responses/s ({args.workers} workers, "
            f"{args.concurrency} {clients}; warm-up {warm} more, not counted)\n"
            f"POST p50 {post['p50_ms']} ms, p95 {post['p95_ms']} ms, p99 {post['p99_ms']} ms, "
            f"max {post['max_ms']} ms\n"
            f"{gets}"
            f"errors: {figures['errors'] or 'none'}\n"
            f"CPU: {figures['cpu_seconds']} s = {figures['cpu_ms_per_response']} ms per response\n"
            f"checks: {checks}\n"
            f"machine: {info}"
        )
    met = figures["responses_per_s"] >= TARGET_RATE and figures["post"]["p99_ms"] < TARGET_P99_MS
    if not checks["ok"]:
        print("FAILED: the stored responses do not match the load", file=sys.stderr)
        return 1
    if args.check and not met:
        print(
            f"below the target: {TARGET_RATE:.0f} responses/s with p99 < {TARGET_P99_MS:.0f} ms",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
