"""Throughput of the published summary, the figures API and their 304s against /health/, under wrk.

    .venv/bin/python benchmarks/wrk_benchmark.py --years 25
    .venv/bin/python benchmarks/wrk_benchmark.py --years 25 \\
        --database-url postgres://postgres@127.0.0.1:5432/alert_wrk \\
        --redis-url redis://127.0.0.1:6379/9
    .venv/bin/python benchmarks/wrk_benchmark.py --wrk-cpus 1 --duration 15 --json out.json

The load comes from Debian's ``wrk`` (C, /usr/bin/wrk), not from Python, so
the client costs the server little; ``--wrk-cpus`` pins it to chosen cores
with ``taskset`` as well. It prepares the database and starts gunicorn as
``load_test.py`` does (production settings, plain HTTP on loopback, the
shipped dataset plus ``--years`` generated years, a Leadership user), with
the shared cache when ``--redis-url`` is given, signs in, requests each URL
once (so the summary is rendered and cached), then runs wrk against each
URL in turn in this one run, for ``--duration`` seconds each with
``--connections`` connections:

* ``/health/`` — a trivial request through the same stack (the baseline);
* ``/reports/2023-24/`` — the published summary (its newest release, cached), signed in;
* ``/api/v1/figures/?fiscal_year=2023-24`` — the figures API, signed in;
* each of those with ``If-None-Match`` (the ETag of its first answer: the
  release's SHA-256 for the summary, the records version's digest for the
  API): answered 304 without rendering anything.

It prints, per URL: requests a second, the ratio to /health/'s, the median,
95th and 99th percentile latency, errors (socket errors and answers other
than 2xx/3xx), and the load average (as ``uptime`` shows it) before and
after. The targets: the summary and the API each at least 0.5 of /health/'s
throughput, each 304 at least 0.8 (issues 19 and 21), no errors. A 1-minute load average of 1 or more when
the run begins means other work shared the machine: such figures are not
results.
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_test  # noqa: E402 - the same preparation, server start and sign-in

ROOT = load_test.ROOT
WRK = shutil.which("wrk") or "/usr/bin/wrk"
URLS = ["/health/", "/reports/2023-24/", "/api/v1/figures/?fiscal_year=2023-24"]
NOT_MODIFIED = " (If-None-Match: 304)"


def not_modified(url: str) -> str:
    """The label of a URL's conditional run, among the URLs' results."""
    return f"{url}{NOT_MODIFIED}"


TARGET_RATIO = 0.5
NOT_MODIFIED_TARGET_RATIO = 0.8
MAX_DURATION = 120

# wrk's Lua hook: the figures its summary leaves out (p95) and the error
# counts, as one JSON line after its own report.
REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=15, help="seconds per URL")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2 * os.cpu_count() + 1, 8),  # gunicorn.conf.py's default, as production runs
        choices=range(1, 9),
        help="gunicorn workers (default: gunicorn.conf.py's, 2 x CPUs + 1)",
    )
    parser.add_argument("--port", type=int, default=8171)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp folder")
    parser.add_argument("--redis-url", help="the shared cache (default: local memory)")
    parser.add_argument("--years", type=int, default=25, help="generate data back this many years")
    parser.add_argument("--wrk-cpus", help="run wrk under taskset -c CPUS (e.g. 1)")
    parser.add_argument("--url", action="append", help="instead of the three default URLs")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    args.url = args.url or URLS
    if not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--duration must be 1..{MAX_DURATION} s")
    if not Path(WRK).exists():
        parser.error("wrk is not installed (apt-get install wrk)")
    return args


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    return [float(part) for part in Path("/proc/loadavg").read_text().split()[:3]]


def forget_keys(redis_url: str, prefix: str) -> None:
    """Leave nothing of this run in a shared Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def run_wrk(args, url: str, cookie: str, script: Path, headers: dict | None = None) -> dict:
    command = [
        WRK,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        "-H",
        f"Cookie: {cookie}",
        *(part for name, value in (headers or {}).items() for part in ("-H", f"{name}: {value}")),
        f"http://127.0.0.1:{args.port}{url}",
    ]
    if args.wrk_cpus:
        command = ["taskset", "-c", args.wrk_cpus, *command]
    before = load_average()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    after = load_average()
    line = next(x for x in output.splitlines() if x.startswith("WRK-JSON "))
    raw = json.loads(line.removeprefix("WRK-JSON "))
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "per_second": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "requests": raw["requests"],
        "median_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "errors": errors,
        "error_kinds": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout")},
        "load_average_before": before,
        "load_average_after": after,
    }


def report(result: dict) -> None:
    print(
        f"wrk: {result['connections']} connections, {result['duration_s']} s a URL; "
        f"gunicorn: {result['workers']} workers; {result['database']}, cache {result['cache']}, "
        f"{result['years_generated']} generated years; {result['cpus']} CPUs"
    )
    print(
        f"{'URL':58} {'req/s':>8} {'÷health':>8} {'median':>8} {'p95':>8} {'p99':>8} "
        f"{'errors':>7}  load avg (1 min) before → after"
    )
    for url, s in result["urls"].items():
        print(
            f"{url:58} {s['per_second']:>8} {s['ratio_to_health']!s:>8} {s['median_ms']:>8} "
            f"{s['p95_ms']:>8} {s['p99_ms']:>8} {s['errors']:>7}  "
            f"{s['load_average_before'][0]} → {s['load_average_after'][0]}"
        )
    print(f"load average before the run (1, 5, 15 min): {result['load_average_at_start']}")
    if result["load_average_at_start"][0] >= 1:
        print(
            "The machine was not quiet when the run began (1-minute load average >= 1): "
            "these figures are not results. (During the run the load rises with the "
            "benchmark's own server, database, cache and wrk.)"
        )
    others = [u for u in result["urls"] if u != "/health/"]
    met = all(
        result["urls"][u]["ratio_to_health"] is not None
        and result["urls"][u]["ratio_to_health"]
        >= (NOT_MODIFIED_TARGET_RATIO if u.endswith(NOT_MODIFIED) else TARGET_RATIO)
        and result["urls"][u]["errors"] == 0
        for u in others
    )
    print(
        f"target (each >= {TARGET_RATIO} of /health/, each 304 >= {NOT_MODIFIED_TARGET_RATIO}, "
        "no errors):",
        "met" if met else "NOT met",
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    at_start = load_average()
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="alert-wrk-") as folder:
        workdir = Path(folder)
        load_args = argparse.Namespace(
            database_url=args.database_url, port=args.port, workers=args.workers, years=args.years
        )
        env = load_test.environment(load_args, workdir)
        # The throttles still count every request (in the cache), but must not
        # refuse the benchmark's own.
        env.update(ALERT_API_USER_RATE="100000000/minute")
        env.pop("REDIS_URL", None)
        if args.redis_url:
            env.update(
                REDIS_URL=args.redis_url,
                ALERT_CACHE_KEY_PREFIX=f"alert-wrk-{secrets.token_hex(4)}",
            )
        load_test.prepare(env, load_args, password)
        script = workdir / "report.lua"
        script.write_text(REPORT_LUA)
        server = subprocess.Popen(
            [load_test.PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            asyncio.run(load_test.wait_until_up(args.port, server, time.monotonic() + 60))
            cookie = asyncio.run(load_test.sign_in(args.port, password))
            etags = {}
            for url in args.url:  # warm: the summary rendered once and cached
                status, headers, _ = asyncio.run(
                    load_test.request(args.port, "GET", url, headers={"Cookie": cookie})
                )
                if status != 200:
                    raise SystemExit(f"GET {url} answered {status} before the run")
                etags[url] = dict((k.lower(), v) for k, v in headers).get("etag")
            urls = {url: run_wrk(args, url, cookie, script) for url in args.url}
            # Each URL that answered an ETag, again with If-None-Match: a 304.
            for url, etag in etags.items():
                if not etag:
                    continue
                conditional = {"If-None-Match": etag}
                status, _, _ = asyncio.run(
                    load_test.request(
                        args.port, "GET", url, headers={"Cookie": cookie, **conditional}
                    )
                )
                if status != 304:
                    raise SystemExit(f"GET {url} with its ETag answered {status}, not 304")
                urls[not_modified(url)] = run_wrk(args, url, cookie, script, conditional)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            if args.redis_url:
                forget_keys(args.redis_url, env["ALERT_CACHE_KEY_PREFIX"])
    baseline = urls.get("/health/", {}).get("per_second")
    for stats in urls.values():
        stats["ratio_to_health"] = round(stats["per_second"] / baseline, 3) if baseline else None
    result = {
        "connections": args.connections,
        "threads": args.threads,
        "duration_s": args.duration,
        "workers": args.workers,
        "database": "postgresql" if (args.database_url or "").startswith("postgres") else "sqlite",
        "cache": "redis" if args.redis_url else "local memory",
        "years_generated": args.years,
        "cpus": os.cpu_count(),
        "wrk_cpus": args.wrk_cpus,
        "load_average_at_start": at_start,
        "urls": urls,
    }
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(s["errors"] == 0 for s in urls.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
