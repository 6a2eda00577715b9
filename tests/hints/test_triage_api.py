"""POST /api/v1/triage: the suggestion for a key or a signed-in person, problem+json otherwise."""

from __future__ import annotations

import pytest

from marketdesk.core.actors import Actor
from marketdesk.core.policies import policy_current, policy_publish
from tests.api.helpers import session_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/triage"


def _post(client, body, **extra):
    return client.post(URL, body, content_type="application/json", **extra)


def test_a_key_gets_the_suggestion(key_client, triage_model):
    response = _post(key_client, {"text": "посылка пришла разбитая, что делать"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"label", "confidence", "lang", "alternatives", "needs_choice", "model_version"}
    assert (body["label"], body["lang"], body["model_version"]) == ("item_problem", "ru", triage_model.version)
    assert len(body["alternatives"]) == 3


def test_a_signed_in_buyer_gets_the_suggestion(buyer):
    response = _post(session_client(buyer), {"text": "where is my order"})

    assert response.status_code == 200
    assert response.json()["label"] == "order_status"


def test_without_authentication_it_is_401(client):
    response = _post(client, {"text": "where is my order"})

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("text", ["", "   \n\t"], ids=["empty", "whitespace"])
def test_blank_text_is_422_naming_the_field(key_client, text):
    response = _post(key_client, {"text": text})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": "text", "message": "Describe your problem in a few words."}]


def test_too_long_text_is_422_in_the_callers_language(key_client):
    response = _post(key_client, {"text": "a" * 20_001}, headers={"Accept-Language": "ru"})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "text", "message": "Слишком длинный текст: не больше 20000 символов."}
    ]


def test_missing_text_is_422(key_client):
    response = _post(key_client, {})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"


def test_20000_characters_are_accepted_and_answered(key_client):
    response = _post(key_client, {"text": "я хочу вернуть товар " * 952})

    assert response.status_code == 200


def test_emoji_only_is_other_and_asks_the_buyer_to_choose(key_client):
    body = _post(key_client, {"text": "😀😀😀"}).json()

    assert (body["label"], body["confidence"], body["needs_choice"]) == ("other", 0.0, True)


def test_the_threshold_is_read_from_the_policy(key_client, admin_user):
    admin = Actor.for_user(admin_user)
    assert policy_current().triage_min_confidence_bp > 0

    policy_publish(actor=admin, changes={"triage_min_confidence_bp": 10000})
    strict = _post(key_client, {"text": "where is my order"}).json()
    policy_publish(actor=admin, changes={"triage_min_confidence_bp": 0})
    lenient = _post(key_client, {"text": "where is my order"}).json()

    assert (strict["needs_choice"], lenient["needs_choice"]) == (True, False)
