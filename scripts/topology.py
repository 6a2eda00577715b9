# ruff: noqa: S603 - every subprocess here runs our own argv (our venv, pg.sh, redis-server, haproxy)
"""marketdesk past one machine, on loopback: ``make topology`` and the topology tests start this.

PostgreSQL (scripts/pg.sh), Redis, an S3-compatible store (moto in server mode), haproxy in front
of two uvicorn web processes, two RQ workers (one for webhooks, one for everything else) and one
scheduler. Every process is a child of this one; one that exits unbidden is started again (as
systemd's Restart=always does); all stop on exit, Ctrl-C or SIGTERM.

    python scripts/topology.py [--workdir DIR]     # what `make topology` runs

The tests (tests/topology) use ``Topology`` from here, so what they prove is what this starts.
deploy/ describes the same processes for systemd and compose (``PROCESSES`` is the list a test
compares them with).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
BUCKET = "marketdesk-files"
S3_KEY, S3_SECRET = "AKIATOPOLOGY", "topology-secret"

#: The queues each worker serves, in the order it takes them: a stalled webhook receiver holds up
#: only the webhooks worker; mail, ingest, the nightly run and the rest go on beside it.
WORKER_QUEUES = {"worker-webhooks": ["webhooks"], "worker-main": ["email", "default", "ingest", "long"]}
#: The marketdesk processes of the topology, by name: what deploy/ must describe as well.
PROCESSES = {
    "web-1": "web",
    "web-2": "web",
    **dict.fromkeys(WORKER_QUEUES, "worker"),
    "scheduler": "scheduler",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    """Poll ``condition`` every 0.1 s; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {seconds} s")
        time.sleep(0.1)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def worker_argv(queues: list[str]) -> list[str]:
    """An RQ worker on ``queues`` (one job at a time in this process, so SIGKILL stops the job too)."""
    return [
        PYTHON, "-m", "django", "rqworker", *queues,
        "--worker-class", "rq.worker.SimpleWorker", "--job-class", "marketdesk.core.taskbackend.Job",
    ]  # fmt: skip


def web_argv(port: int | str, *, host: str = "127.0.0.1") -> list[str]:
    return [
        PYTHON, "-m", "uvicorn", "marketdesk.asgi:application", "--host", host, "--port", str(port),
        "--no-access-log", "--timeout-graceful-shutdown", "2", "--no-proxy-headers",
    ]  # fmt: skip


def scheduler_argv(every: float) -> list[str]:
    return [PYTHON, "-m", "django", "periodic", "--every", str(every)]


@dataclass
class Process:
    name: str
    argv: list[str]
    log: Path
    env: dict[str, str]
    popen: subprocess.Popen[bytes] | None = None
    #: Set while the process is stopped on purpose; otherwise the supervisor starts it again when it exits.
    stopped: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)

    def start(self) -> None:
        with self.lock:
            self.stopped = False
            self._spawn()

    def _spawn(self) -> None:
        out = self.log.open("ab")
        # A session of its own: Ctrl-C in a terminal reaches the launcher only, which stops children in order.
        self.popen = subprocess.Popen(
            self.argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, *, timeout: float = 15) -> None:
        """Stop on purpose (SIGTERM, then SIGKILL after ``timeout``): the supervisor leaves it stopped."""
        with self.lock:
            self.stopped = True
            self._end(signal.SIGTERM, timeout=timeout)

    def kill(self) -> None:
        """SIGKILL, as when a process or its machine dies: the supervisor starts it again, like systemd would."""
        with self.lock:
            self._end(signal.SIGKILL, timeout=15)

    def _end(self, sig: int, *, timeout: float) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=timeout)

    def revive(self) -> bool:
        """Start the process again if it exited without being stopped on purpose; return whether it was."""
        with self.lock:
            if self.stopped or self.popen is None or self.popen.poll() is None:
                return False
            with self.log.open("a") as log:
                log.write(f"\n[topology] {self.name} exited with {self.popen.returncode}: starting it again\n")
            self._spawn()
            return True


@dataclass
class Topology:
    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    scheduler_every: float = 1.0
    #: Web processes behind the balancer (web-1 … web-N); the load bench starts four.
    web_count: int = sum(1 for kind in PROCESSES.values() if kind == "web")
    processes: dict[str, Process] = field(default_factory=dict)
    database_url: str = ""
    redis_port: int = 0
    s3_port: int = 0
    pg_port: int = 0
    web_ports: dict[str, int] = field(default_factory=dict)
    balancer_port: int = 0
    _stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        """The balancer's address: where people and marketplaces reach marketdesk."""
        return f"http://127.0.0.1:{self.balancer_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def pg_dir(self) -> Path:
        return self.workdir / "pg"

    def env(self) -> dict[str, str]:
        """The environment of every marketdesk process of the topology."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MARKETDESK_", "DATABASE_URL", "DJANGO_"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "marketdesk.settings",
                "PYTHONPATH": str(ROOT / "src"),
                "PYTHONUNBUFFERED": "1",  # logs line by line: the tests read them
                "DATABASE_URL": self.database_url,
                "MARKETDESK_VAR_DIR": str(self.workdir / "var"),
                "MARKETDESK_TASKS_BACKEND": "rq",
                "MARKETDESK_REDIS_URL": self.redis_url,
                "MARKETDESK_CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/1",
                "MARKETDESK_STORAGE_URL": f"s3+http://{S3_KEY}:{S3_SECRET}@127.0.0.1:{self.s3_port}/{BUCKET}?region=us-east-1",
                "MARKETDESK_TRUSTED_PROXIES": "127.0.0.1",
                "MARKETDESK_BASE_URL": self.url,
                "MARKETDESK_LOG_LEVEL": "WARNING",
                **self.extra_env,
            }
        )
        return env

    # --- shared services ---------------------------------------------------------------------------

    def pg_start(self) -> None:
        out = subprocess.run(
            [str(ROOT / "scripts" / "pg.sh"), "start", str(self.pg_dir), str(self.pg_port)],
            check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        self.database_url = out.stdout.strip()

    def pg_stop(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop", str(self.pg_dir)], check=False, timeout=120)

    def _redis(self) -> Process:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server missing: `make test` installs the Debian package redis-server")
        # Append-only, fsync on every write: a restarted Redis still holds the jobs it had accepted.
        argv = [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.workdir)]
        return Process("redis", argv, self.workdir / "redis.log", os.environ.copy())

    def _s3(self) -> Process:
        argv = [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)]
        return Process("s3", argv, self.workdir / "s3.log", os.environ.copy())

    def _create_bucket(self) -> None:
        import boto3  # a dev dependency (with moto); only the launcher needs it

        client = boto3.client(
            "s3", endpoint_url=f"http://127.0.0.1:{self.s3_port}", region_name="us-east-1",
            aws_access_key_id=S3_KEY, aws_secret_access_key=S3_SECRET,
        )  # fmt: skip
        client.create_bucket(Bucket=BUCKET)

    def _haproxy(self) -> Process:
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(binary).exists():
            raise SystemExit("haproxy missing: `make test` installs the Debian package haproxy")
        servers = "\n".join(
            f"    server {name} 127.0.0.1:{port} check inter 300ms fall 1 rise 2"
            for name, port in self.web_ports.items()
        )
        config = self.workdir / "haproxy.cfg"
        config.write_text(
            f"""global
    maxconn 2000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A request a dead web process refused, or dropped unanswered or half-answered, goes to the
    # other one; writes carry an Idempotency-Key, so one that had run is answered from its record.
    # Ten tries: a retry may meet the killed process again before its health check marks it down.
    retries 10
    option redispatch 1
    retry-on conn-failure empty-response junk-response
    option forwardfor

frontend marketdesk
    bind 127.0.0.1:{self.balancer_port}
    default_backend web

backend web
    balance roundrobin
{servers}
"""
        )
        return Process("balancer", [binary, "-db", "-f", str(config)], self.workdir / "haproxy.log", os.environ.copy())

    # --- the whole -------------------------------------------------------------------------------

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "var").mkdir(exist_ok=True)
        self.pg_port, self.redis_port, self.s3_port, self.balancer_port = (free_port() for _ in range(4))
        self.pg_start()
        for process in (self._redis(), self._s3()):
            self._run(process)
        wait_until(lambda: listening(self.redis_port), seconds=20, what="redis")
        wait_until(lambda: listening(self.s3_port), seconds=60, what="moto S3 server")
        self._create_bucket()
        subprocess.run(
            [PYTHON, "-m", "django", "migrate", "--no-input", "-v", "0"],
            env=self.env(),
            cwd=ROOT,
            check=True,
            timeout=300,
        )
        self.web_ports = {f"web-{n}": free_port() for n in range(1, self.web_count + 1)}
        for name, port in self.web_ports.items():
            self._run(Process(name, web_argv(port), self.workdir / f"{name}.log", self.env()))
        for name, queues in WORKER_QUEUES.items():
            self._run(Process(name, worker_argv(queues), self.workdir / f"{name}.log", self.env()))
        self.scheduler_start("scheduler")
        for port in self.web_ports.values():
            wait_until(lambda port=port: listening(port), seconds=120, what=f"web process on {port}")
        self._run(self._haproxy())
        wait_until(self.healthy, seconds=30, what="the balancer")
        threading.Thread(target=self._supervise, name="topology-supervisor", daemon=True).start()

    def _supervise(self) -> None:
        """Start again any process that exits unbidden, as systemd's Restart=always does (deploy/)."""
        while not self._stopping.wait(0.2):
            for process in list(self.processes.values()):
                if process.revive():
                    print(f"topology: {process.name} exited; started again", file=sys.stderr)

    def _run(self, process: Process) -> Process:
        process.start()
        self.processes[process.name] = process
        return process

    def scheduler_start(self, name: str) -> Process:
        return self._run(Process(name, scheduler_argv(self.scheduler_every), self.workdir / f"{name}.log", self.env()))

    def restart(self, name: str) -> None:
        """Stop a process and start it again, with the same command and port."""
        process = self.processes[name]
        with process.lock:
            process.stop()
            process.start()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/sign-in/", timeout=5) as response:  # noqa: S310 - loopback
                return bool(response.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        self._stopping.set()
        # Front to back: nothing new comes in while the workers and stores go.
        for name in reversed(list(self.processes)):
            self.processes[name].stop()
        self.pg_stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, help="Where data and logs go (default: a new temporary folder).")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="marketdesk-topology-", dir="/tmp"))
    topology = Topology(workdir=workdir, scheduler_every=30.0)
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        topology.start()
        print(f"marketdesk at {topology.url} (haproxy → {', '.join(map(str, topology.web_ports.values()))})")
        print(f"  DATABASE_URL={topology.database_url}\n  redis {topology.redis_url}\n  logs in {workdir}")
        print("  create a key: DATABASE_URL=… marketdesk create_api_key …; Ctrl-C stops everything")
        while not stopping:
            time.sleep(0.5)
        return 0
    finally:
        topology.stop()


if __name__ == "__main__":
    sys.exit(main())
