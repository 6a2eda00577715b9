"""GET /shops/{external_id}/standing: the marketplace's key and the shop's seller read it; nobody else does."""

from __future__ import annotations

import pytest
from django.test import Client

from marketdesk.accounts.services import api_key_create
from marketdesk.core.actors import Actor
from marketdesk.standards import services
from marketdesk.standards.states import EnforcementKind
from tests import factories
from tests.api.helpers import PROBLEM, session_client
from tests.standards.conftest import NOW, actor, cases_on, orders_for

pytestmark = pytest.mark.django_db


def key_client(marketplace) -> Client:
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Integration")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def url(shop) -> str:
    return f"/api/v1/shops/{shop.external_id}/standing"


@pytest.fixture
def rated_shop(shop, seller_buyer, at_now):
    """100 orders, 3 with a case (3 % defects, over the 2 % standard), computed tonight."""
    cases_on(orders_for(shop, seller_buyer, 100)[:3])
    services.standards_nightly()
    return shop


@pytest.fixture
def enforcer(marketplace):
    from django.contrib.auth.models import Permission

    from marketdesk.accounts.models import User

    user = factories.OperatorFactory(marketplace=marketplace)
    user.user_permissions.add(Permission.objects.get(codename="apply_enforcement"))
    return User.objects.get(pk=user.pk)


def test_the_marketplace_reads_level_metrics_and_the_measure_in_force(rated_shop, marketplace, enforcer, at_now):
    warning = services.enforcement_apply(
        actor=actor(enforcer), shop=rated_shop, kind=EnforcementKind.WARNING, reason="3 of 100 orders had a case."
    )
    services.enforcement_apply(actor=actor(enforcer), shop=rated_shop, kind=EnforcementKind.RESTRICTION, reason="R.")

    body = key_client(marketplace).get(url(rated_shop)).json()

    assert (body["shop"], body["level"], body["day"]) == (rated_shop.external_id, "below_standard", str(NOW.date()))
    defects = next(m for m in body["metrics"] if m["code"] == "defect_rate")
    assert {k: defects[k] for k in ("numerator", "denominator", "rate_bp", "threshold_bp", "at_most", "passed")} == {
        "numerator": 3,
        "denominator": 100,
        "rate_bp": 300,
        "threshold_bp": 200,
        "at_most": True,
        "passed": False,
    }
    # The restriction waits for its notice period; the warning is what holds today.
    assert (body["in_force"]["id"], body["in_force"]["kind"]) == (warning.pk, "warning")
    assert [m["kind"] for m in body["measures"]] == ["restriction", "warning"]


def test_before_any_computation_the_level_is_null(shop, marketplace):
    body = key_client(marketplace).get(url(shop)).json()

    assert (body["level"], body["day"], body["metrics"], body["in_force"], body["measures"]) == (
        None,
        None,
        [],
        None,
        [],
    )


def test_the_shops_seller_reads_it_and_a_proposal_stays_hidden(rated_shop, seller):
    response = session_client(seller).get(url(rated_shop))

    assert response.status_code == 200
    assert response.json()["measures"] == []  # the nightly run proposed a warning: operators see it, not the seller


def another_marketplaces_key(rated_shop, other_marketplace, marketplace, buyer):
    return key_client(other_marketplace), url(rated_shop)


def another_shops_seller(rated_shop, other_marketplace, marketplace, buyer):
    other = factories.ShopFactory(marketplace=marketplace)
    return session_client(factories.MembershipFactory(shop=other).user), url(rated_shop)


def a_buyer(rated_shop, other_marketplace, marketplace, buyer):
    return session_client(buyer), url(rated_shop)


def an_unknown_shop(rated_shop, other_marketplace, marketplace, buyer):
    return key_client(marketplace), "/api/v1/shops/NO-SUCH-SHOP/standing"


@pytest.mark.parametrize("asking", [another_marketplaces_key, another_shops_seller, a_buyer, an_unknown_shop])
def test_anyone_else_gets_a_404_problem(rated_shop, other_marketplace, marketplace, buyer, asking):
    client, target = asking(rated_shop, other_marketplace, marketplace, buyer)

    response = client.get(target)

    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)


def test_without_credentials_it_is_a_401(rated_shop):
    assert Client().get(url(rated_shop)).status_code == 401
