"""deploy/ (systemd units, compose) runs the same marketdesk processes as the topology launcher."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import yaml

from scripts.topology import PROCESSES, WORKER_QUEUES, scheduler_argv, web_argv, worker_argv

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
VENV_PYTHON = "/opt/marketdesk/.venv/bin/python"


def as_deployed(argv: list[str], python: str) -> list[str]:
    """The launcher's command line with the deployment's interpreter in place of ours."""
    return [python, *argv[1:]]


def compose_services() -> dict[str, dict]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # keys as written (ExecStart, not execstart)
    parser.read(DEPLOY / "systemd" / name)
    return parser


def env_file(name: str) -> dict[str, str]:
    lines = (DEPLOY / "systemd" / name).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_compose_runs_the_launchers_marketdesk_processes_and_the_services_they_share():
    services = compose_services()

    marketdesk = {name for name, service in services.items() if "command" in service and name != "migrate"}
    marketdesk -= {"redis", "s3"}

    assert marketdesk == set(PROCESSES)
    assert {"postgres", "redis", "s3", "haproxy"} <= set(services)


def test_compose_commands_are_the_launchers():
    services = compose_services()

    commands = {name: services[name]["command"] for name in PROCESSES}

    assert commands == {
        "web-1": as_deployed(web_argv(8000, host="0.0.0.0"), "python"),  # noqa: S104 - inside its container
        "web-2": as_deployed(web_argv(8000, host="0.0.0.0"), "python"),  # noqa: S104
        **{name: as_deployed(worker_argv(queues), "python") for name, queues in WORKER_QUEUES.items()},
        "scheduler": as_deployed(scheduler_argv(30), "python"),
    }
    assert [line.split()[1] for line in (DEPLOY / "haproxy.cfg").read_text().splitlines() if "    server " in line] == [
        name for name, kind in PROCESSES.items() if kind == "web"
    ]


def test_systemd_units_start_the_launchers_commands():
    web = unit("marketdesk-web@.service")["Service"]["ExecStart"]
    worker = unit("marketdesk-worker@.service")["Service"]["ExecStart"]
    scheduler = unit("marketdesk-scheduler.service")["Service"]["ExecStart"]

    assert shlex.split(web) == as_deployed(web_argv("%i"), VENV_PYTHON)
    assert {
        name: shlex.split(worker.replace("$QUEUES", env_file(f"{name}.env")["QUEUES"])) for name in WORKER_QUEUES
    } == {name: as_deployed(worker_argv(queues), VENV_PYTHON) for name, queues in WORKER_QUEUES.items()}
    assert shlex.split(scheduler) == as_deployed(scheduler_argv(30), VENV_PYTHON)
