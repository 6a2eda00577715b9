"""Conversations and attachments: messages posted per second, a 12-megapixel photo, a 50 MB upload's memory.

Runs against the database in DATABASE_URL (after ``migrate`` and ``simulate``).

- Messages: ``--messages`` posts through the real service (thread, receipts, notifications,
  ``message.posted`` webhook, live push), buyer and seller in turn, over a few simulated orders.
- Photo: a 4000×3000 JPEG with EXIF orientation and GPS is ingested (type sniffed, decoded,
  rotated, re-encoded without metadata) and its thumbnail made, as the worker would; wall ms and
  the process's peak RSS above what it held before.
- Upload: a real uvicorn takes a ~50 MB MP4 through POST /attachments/; the web process's peak
  RSS (VmHWM) before and after shows the upload is streamed, not held in memory.
"""

from __future__ import annotations

import io
import os
import resource
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _common import django_setup, emit, percentile, signed_in_cookie, video_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _messages(count: int) -> dict[str, Any]:
    from marketdesk.accounts.models import ShopMembership
    from marketdesk.core.actors import Actor
    from marketdesk.messaging.services import order_message_post
    from marketdesk.orders.models import Order

    orders = list(Order.objects.filter(shop__memberships__isnull=False).select_related("buyer").order_by("id")[:20])
    sellers = {m.shop_id: m.user for m in ShopMembership.objects.filter(shop__in=[o.shop_id for o in orders])}
    timings = []
    started = time.perf_counter()
    for n in range(count):
        order = orders[n % len(orders)]
        author = order.buyer if n % 2 == 0 else sellers[order.shop_id]
        t0 = time.perf_counter()
        order_message_post(actor=Actor.for_user(author), order=order, body=f"Bench message {n} about my parcel")
        timings.append((time.perf_counter() - t0) * 1000)
    wall = time.perf_counter() - started
    return {
        "messages": count,
        "per_s": count / wall,
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
    }


def _photo() -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import ExifTags, Image

    from marketdesk.accounts.models import User
    from marketdesk.attachments.services import attachment_ingest, attachment_process
    from marketdesk.core.actors import Actor

    image = Image.effect_noise((4000, 3000), 64).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    data = buffer.getvalue()
    del image, buffer
    user = User.objects.filter(role="buyer").first()
    assert user is not None  # noqa: S101 - simulate ran first
    actor = Actor.for_user(user)
    baseline = _rss_peak_mb()
    t0 = time.perf_counter()
    attachment = attachment_ingest(actor=actor, upload=SimpleUploadedFile("IMG_4000x3000.jpg", data))
    t1 = time.perf_counter()
    attachment_process(actor=Actor.system(), attachment_id=attachment.pk)
    t2 = time.perf_counter()
    return {
        "megapixels": 12,
        "bytes": len(data),
        "reencode_ms": (t1 - t0) * 1000,
        "thumbnail_ms": (t2 - t1) * 1000,
        "peak_rss_mb": _rss_peak_mb(),
        "peak_rss_above_baseline_mb": _rss_peak_mb() - baseline,
    }


def _upload(megabytes: int) -> dict[str, Any]:
    from marketdesk.accounts.models import User
    from tests.live.servers import server_env, web_servers

    user = User.objects.filter(role="buyer").first()
    assert user is not None  # noqa: S101 - simulate ran first
    cookie, csrf_token = signed_in_cookie(user)
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp_name:
        tmp = Path(tmp_name)
        video = tmp / "clip.mp4"
        video_file(video, megabytes)
        size = video.stat().st_size
        boundary = "benchboundary7e3f"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        env = server_env(database_url=os.environ["DATABASE_URL"], var_dir=tmp / "var")
        with web_servers(env, [tmp / "web.log"]) as [(port, proc)]:
            before = _vm_hwm_mb(proc.pid)

            def body() -> Any:
                yield head
                with video.open("rb") as f:
                    while chunk := f.read(256 * 1024):
                        yield chunk
                yield tail

            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/attachments/",
                data=body(),
                method="POST",
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(len(head) + size + len(tail)),
                    "Cookie": cookie,
                    "X-CSRFToken": csrf_token,
                    "Referer": f"http://127.0.0.1:{port}/",
                },
            )
            t0 = time.perf_counter()
            with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback http only
                status = response.status
            elapsed = time.perf_counter() - t0
            after = _vm_hwm_mb(proc.pid)
    return {
        "bytes": size,
        "status": status,
        "seconds": elapsed,
        "web_peak_before_mb": before,
        "web_peak_after_mb": after,
        "web_peak_growth_mb": after - before,
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000, help="Messages posted (default 1,000).")
    parser.add_argument("--upload-mb", type=int, default=50, help="Size of the uploaded video (default 50 MB).")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings

    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }  # time the services only
    emit({"messages": _messages(args.messages), "photo": _photo(), "upload": _upload(args.upload_mb)})


if __name__ == "__main__":
    main()
