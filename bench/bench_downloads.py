"""Attachment downloads under ASGI: the web process's resident memory while 10 clients fetch a 50 MB video.

Runs against the database in DATABASE_URL (after ``migrate`` and ``simulate``: it signs in as a
buyer). A ~50 MB MP4 is ingested as that buyer's upload; a real uvicorn serving
``marketdesk.asgi`` (what production runs) is started; one download of a 1 MB clip warms the
code path up; then ``--clients`` threads download the big file at once through its signed link,
each reading it in 64 KB pieces and checking its length and SHA-256. A sampler reads VmRSS from
/proc/PID/status every 10 ms: the figure is the highest VmRSS during the downloads less VmRSS
just before them (goal: less than 20 MB, i.e. the file is streamed, never held whole).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from _common import django_setup, emit, signed_in_cookie, video_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_MB = 20.0


def _vm_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _ingest(path: Path, user: Any) -> Any:
    from django.core.files.uploadedfile import UploadedFile

    from marketdesk.attachments.services import attachment_ingest
    from marketdesk.core.actors import Actor

    with path.open("rb") as fh:
        upload = UploadedFile(file=fh, name=path.name, content_type="video/mp4", size=path.stat().st_size)
        return attachment_ingest(actor=Actor.for_user(user), upload=upload)


def _download(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback http only
    digest = hashlib.sha256()
    size = 0
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 - loopback http only
        while chunk := response.read(64 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10, help="Clients downloading at once (default 10).")
    parser.add_argument("--megabytes", type=int, default=50, help="Size of the video (default 50 MB).")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings

    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }  # no posters needed

    from marketdesk.accounts.models import User
    from marketdesk.attachments.access import attachment_url
    from tests.live.servers import server_env, web_servers

    user = User.objects.filter(role="buyer").first()
    assert user is not None  # noqa: S101 - simulate ran first
    cookie, _csrf = signed_in_cookie(user)
    with tempfile.TemporaryDirectory(prefix="bench-downloads-") as tmp_name:
        tmp = Path(tmp_name)
        video_file(tmp / "clip.mp4", args.megabytes)
        video_file(tmp / "warm-up.mp4", 1)
        big, small = _ingest(tmp / "clip.mp4", user), _ingest(tmp / "warm-up.mp4", user)
        expected = (big.size, big.sha256)
        env = server_env(database_url=os.environ["DATABASE_URL"], var_dir=tmp / "var")
        # The files were stored under this process's MEDIA_ROOT: the web process must read the same one.
        env["MARKETDESK_MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
        with web_servers(env, [tmp / "web.log"], app="marketdesk.asgi:application") as [(port, proc)]:
            base = f"http://127.0.0.1:{port}"
            assert _download(base + attachment_url(small), cookie)[0] == small.size  # noqa: S101
            baseline = _vm_rss_mb(proc.pid)
            peak = baseline
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, _vm_rss_mb(proc.pid))
                    time.sleep(0.01)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            results: list[tuple[int, str]] = []
            url = base + attachment_url(big)
            clients = [
                threading.Thread(target=lambda: results.append(_download(url, cookie))) for _ in range(args.clients)
            ]
            started = time.perf_counter()
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            seconds = time.perf_counter() - started
            done.set()
            sampler.join()
    growth = peak - baseline
    emit(
        {
            "clients": args.clients,
            "bytes": big.size,
            "complete": sum(1 for r in results if r == expected),
            "seconds": seconds,
            "rss_before_mb": baseline,
            "rss_peak_mb": peak,
            "rss_growth_mb": growth,
            "goal_mb": GOAL_MB,
            "holds": growth < GOAL_MB and len(results) == args.clients and all(r == expected for r in results),
        }
    )


if __name__ == "__main__":
    main()
