"""Fixtures of the triage tests: the committed model, loaded once for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from marketdesk.accounts.services import api_key_create
from marketdesk.core.actors import Actor
from marketdesk.triage.model import TriageModel, model_get


@pytest.fixture(scope="session")
def triage_model() -> Iterator[TriageModel]:
    """The committed artifact (``make model`` rebuilds it): tests never train."""
    return model_get()


@pytest.fixture
def key_client(marketplace) -> Client:
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Integration")
    return Client(headers={"Authorization": f"Bearer {raw}"})
