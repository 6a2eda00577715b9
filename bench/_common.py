"""Helpers shared by the benchmark scripts: Django set-up and percentiles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def django_setup() -> None:
    """Set up Django against the database in DATABASE_URL (the runner sets it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketdesk.settings")
    import django

    django.setup()


def signed_in_cookie(user: object) -> tuple[str, str]:
    """Return a Cookie header signing ``user`` in (a fresh session and CSRF cookie) and the matching CSRF token."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)  # type: ignore[attr-defined]
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()  # type: ignore[attr-defined]
    session.create()
    secret = _get_new_csrf_string()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={secret}"
    return cookie, _mask_cipher_secret(secret)


def video_file(path: Path, megabytes: int) -> None:
    """Write a noisy H.264 MP4 of about ``megabytes`` MB (noise does not compress) with ffmpeg."""
    seconds = 20
    bitrate = f"{megabytes * 8 * 1024 // seconds}k"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=640x360:rate=25:duration={seconds}"),
            *("-vf", "noise=alls=100:allf=t+u"),  # noise does not compress: the file reaches its size
            *("-c:v", "libx264", "-preset", "ultrafast", "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate),
            *("-pix_fmt", "yuv420p", str(path)),
        ],
        check=True,
    )


def percentile(values: list[float], pct: float) -> float:
    """Return the ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def emit(result: dict[str, object]) -> None:
    """Print the result as the last line of stdout, where the runner reads it."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
