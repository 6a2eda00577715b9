"""docs/integrate.md's headless-mode calls and its webhook receiver run as written."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest

from marketdesk.accounts.services import api_key_create
from marketdesk.cases.models import Case
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.notifications.webhooks import webhook_secret_generate, webhook_sign
from tests import factories
from tests.cases.factories import CaseFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrate.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text(), flags=re.MULTILINE | re.DOTALL)


@pytest.mark.django_db(transaction=True)
def test_the_headless_calls_offer_decline_and_escalate_a_case(live_server, marketplace):
    # given: a case waiting for the seller U-7 of shop S-100, opened by buyer B-100
    shop = factories.ShopFactory(marketplace=marketplace, external_id="S-100")
    seller = factories.MembershipFactory(shop=shop).user
    seller.external_id = "U-7"
    seller.save(update_fields=["external_id"])
    buyer = factories.BuyerFactory(marketplace=marketplace, external_id="B-100")
    order = factories.OrderFactory(marketplace=marketplace, buyer=buyer, shop=shop, external_id="O-1001")
    now = clock.now()
    case = CaseFactory(order=order, opened_at=now, last_activity_at=now, seller_due_at=now + dt.timedelta(days=3))
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Docs")
    env = {"MARKETDESK_URL": live_server.url, "MARKETDESK_KEY": raw, "CASE_ID": str(case.pk), "PATH": "/usr/bin:/bin"}
    offer, decline_and_escalate = blocks("shell")

    def run(script: str) -> str:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    # when: the seller offers, then the buyer declines and escalates, as the doc shows
    offered = json.loads(run(offer))
    decoder, answers, text, at = json.JSONDecoder(), [], run(decline_and_escalate), 0
    while at < len(text):
        answer, at = decoder.raw_decode(text, at)
        answers.append(answer)

    # then: each step answered as the case's new state, and the case is with the platform
    assert offered["status"] == "offer_made"
    assert [answer["status"] for answer in answers] == ["declined", "escalated"]
    assert Case.objects.get(pk=case.pk).status == "escalated"


def test_the_webhook_receiver_takes_a_signed_event_once_and_refuses_a_forged_one(capsys):
    # given: the doc's receiver, and an event signed as marketdesk signs it
    namespace: dict = {}
    exec(compile(blocks("python")[-1], str(DOC), "exec"), namespace)  # noqa: S102 -- our own documentation
    secret = webhook_secret_generate()
    body = json.dumps({"type": "case.escalated", "timestamp": "2026-12-06T10:00:00Z", "data": {"case_id": 7}})
    headers = webhook_sign(secret=secret, event_id="msg_1", body=body, at=dt.datetime.now(dt.UTC))

    # when: it arrives twice, and once with a body changed on the way
    first = namespace["receive"](secret, headers, body.encode())
    again = namespace["receive"](secret, headers, body.encode())
    forged = namespace["receive"](secret, headers, body.replace("7", "8").encode())

    # then: taken once, the repeat acknowledged without handling, the forgery refused
    assert (first, again, forged) == (204, 204, 400)
    assert capsys.readouterr().out == "case.escalated {'case_id': 7}\n"
