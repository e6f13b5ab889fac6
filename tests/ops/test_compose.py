"""compose.yaml as a worked example of scale-out: its shape, read from the file.

This machine has no container runtime, so these tests read the files; they
do not start the stack. They hold the parts docs/operations.md promises:
PostgreSQL and Redis shared by at least two web replicas, migrations run once
before them, one published port, the proxy passing to the replicas.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_two_web_replicas_share_one_database_and_one_cache():
    services = compose()["services"]
    assert {"db", "redis", "migrate", "web", "proxy"} <= set(services)
    web = services["web"]
    assert web["deploy"]["replicas"] >= 2
    env = web["environment"]
    assert re.fullmatch(
        r"postgres://alert:\$\{POSTGRES_PASSWORD\}@db:5432/alert", env["DATABASE_URL"]
    )
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert services["migrate"]["environment"] == env  # the same settings, one anchor
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_one_port_is_published_and_only_on_loopback():
    services = compose()["services"]
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}
    assert published == {"proxy": ["127.0.0.1:8000:8000"]}


def test_the_proxy_passes_to_the_web_replicas_and_allows_the_upload_limit():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"upstream web \{[^}]*\n\s*server web:8000 ", conf)
    assert "proxy_pass http://web;" in conf
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size and int(size.group(1)) > 10  # ALERT_IMPORT_MAX_BYTES is 10 MB


def test_redis_keeps_nothing_on_disk_and_evicts_when_full():
    command = compose()["services"]["redis"]["command"]

    def option(name):
        return command[command.index(name) + 1]

    assert option("--save") == ""
    assert option("--appendonly") == "no"
    assert option("--maxmemory-policy") == "allkeys-lru"
