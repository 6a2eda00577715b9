"""Test-only ASGI app: marketdesk, plus ``POST /__live__/publish`` to publish from inside this web process.

Run as ``uvicorn tests.live.publish_asgi:application`` by the multi-process test and the live
benchmark, so that an event is published where a service would publish it: in a web process.
The product never serves this path: ``marketdesk.asgi`` knows nothing of it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.db import connection, transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketdesk.settings")
# marketdesk.asgi less its start-up load of the triage model: scikit-learn takes seconds to import
# and nothing here triages.
marketdesk_application = get_asgi_application()

from marketdesk.live.services import live_publish  # noqa: E402 - its models need Django set up

PUBLISH_PATH = "/__live__/publish"


def _publish(payload: dict[str, Any]) -> None:
    try:
        with transaction.atomic():
            live_publish(user_ids=payload["user_ids"], event=payload["event"], data=payload["data"])
    finally:
        connection.close()  # like a request's end: this thread holds no connection afterwards


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http" or scope["path"] != PUBLISH_PATH:
        await marketdesk_application(scope, receive, send)
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await sync_to_async(_publish)(json.loads(body))
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
