"""docs/integrate.md runs as written: its Python hand-off example and its curl calls, against marketdesk itself."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from marketdesk.accounts.models import ShopMembership, User
from marketdesk.accounts.services import api_key_create
from marketdesk.core.actors import Actor
from marketdesk.orders.models import Order
from tests import factories
from tests.accounts.handoff_tokens import configure

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrate.md"
ISSUER = "https://shop.example"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text(), flags=re.MULTILINE | re.DOTALL)


def documents(text: str) -> list:
    """The JSON documents curl printed one after another (without newlines between them)."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(text):
        document, at = decoder.raw_decode(text, at)
        found.append(document)
    return found


@pytest.fixture
def shop_with_order(marketplace):
    shop = factories.ShopFactory(marketplace=marketplace, external_id="S-100")
    buyer = factories.BuyerFactory(marketplace=marketplace, external_id="B-100", language="en")
    return factories.OrderFactory(marketplace=marketplace, buyer=buyer, shop=shop, external_id="O-1001")


@pytest.mark.django_db
def test_python_example_makes_a_link_that_lands_on_get_help(monkeypatch, marketplace, shop_with_order):
    # given: the marketplace's backend configured as the doc says
    _config, secret = configure(marketplace, ISSUER)
    monkeypatch.setenv("MARKETDESK_URL", "http://127.0.0.1:8000")
    monkeypatch.setenv("MARKETDESK_HANDOFF_ISSUER", ISSUER)
    monkeypatch.setenv("MARKETDESK_HANDOFF_SECRET", secret)
    example = blocks("python")[1]
    namespace: dict = {}
    exec(compile(example, str(DOC), "exec"), namespace)  # noqa: S102 -- our own documentation's example

    # when: the buyer's browser follows the link it makes
    url = namespace["get_help_url"](
        buyer_id="B-100", name="Ada", email="ada@example.test", locale="ru", order_id="O-1001"
    )
    link = urlsplit(url)
    client = Client()
    response = client.get(f"{link.path}?{link.query}")

    # then: signed in, on the order's Get help page, in Russian
    assert (link.scheme, link.netloc) == ("http", "127.0.0.1:8000")
    assert (response.status_code, response["Location"]) == (302, f"/orders/{shop_with_order.pk}/help/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'lang="ru"' in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_curl_examples_work_against_the_live_server(live_server, settings, marketplace, shop_with_order):
    # given: a key, and marketdesk's base URL being the live server's (it is the links' audience)
    settings.MARKETDESK_BASE_URL = live_server.url
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Docs")
    env = {"MARKETDESK_URL": live_server.url, "MARKETDESK_KEY": raw, "PATH": "/usr/bin:/bin"}
    mint, member_put, member_delete, deactivation, risk_upsert = blocks("sh")

    def run(script: str) -> str:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    # when / then: the minted link signs the buyer in once
    link = urlsplit(json.loads(run(mint))["url"])
    assert (link.scheme + "://" + link.netloc, link.path) == (live_server.url, "/sso/handoff")
    assert Client().get(f"{link.path}?{link.query}").status_code == 302

    # when / then: the seller joins the shop, leaves it, is deactivated and reactivated
    assert json.loads(run(member_put))["role"] == "staff"
    assert ShopMembership.objects.filter(user__external_id="U-7", shop__external_id="S-100").count() == 1
    assert run(member_delete) == ""
    assert ShopMembership.objects.filter(user__external_id="U-7").count() == 0
    deactivated, reactivated = documents(run(deactivation))
    assert (deactivated["is_active"], reactivated["is_active"]) == (False, True)
    assert User.objects.get(external_id="U-7").is_active is True

    # when / then: an order sent with its risk data keeps the card's hash as sent and only a hash of the address
    env.update({"PROCESSOR_FINGERPRINT": "fp_card_1", "YOUR_SALT": "salt"})
    run(risk_upsert)
    order = Order.objects.get(external_id="O-1")
    assert order.payment_fingerprint == hashlib.sha256(b"fp_card_1salt").hexdigest()
    assert len(order.delivery_address_hash) == 64
