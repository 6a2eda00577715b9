"""The scheduled case tasks: expire idle cases, close finished ones."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.cases.models import Case, OfferKind
from marketdesk.cases.services.offers import case_offer_accept, case_offer_make
from marketdesk.cases.states import CaseStatus
from marketdesk.cases.tasks import close_finished_cases, expire_idle_cases
from tests.cases.conftest import EXPIRES, MINUTE, event_types

pytestmark = pytest.mark.django_db


def status(case: Case) -> str:
    return Case.objects.get(pk=case.pk).status


def test_the_expiry_task_expires_idle_cases_as_the_system(opened_case, at_now):
    at_now.advance(EXPIRES - at_now.now())

    assert expire_idle_cases.call() == 1

    assert status(opened_case) == CaseStatus.EXPIRED
    assert event_types(opened_case)[-1] == "case.expired"


def test_the_closing_task_closes_an_accepted_offer(opened_case, seller_actor, buyer_actor):
    case_offer_make(actor=seller_actor, case=opened_case, kind=OfferKind.FULL_REFUND)
    case_offer_accept(actor=buyer_actor, case=opened_case)

    assert close_finished_cases.call() == 1

    assert status(opened_case) == CaseStatus.CLOSED


def test_the_closing_task_waits_for_the_appeal_window(decided, at_now):
    at_now.advance(dt.timedelta(days=30))
    assert close_finished_cases.call() == 0

    at_now.advance(MINUTE)
    assert close_finished_cases.call() == 1

    assert status(decided) == CaseStatus.CLOSED
