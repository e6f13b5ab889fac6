"""Real services a reliability test starts, stops and starts again itself.

gunicorn servers, a redis-server and a PostgreSQL cluster, each on a spare
loopback port and owned by the test that started it: stopping one never
touches the machine's own PostgreSQL or Redis, nor another test's.

A missing program skips the test with the reason, unless
ALERT_REQUIRE_SERVICES=1 (CI sets it, and installs them), which makes it a
failure: a fault test never disappears from CI without a word.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


def unavailable(reason: str):
    if os.environ.get("ALERT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (ALERT_REQUIRE_SERVICES=1 makes this a failure)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {seconds} s")


class Gunicorn:
    """One gunicorn server on its own port, with the test settings (fast
    hashing, plain HTTP) and DEBUG off as in production."""

    def __init__(self, log: Path, *, database_url: str, workers: int = 1, **env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
        environment.pop("DJANGO_DEBUG", None)
        environment.update(
            DJANGO_SETTINGS_MODULE="alert.settings_test",
            DATABASE_URL=database_url,
            DJANGO_CONN_MAX_AGE="0",  # nothing held open when the test database is dropped
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(workers),
            GUNICORN_ACCESS_LOG="",
            GUNICORN_LOG_LEVEL="warning",
        )
        # REDIS_URL and ALERT_CACHE_KEY_PREFIX (set by alert.settings_test) are
        # inherited unless the test names its own.
        environment.update(env)
        self.log_path = log
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self, seconds: float = 60) -> None:
        def answers() -> bool:
            assert self.process.poll() is None, f"gunicorn on {self.port} exited: {self.logged()}"
            try:
                return requests.get(self.base + "/health/", timeout=10).status_code == 200
            except requests.RequestException:  # not listening yet, or still starting
                return False

        wait_for(answers, seconds, f"gunicorn on {self.port} did not answer /health/")

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def logged(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk."""

    def __init__(self, folder: Path):
        self.program = shutil.which("redis-server")
        if self.program is None:
            unavailable("no redis-server (apt-get install redis-server)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.program, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, 10, f"redis-server on {self.port} did not answer")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def pause(self) -> None:
        """Freeze it (SIGSTOP): connections are still accepted, nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()  # a frozen process would never act on SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (Debian's initdb and pg_ctl), in
    a temporary folder, on a spare port, trusting local connections.

    initdb refuses to run as root: as root, the cluster is made and run as
    the ``postgres`` user (``runuser``), in a folder it owns.
    """

    def __init__(self):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        self.bin = found[-1].parent if found else None
        if self.bin is None:
            unavailable(
                "no PostgreSQL server programs in /usr/lib/postgresql (apt-get install postgresql)"
            )
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                unavailable("running as root without runuser (util-linux)")
            self.as_postgres = [runuser, "-u", "postgres", "--"]
        # Its own folder under /tmp (pytest's is closed to other users).
        self.folder = Path(tempfile.mkdtemp(prefix="alert-test-cluster-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.log = self.folder / "postgresql.log"
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / program), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        """Stop now (``-m fast``): open transactions roll back, clients are cut off."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        """Stop it if it runs, and delete its folder."""
        if self.running():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url)
    assert page.status_code == 200, url
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def sign_in(session: requests.Session, base: str, username: str, password: str = PASSWORD):
    """Sign in on the admin's sign-in page (302 when it worked)."""
    login = base + "/admin/login/"
    token = csrf_token(session, login)
    return session.post(
        login,
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": login},
        allow_redirects=False,
    )


def grid_fields(page: str) -> dict[str, str]:
    """The fields of the entry grid's form, as the page filled them in."""
    form = re.search(r'<form method="post"[^>]*entry-grid-form[^>]*>(.*?)</form>', page, re.S)
    assert form, "the page has no entry grid"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(1)):
        name, given = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = given.group(1) if given else ""
    return fields


def confirm_fields(page: str) -> dict[str, str]:
    """The hidden fields of an import preview's confirm form."""
    form = re.search(r'<form[^>]+action="[^"]*process_import/"[^>]*>(.*?)</form>', page, re.S)
    assert form, "the preview offers no confirm form"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(1)):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            fields[name.group(1)] = value.group(1)
    return fields
