"""Load test: gunicorn on loopback, N concurrent clients, bounded in time and requests.

    .venv/bin/python benchmarks/load_test.py                       # SQLite, shipped dataset
    .venv/bin/python benchmarks/load_test.py --years 25            # + 24 generated years
    .venv/bin/python benchmarks/load_test.py \\
        --database-url postgres://postgres@127.0.0.1:5432/alert_load --years 25
    .venv/bin/python benchmarks/load_test.py --url /admin/reporting/figure/ --url /health/

It prepares the database (migrate, the shipped dataset if empty, optional
generated years, a Leadership user "loadtest"), collects static files into
a temporary folder, starts gunicorn with --workers on 127.0.0.1 with
production settings (DEBUG off; only the HTTPS redirect and secure cookies
are off, as this speaks plain HTTP on loopback), signs in through the
admin's login form, then lets --clients clients request the --url list
round-robin for --duration seconds (after a short warm-up). It stops by
itself, stops gunicorn, and prints throughput, median, 95th percentile and
errors per URL and overall (and --json FILE for the record). Standard
library only: one connection per request, as gunicorn's sync workers close
the connection after every response anyway.

Default URLs are the summary page and the values API; both exist only once
those features are merged — until then pass --url.
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEFAULT_URLS = ["/reports/2023-24/", "/api/v1/figures/?fiscal_year=2023-24"]
MAX_DURATION = 600
MAX_CLIENTS = 200
USERNAME = "loadtest"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", help="path to request (repeatable)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not measured")
    parser.add_argument("--max-requests", type=int, default=200_000, help="hard bound")
    parser.add_argument("--workers", type=int, default=3, choices=[1, 2, 3, 4])
    parser.add_argument("--port", type=int, default=8170)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp folder")
    parser.add_argument("--years", type=int, default=0, help="generate data back this many years")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    args.url = args.url or DEFAULT_URLS
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1..{MAX_CLIENTS}")
    if not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--duration must be at most {MAX_DURATION} s")
    return args


def environment(args, workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DATABASE_URL=args.database_url or f"sqlite:///{workdir / 'load.sqlite3'}",
        DJANGO_SETTINGS_MODULE="alert.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback only
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        GUNICORN_WORKERS=str(args.workers),
        GUNICORN_ACCESS_LOG="",
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_LOG_LEVEL="warning",
    )
    return env


def prepare(env: dict, args, password: str) -> None:
    def manage(*command):
        subprocess.run(
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    manage("migrate", "--noinput", "--verbosity", "0")
    manage("load_dataset", "--if-empty")
    if args.years:
        manage("generate_sample_years", "--years", str(args.years))
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User; "
        f"u, _ = User.objects.get_or_create(username={USERNAME!r}); "
        f"u.set_password({password!r}); u.is_staff = True; u.save(); "
        "u.groups.add(Group.objects.get(name='Leadership')); "
        "from axes.models import AccessAttempt; AccessAttempt.objects.all().delete()",
    )


async def request(port: int, method: str, path: str, *, headers=None, body=b"", timeout=30.0):
    """One HTTP/1.1 request on a fresh connection: (status, headers, body)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split()[1])
    response_headers = [tuple(line.split(": ", 1)) for line in head_lines[1:] if ": " in line]
    return status, response_headers, content


def cookies_from(headers) -> dict:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return jar


async def sign_in(port: int, password: str) -> str:
    login = "/admin/login/"
    status, headers, body = await request(port, "GET", login)
    if status != 200:  # the admin may live elsewhere (DJANGO_ADMIN_URL)
        raise SystemExit(f"GET {login} answered {status}")
    jar = cookies_from(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": USERNAME,
            "password": password,
            "next": "/admin/",
        }
    ).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _ = await request(
        port,
        "POST",
        login,
        body=form,
        headers={
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}{login}",
        },
    )
    jar |= cookies_from(headers)
    if status != 302 or "sessionid" not in jar:
        raise SystemExit(f"signing in failed: {status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


async def drive(args, cookie: str) -> dict:
    samples: dict[str, list[float]] = {url: [] for url in args.url}
    errors: dict[str, dict[str, int]] = {url: {} for url in args.url}
    sent = 0
    start = time.monotonic()
    measure_from = start + args.warmup
    stop_at = measure_from + args.duration

    async def client(number: int) -> None:
        nonlocal sent
        i = number
        while time.monotonic() < stop_at and sent < args.max_requests:
            url = args.url[i % len(args.url)]
            i += 1
            sent += 1
            began = time.monotonic()
            try:
                status, _, _ = await request(
                    args.port, "GET", url, headers={"Cookie": cookie}, timeout=args.timeout
                )
                problem = None if status == 200 else f"HTTP {status}"
            except (TimeoutError, OSError, ValueError, IndexError) as exc:
                problem = type(exc).__name__
            ended = time.monotonic()
            if began >= measure_from and ended <= stop_at + args.timeout:
                if problem:
                    errors[url][problem] = errors[url].get(problem, 0) + 1
                else:
                    samples[url].append((ended - began) * 1000)

    await asyncio.gather(*(client(n) for n in range(args.clients)))
    elapsed = min(time.monotonic(), stop_at) - measure_from
    return summarise(args, samples, errors, elapsed)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summarise(args, samples, errors, elapsed) -> dict:
    def stats(ok: list[float], failed: dict) -> dict:
        return {
            "requests": len(ok) + sum(failed.values()),
            "per_second": round((len(ok) + sum(failed.values())) / elapsed, 1),
            "median_ms": round(statistics.median(ok), 1) if ok else None,
            "p95_ms": round(percentile(ok, 0.95), 1) if ok else None,
            "errors": sum(failed.values()),
            "error_kinds": failed,
        }

    everything = [ms for url in samples for ms in samples[url]]
    all_errors: dict[str, int] = {}
    for failed in errors.values():
        for kind, n in failed.items():
            all_errors[kind] = all_errors.get(kind, 0) + n
    return {
        "clients": args.clients,
        "workers": args.workers,
        "duration_s": round(elapsed, 1),
        "database": "postgresql" if (args.database_url or "").startswith("postgres") else "sqlite",
        "years_generated": args.years,
        "urls": {url: stats(samples[url], errors[url]) for url in args.url},
        "overall": stats(everything, all_errors),
    }


def report(result: dict) -> None:
    print(
        f"{result['clients']} clients, {result['workers']} gunicorn workers, "
        f"{result['database']}, {result['duration_s']} s measured"
    )
    print(f"{'URL':55} {'req/s':>8} {'median':>8} {'p95':>8} {'errors':>7}")
    for url, s in [*result["urls"].items(), ("overall", result["overall"])]:
        print(
            f"{url:55} {s['per_second']:>8} {s['median_ms']!s:>8} {s['p95_ms']!s:>8} "
            f"{s['errors']:>7}"
        )
    overall = result["overall"]
    met = overall["errors"] == 0 and overall["p95_ms"] is not None and overall["p95_ms"] <= 300
    print("target (no errors, p95 <= 300 ms):", "met" if met else "NOT met")


async def wait_until_up(port: int, process, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        try:
            status, _, _ = await request(port, "GET", "/health/", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("gunicorn did not answer /health/ in time")


def main(argv=None) -> int:
    args = parse_args(argv)
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="alert-load-") as folder:
        env = environment(args, Path(folder))
        prepare(env, args, password)
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            asyncio.run(wait_until_up(args.port, server, time.monotonic() + 60))
            cookie = asyncio.run(sign_in(args.port, password))
            result = asyncio.run(drive(args, cookie))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["overall"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
