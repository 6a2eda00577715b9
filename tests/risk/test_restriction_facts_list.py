"""A restriction's facts read as one list on each page: two lists in a row, or a line after one, ran together with
no gap between a term and the next ("Answer" over "Applied by")."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from marketdesk.core.actors import Actor
from marketdesk.risk.services import buyer_restrict, buyer_restriction_appeal, buyer_restriction_appeal_decide
from tests import factories
from tests.risk.conftest import _case, _order

pytestmark = pytest.mark.django_db

FACTS = re.compile(r'<dl class="facts"[^>]*>(.*?)</dl>', re.S)
TERMS = re.compile(r"<dt>(.*?)</dt>")


@pytest.fixture
def answered(frozen_clock, marketplace, shop, buyer, operator):
    """A restriction appealed and answered by a second operator: every row the pages have."""
    _case(_order(buyer, shop))
    restriction = buyer_restrict(actor=Actor.for_user(operator), buyer=buyer, reason="Three claims on signed parcels.")
    buyer_restriction_appeal(actor=Actor.for_user(buyer), restriction=restriction, text="A neighbour signed.")
    second = factories.OperatorFactory(marketplace=marketplace)
    return buyer_restriction_appeal_decide(
        actor=Actor.for_user(second), restriction=restriction, accept=False, answer="The signatures match."
    )


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    return client.get(url).content.decode()


def test_support_reads_the_restriction_and_who_applied_and_answered_it_in_one_list(answered, operator):
    # when
    page = _page(operator, reverse("risk:restriction", args=[answered.pk]))

    # then
    assert [TERMS.findall(body) for body in FACTS.findall(page)] == [
        ["Status", "Effective from", "What it means", "Notice", "Appeal", "Answer", "Applied by", "Appeal decided by"]
    ]


def test_the_buyer_reads_one_list_with_what_is_not_affected_under_what_it_means(answered, buyer):
    # when
    page = _page(buyer, reverse("risk:buyer_restriction", args=[answered.pk]))

    # then
    ((body,),) = [FACTS.findall(page)]
    assert TERMS.findall(body) == ["Status", "Effective from", "What it means", "Notice", "Appeal", "Answer"]
    meaning = re.search(r"<dd data-restriction-meaning>(.*?)</dd>", body, re.S).group(1)
    assert "Your orders, messages and returns are not affected" in meaning
    assert page.count("Your orders, messages and returns are not affected") == 1


def test_support_reads_in_russian_who_applied_the_restriction_in_its_gender(answered, operator):
    # given support reading in Russian ("ограничение" is neuter; the seller measure's "мера" is feminine)
    operator.language = "ru"
    operator.save(update_fields=["language"])

    # when
    page = _page(operator, reverse("risk:restriction", args=[answered.pk]))

    # then
    terms = TERMS.findall(FACTS.findall(page)[0])
    assert "Кем применено" in terms
    assert "Кем применена" not in page
