"""The OpenAPI schema is a contract: any change to it must be seen and accepted in review.

The test fetches /api/v1/openapi.json and compares it with
tests/api/openapi.snapshot.json. After an intended change to the API,
regenerate the snapshot and commit it with the change:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/api/test_openapi.py

then read the snapshot's diff as part of the review.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")

pytestmark = pytest.mark.django_db


def _render(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_openapi_schema_is_served_at_api_v1_openapi_json(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "marketdesk API"


def test_the_openapi_schema_matches_the_snapshot(client):
    current = _render(client.get("/api/v1/openapi.json").json())
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":  # the one branch: rewriting, never asserting
        SNAPSHOT.write_text(current, encoding="utf-8")

    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "The API schema changed. If intended: UPDATE_SNAPSHOTS=1 pytest tests/api/test_openapi.py"
    )
