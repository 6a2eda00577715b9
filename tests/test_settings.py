"""Production settings refuse an unsafe start; the deploy checks pass with safe ones."""

from __future__ import annotations

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


def test_state_diagrams_in_docs_match_the_tables() -> None:
    from django.core.management import call_command

    call_command("state_diagrams", "--check")
