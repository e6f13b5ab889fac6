"""Soak run: two gunicorn servers on PostgreSQL + Redis under mixed traffic for a set time.

    .venv/bin/python benchmarks/soak.py                      # 10 minutes
    .venv/bin/python benchmarks/soak.py --minutes 1          # a quick look
    .venv/bin/python benchmarks/soak.py --minutes 10 --json benchmarks/results/soak.json

It creates a database of its own (``alert_soak_<random>``) on the PostgreSQL
server of ``--postgres-url``, migrates it, loads the shipped dataset as
drafts, and starts two gunicorn servers (``--workers`` each, production
settings, plain HTTP on loopback, workers never recycled) sharing it and the
Redis of ``--redis-url`` (under a key prefix of its own). Several users then
work at once, each a thread with its own session, each request going to
either server in turn:

* readers (Leadership): the summary page and a page of the figures API;
* grid editors (Data entry): open their unit's entry grid, change one
  figure, save the grid;
* API writers (Administrators, a token each): PATCH a figure;
* an importer (Data entry): preview and confirm a one-figure CSV file in the
  admin.

Each writer owns its figures (no two writers share a unit), and every value
written is new, so at the end each acknowledged write can be looked for in
the database: the figure holds the last value its writer was told was
saved, and every acknowledged value has its history row.

The checks, printed at the end (exit status 1 if one fails): 0 server
errors (5xx, a dropped connection, a Traceback or a worker timeout in the
servers' logs, a worker that died); 0 acknowledged writes missing (value
or history row); each worker's memory (resident set) grown less than 10 %
between the end of the warm-up (a fifth of the run, at least 20 s) and the
end; and, for the record, the latency percentiles of each kind of request.
The load average is printed at the start and the end: figures from a busy
machine are not results. The database is dropped and the Redis keys
deleted afterwards (``--keep`` keeps the database).
"""

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PASSWORD = secrets.token_urlsafe(16)
MEMORY_GROWTH_LIMIT = 0.10
KINDS = ["summary", "api read", "grid save", "api write", "import"]

MAKE_USERS = """
import json
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from reporting.roles import ADMINISTRATORS, DATA_ENTRY, LEADERSHIP
from units.models import Unit
tokens = {}
for name, group in %(users)r:
    user = User.objects.create_user(name, password=%(password)r, is_staff=True)
    user.groups.add(Group.objects.get(name={"reader": LEADERSHIP, "editor": DATA_ENTRY,
        "importer": DATA_ENTRY, "writer": ADMINISTRATORS}[group]))
    if name in %(units)r:  # a clerk works on the unit of their own (scope: none without one)
        Unit.objects.get(code=%(units)r[name]).data_entry_users.add(user)
    tokens[name] = Token.objects.create(user=user).key
print(json.dumps(tokens))
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server where a database may be created (and dropped)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--editors", type=int, default=2, help="grid editors")
    parser.add_argument("--writers", type=int, default=2, help="API writers")
    parser.add_argument("--importers", type=int, default=1)
    parser.add_argument(
        "--think", type=float, default=0.2, help="seconds between a user's requests"
    )
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 24 * 60:
        parser.error("--minutes must be more than 0 and at most a day")
    return args


def load_average() -> list[float]:
    return [float(part) for part in Path("/proc/loadavg").read_text().split()[:3]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + name


class Server:
    def __init__(self, env: dict, workers: int, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env | {"GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(workers)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn on {self.port} exited; see {self.log_path}")
            try:
                if requests.get(self.base + "/health/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn on {self.port} did not answer")

    def workers(self) -> list[int]:
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def resident_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Record:
    """What every user saw, shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
        self.errors: list[str] = []
        self.refused: dict[str, int] = {kind: 0 for kind in KINDS}
        # (metric_id, period) -> values acknowledged, in order
        self.acknowledged: dict[tuple[int, str], list[Decimal]] = {}
        self.counter = 0

    def next_value(self) -> Decimal:
        with self.lock:
            self.counter += 1
            return Decimal(100_000 + self.counter)

    def took(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def refuse(self, kind: str) -> None:
        with self.lock:
            self.refused[kind] += 1

    def saved(self, key: tuple[int, str], value: Decimal) -> None:
        with self.lock:
            self.acknowledged.setdefault(key, []).append(value)


class User:
    def __init__(self, name: str, servers: list[Server], record: Record, token: str):
        self.name = name
        self.servers = servers
        self.record = record
        self.session = requests.Session()
        self.api = {"Authorization": f"Token {token}"}
        self.turn = random.randrange(len(servers))

    def base(self) -> str:
        self.turn += 1
        return self.servers[self.turn % len(self.servers)].base

    def timed(self, kind: str, method: str, url: str, **kwargs):
        began = time.monotonic()
        try:
            answer = self.session.request(method, url, timeout=60, **kwargs)
        except requests.RequestException as exc:
            self.record.error(f"{self.name} {kind} {url}: {exc}")
            return None
        self.record.took(kind, time.monotonic() - began)
        if answer.status_code >= 500:
            self.record.error(f"{self.name} {kind} {url}: {answer.status_code}")
            return None
        return answer

    def sign_in(self) -> None:
        base = self.servers[0].base
        login = base + "/admin/login/"
        page = self.session.get(login, timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = self.session.post(
            login,
            data={"csrfmiddlewaretoken": token, "username": self.name, "password": PASSWORD},
            headers={"Referer": login},
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise SystemExit(f"{self.name} could not sign in: {answer.status_code}")

    def act(self) -> None:
        raise NotImplementedError


class Reader(User):
    def act(self) -> None:
        base = self.base()
        if self.turn % 2:
            answer = self.timed("summary", "GET", base + "/reports/2023-24/")
        else:
            answer = self.timed(
                "api read", "GET", base + "/api/v1/figures/?fiscal_year=2023-24", headers=self.api
            )
        if answer is not None and answer.status_code != 200:
            self.record.error(f"{self.name} read: {answer.status_code}")


class GridEditor(User):
    def __init__(self, *args, grid: tuple[int, int], cells: list[tuple[int, str]]):
        super().__init__(*args)
        self.grid, self.cells = grid, cells

    def act(self) -> None:
        url = f"{self.base()}/admin/reporting/figure/grid/{self.grid[0]}/{self.grid[1]}/"
        page = self.timed("grid save", "GET", url)
        if page is None:
            return
        form = re.search(
            r'<form method="post"[^>]*entry-grid-form[^>]*>(.*?)</form>', page.text, re.S
        )
        fields = {}
        for tag in re.findall(r"<input[^>]*>", form.group(1)):
            name, given = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = given.group(1) if given else ""
        metric, period = random.choice(self.cells)
        value = self.record.next_value()
        fields[f"v-{metric}-{period}"] = str(value)
        answer = self.timed(
            "grid save", "POST", url, data=fields, headers={"Referer": url}, allow_redirects=False
        )
        if answer is None:
            return
        if answer.status_code == 302:
            self.record.saved((metric, period), value)
        else:
            self.record.refuse("grid save")


class ApiWriter(User):
    def __init__(self, *args, figures: list[tuple[int, int, str]]):
        super().__init__(*args)
        self.figures = figures  # (figure id, metric id, period)

    def act(self) -> None:
        figure, metric, period = random.choice(self.figures)
        value = self.record.next_value()
        answer = self.timed(
            "api write",
            "PATCH",
            f"{self.base()}/api/v1/figures/{figure}/",
            json={"value": str(value)},
            headers=self.api,
        )
        if answer is None:
            return
        if answer.status_code == 200:
            self.record.saved((metric, period), value)
        else:
            self.record.refuse("api write")


class Importer(User):
    def __init__(self, *args, rows: list[tuple[str, str, str, int]]):
        super().__init__(*args)
        self.rows = rows  # (unit code, metric code, period, metric id)

    def act(self) -> None:
        base = self.base()
        page = base + "/admin/reporting/figure/import/"
        form = self.timed("import", "GET", page)
        if form is None:
            return
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        unit, metric_code, period, metric = random.choice(self.rows)
        value = self.record.next_value()
        content = (
            "unit,metric,fiscal_year,period,region,value,note\r\n"
            f"{unit},{metric_code},2023-24,{period},,{value},soak\r\n"
        )
        preview = self.timed(
            "import",
            "POST",
            page,
            data={"csrfmiddlewaretoken": token, "format": "0"},
            files={"import_file": ("soak.csv", content.encode(), "text/csv")},
            headers={"Referer": page},
        )
        if preview is None:
            return
        confirm = re.search(
            r'<form[^>]+action="[^"]*process_import/"[^>]*>(.*?)</form>', preview.text, re.S
        )
        if confirm is None:
            self.record.refuse("import")
            return
        fields = {}
        for tag in re.findall(r"<input[^>]*>", confirm.group(1)):
            name, given = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name and given:
                fields[name.group(1)] = given.group(1)
        answer = self.timed(
            "import",
            "POST",
            self.base() + "/admin/reporting/figure/process_import/",
            data=fields,
            headers={"Referer": page},
            allow_redirects=False,
        )
        if answer is not None and answer.status_code == 302:
            self.record.saved((metric, period), value)
        elif answer is not None:
            self.record.refuse("import")


def plan_figures(url: str) -> dict:
    """Per unit code: its unit-wide quarterly count figures of 2023-24
    (figure id, metric id, period, unit code, metric code); the units' ids;
    the year's id."""
    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT f.id, m.id, p.period, u.code, m.code FROM reporting_figure f"
            " JOIN units_metric m ON m.id = f.metric_id JOIN units_unit u ON u.id = m.unit_id"
            " JOIN reporting_reportingperiod p ON p.id = f.period_id"
            " JOIN reporting_fiscalyear y ON y.id = p.fiscal_year_id"
            " WHERE y.label = '2023-24' AND f.region_id IS NULL AND m.value_type = 'count'"
            " AND p.period IN ('Q1', 'Q2', 'Q3', 'Q4') ORDER BY u.code, f.id"
        ).fetchall()
        ids = dict(db.execute("SELECT code, id FROM units_unit").fetchall())
        year = db.execute("SELECT id FROM reporting_fiscalyear WHERE label = '2023-24'").fetchone()[
            0
        ]
    units: dict[str, list] = {}
    for row in rows:
        units.setdefault(row[3], []).append(row)
    return {"units": units, "unit_ids": ids, "year": year}


def check_writes(url: str, acknowledged: dict, year_label: str = "2023-24") -> list[str]:
    missing = []
    with psycopg.connect(url) as db:
        for (metric, period), values in acknowledged.items():
            current = db.execute(
                "SELECT f.value FROM reporting_figure f"
                " JOIN reporting_reportingperiod p ON p.id = f.period_id"
                " JOIN reporting_fiscalyear y ON y.id = p.fiscal_year_id"
                " WHERE f.metric_id = %s AND p.period = %s AND y.label = %s"
                " AND f.region_id IS NULL",
                [metric, period, year_label],
            ).fetchone()
            if current is None or current[0] != values[-1]:
                missing.append(
                    f"metric {metric} {period}: holds {current}, last saved {values[-1]}"
                )
            history = {
                row[0]
                for row in db.execute(
                    "SELECT h.value FROM reporting_historicalfigure h"
                    " JOIN reporting_reportingperiod p ON p.id = h.period_id"
                    " JOIN reporting_fiscalyear y ON y.id = p.fiscal_year_id"
                    " WHERE h.metric_id = %s AND p.period = %s AND y.label = %s"
                    " AND h.region_id IS NULL",
                    [metric, period, year_label],
                )
            }
            missing += [
                f"metric {metric} {period}: no history row for {value}"
                for value in values
                if value not in history
            ]
    return missing


def percentiles(samples: list[float]) -> dict:
    if not samples:
        return {"count": 0}
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {
        "count": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def forget(args, name: str, prefix: str) -> None:
    """Drop the run's database (unless --keep) and delete its Redis keys."""
    import redis

    if not args.keep:
        with psycopg.connect(args.postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    client = redis.Redis.from_url(args.redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def main(argv=None) -> int:
    args = parse_args(argv)
    at_start = load_average()
    name = f"alert_soak_{secrets.token_hex(4)}"
    url = database_url(args.postgres_url, name)
    prefix = f"alert-soak-{secrets.token_hex(4)}"
    with psycopg.connect(args.postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    workdir = Path(tempfile.mkdtemp(prefix="alert-soak-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=args.redis_url,
        ALERT_CACHE_KEY_PREFIX=prefix,
        DJANGO_SETTINGS_MODULE="alert.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback only
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="",
        GUNICORN_MAX_REQUESTS="0",  # never recycled: memory growth shows
        GUNICORN_LOG_LEVEL="warning",
    )
    servers: list[Server] = []
    try:

        def manage(*command: str) -> str:
            return subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout

        print(f"preparing {name}…", flush=True)
        manage("migrate", "--noinput", "--verbosity", "0")
        manage("load_dataset", "--drafts")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        plan = plan_figures(url)
        units = [code for code, rows in plan["units"].items() if rows]
        writers_needed = args.editors + args.writers + args.importers
        if len(units) < writers_needed:
            raise SystemExit(f"only {len(units)} units to share among {writers_needed} writers")
        users = (
            [(f"reader{i}", "reader") for i in range(args.readers)]
            + [(f"editor{i}", "editor") for i in range(args.editors)]
            + [(f"writer{i}", "writer") for i in range(args.writers)]
            + [(f"importer{i}", "importer") for i in range(args.importers)]
        )
        # Each writer a unit of its own, in the order people are made below.
        writers = [user for user, kind in users if kind != "reader"]
        own_unit = dict(zip(writers, units, strict=False))
        clerks = {user: own_unit[user] for user, kind in users if kind in ("editor", "importer")}
        tokens = json.loads(
            manage(
                "shell",
                "-c",
                MAKE_USERS % {"users": users, "password": PASSWORD, "units": clerks},
            )
            .strip()
            .splitlines()[-1]
        )
        servers = [Server(env, args.workers, workdir / f"server-{n}.log") for n in "ab"]
        for server in servers:
            server.wait_until_up()

        record = Record()
        people: list[User] = []
        for user, kind in users:
            common = (user, servers, record, tokens[user])
            if kind == "reader":
                people.append(Reader(*common))
            elif kind == "editor":
                unit = own_unit[user]
                rows = plan["units"][unit]
                people.append(
                    GridEditor(
                        *common,
                        grid=(plan["unit_ids"][unit], plan["year"]),
                        cells=[(r[1], r[2]) for r in rows],
                    )
                )
            elif kind == "writer":
                rows = plan["units"][own_unit[user]]
                people.append(ApiWriter(*common, figures=[(r[0], r[1], r[2]) for r in rows]))
            else:
                rows = plan["units"][own_unit[user]]
                people.append(Importer(*common, rows=[(r[3], r[4], r[2], r[1]) for r in rows]))
        for person in people:
            person.sign_in()

        duration = args.minutes * 60
        warmup = max(duration / 5, 20.0) if duration > 40 else duration / 3
        began = time.monotonic()
        stop_at = began + duration

        def work(person: User) -> None:
            while time.monotonic() < stop_at:
                try:
                    person.act()
                except Exception as exc:  # noqa: BLE001 - a broken page is a finding
                    record.error(f"{person.name}: {type(exc).__name__}: {exc}")
                time.sleep(args.think * random.uniform(0.5, 1.5))

        threads = [threading.Thread(target=work, args=(p,), daemon=True) for p in people]
        for thread in threads:
            thread.start()
        print(f"running {args.minutes} min with {len(people)} users…", flush=True)
        time.sleep(warmup)
        workers_at_warmup = {pid: resident_kib(pid) for s in servers for pid in s.workers()}
        for thread in threads:
            thread.join(timeout=duration + 120)
        workers_at_end = {pid: resident_kib(pid) for s in servers for pid in s.workers()}
        at_end = load_average()
        missing = check_writes(url, record.acknowledged)
    finally:
        for server in servers:
            server.stop()
        logs = "".join(s.log_path.read_text() for s in servers)
        shutil.rmtree(workdir, ignore_errors=True)
        forget(args, name, prefix)
    for marker in ("Traceback", "WORKER TIMEOUT", "Internal Server Error"):
        if marker in logs:
            record.error(f"the servers' logs show {marker!r} ({logs.count(marker)} times)")
    for pid in workers_at_warmup:
        if pid not in workers_at_end:
            record.error(f"worker {pid} died during the run")
    growth = {
        pid: round((workers_at_end[pid] - kib) / kib, 3)
        for pid, kib in workers_at_warmup.items()
        if kib and workers_at_end.get(pid)
    }

    result = {
        "minutes": args.minutes,
        "servers": len(servers),
        "workers_per_server": args.workers,
        "users": {
            "readers": args.readers,
            "grid editors": args.editors,
            "API writers": args.writers,
            "importers": args.importers,
        },
        "cpus": os.cpu_count(),
        "load_average_at_start": at_start,
        "load_average_at_end": at_end,
        "latency": {kind: percentiles(record.latencies[kind]) for kind in KINDS},
        "acknowledged_writes": sum(len(v) for v in record.acknowledged.values()),
        "refused_writes": record.refused,
        "server_errors": record.errors,
        "missing_writes": missing,
        "worker_memory_growth": growth,
    }
    checks = {
        "0 server errors": not record.errors,
        "0 acknowledged writes missing": not missing and result["acknowledged_writes"] > 0,
        f"worker memory growth < {MEMORY_GROWTH_LIMIT:.0%} after warm-up": bool(growth)
        and max(growth.values()) < MEMORY_GROWTH_LIMIT,
    }
    result["checks"] = checks
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0 if all(checks.values()) else 1


def report(result: dict) -> None:
    print(
        f"{result['minutes']} min, {result['servers']} servers x {result['workers_per_server']} "
        f"workers, users {result['users']}, {result['cpus']} CPUs"
    )
    print(f"{'kind':12} {'requests':>9} {'median':>8} {'p95':>8} {'p99':>8} {'max':>8}  (ms)")
    for kind, s in result["latency"].items():
        if s["count"]:
            print(
                f"{kind:12} {s['count']:>9} {s['median_ms']:>8} {s['p95_ms']:>8} "
                f"{s['p99_ms']:>8} {s['max_ms']:>8}"
            )
    print(
        f"writes acknowledged {result['acknowledged_writes']}, refused {result['refused_writes']}"
    )
    print(f"worker memory growth after warm-up: {result['worker_memory_growth']}")
    for line in result["server_errors"][:20]:
        print("server error:", line)
    for line in result["missing_writes"][:20]:
        print("missing:", line)
    print(
        f"load average (1, 5, 15 min) at start {result['load_average_at_start']}, "
        f"at end {result['load_average_at_end']}"
    )
    if result["load_average_at_start"][0] >= 1:
        print("The machine was not quiet when the run began: these figures are not results.")
    for check, passed in result["checks"].items():
        print(f"{'PASS' if passed else 'FAIL'}  {check}")


if __name__ == "__main__":
    sys.exit(main())
