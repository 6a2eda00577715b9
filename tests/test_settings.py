"""Production settings refuse an unsafe start; the deploy checks pass with safe ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SAFE_KEY = "k" * 20 + "Q7v#9zR!p2Lm@4xW8sT%6yB^1nC&3dF*5gH"


def run_check(extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETDESK_")}
    env.update({"DJANGO_SETTINGS_MODULE": "marketdesk.settings", **extra_env})
    return subprocess.run(
        [sys.executable, "-m", "django", "check", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MARKETDESK_SECRET_KEY": SAFE_KEY, "MARKETDESK_DEBUG": "1"}, "MARKETDESK_DEBUG"),
        ({}, "MARKETDESK_SECRET_KEY"),
        ({"MARKETDESK_SECRET_KEY": "short"}, "MARKETDESK_SECRET_KEY"),
        ({"MARKETDESK_SECRET_KEY": SAFE_KEY, "MARKETDESK_DEMO": "1"}, "demo accounts"),
    ],
    ids=["debug-on", "default-secret", "short-secret", "demo-accounts"],
)
def test_production_refuses_unsafe_start(env: dict[str, str], message: str) -> None:
    # Given production mode with one unsafe setting; when Django starts; then it refuses, naming it.
    result = run_check({"MARKETDESK_ENV": "production", **env})

    assert result.returncode != 0
    assert message in result.stderr


def test_production_passes_deploy_checks_with_safe_settings() -> None:
    result = run_check(
        {
            "MARKETDESK_ENV": "production",
            "MARKETDESK_SECRET_KEY": SAFE_KEY,
            "MARKETDESK_ALLOWED_HOSTS": "desk.example.com",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_trusted_proxy_stops_the_start() -> None:
    # Given a proxy list with a typo; when Django starts; then it refuses, naming the variable.
    result = run_check({"MARKETDESK_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.300/8"})

    assert result.returncode != 0
    assert "MARKETDESK_TRUSTED_PROXIES" in result.stderr


def database_settings(extra_env: dict[str, str]) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARKETDESK_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "marketdesk.settings", **extra_env})
    code = "import json; from marketdesk import settings; print(json.dumps(settings.DATABASES['default'], default=str))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    return json.loads(result.stdout)


def test_postgresql_connections_come_from_psycopg_pool_not_kept_per_thread() -> None:
    default = database_settings({"DATABASE_URL": "postgres://desk:pw@db.internal:5432/marketdesk?sslmode=require"})

    assert (default["ENGINE"], default["CONN_MAX_AGE"], default["OPTIONS"]) == (
        "django.db.backends.postgresql",
        0,
        {"sslmode": "require", "pool": {"min_size": 2, "max_size": 20, "timeout": 10.0, "max_idle": 600.0}},
    )


def test_the_pool_is_sized_from_the_environment() -> None:
    default = database_settings(
        {
            "DATABASE_URL": "postgres://desk:pw@db.internal:5432/marketdesk",
            "MARKETDESK_DB_POOL_MIN_SIZE": "4",
            "MARKETDESK_DB_POOL_MAX_SIZE": "40",
            "MARKETDESK_DB_POOL_TIMEOUT": "2.5",
            "MARKETDESK_DB_POOL_MAX_IDLE": "60",
        }
    )

    assert default["OPTIONS"] == {"pool": {"min_size": 4, "max_size": 40, "timeout": 2.5, "max_idle": 60.0}}


def test_sqlite_keeps_its_own_options_and_no_pool(tmp_path) -> None:
    default = database_settings({"MARKETDESK_VAR_DIR": str(tmp_path)})

    assert (default["ENGINE"], default["CONN_MAX_AGE"], default["OPTIONS"]) == (
        "django.db.backends.sqlite3",
        0,
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
                "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000; PRAGMA mmap_size=268435456;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    )


def test_state_diagrams_in_docs_match_the_tables() -> None:
    from django.core.management import call_command

    call_command("state_diagrams", "--check")


def task_settings(extra_env: dict[str, str]) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETDESK_")}
    env.update({"DJANGO_SETTINGS_MODULE": "marketdesk.settings", **extra_env})
    code = (
        "import json; from marketdesk import settings as s; "
        "print(json.dumps({'tasks': s.TASKS['default'], 'rq': getattr(s, 'RQ_QUEUES', None),"
        " 'app': 'django_rq' in s.INSTALLED_APPS}))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_tasks_run_on_the_database_backend_by_default_with_a_queue_per_kind_of_work() -> None:
    assert task_settings({}) == {
        "tasks": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "webhooks", "email", "ingest", "long"],
        },
        "rq": None,
        "app": False,
    }


def test_the_rq_backend_puts_each_queue_on_the_named_redis() -> None:
    settings = task_settings(
        {"MARKETDESK_TASKS_BACKEND": "rq", "MARKETDESK_REDIS_URL": "redis://queue.internal:6379/0"}
    )

    queue = {"URL": "redis://queue.internal:6379/0", "DEFAULT_TIMEOUT": 3600}
    assert settings == {
        "tasks": {
            "BACKEND": "marketdesk.core.taskbackend.RQBackend",
            "QUEUES": ["default", "webhooks", "email", "ingest", "long"],
        },
        "rq": dict.fromkeys(["default", "webhooks", "email", "ingest", "long"], queue),
        "app": True,
    }


def test_the_rq_backend_without_redis_stops_the_start() -> None:
    result = run_check({"MARKETDESK_TASKS_BACKEND": "rq"})

    assert result.returncode != 0
    assert "MARKETDESK_REDIS_URL" in result.stderr
