"""The workspace starts where most cases end: the decision's reason code from the kind of case, and macros
that never write a deadline that has passed into a reply (they leave it for the operator and say so)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from marketdesk.cases.models import CaseType
from marketdesk.console.services.macros import macro_save, macro_use
from marketdesk.core.actors import Actor
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db

BODY = "Hello {buyer_name}, we decide by {deadline}."


def selected_reason(page: str) -> str:
    select = re.search(r"<select[^>]*name=\"decide-reason_code\".*?</select>", page, re.S).group(0)
    return re.search(r'<option value="([a-z_]+)" selected>', select).group(1)


@pytest.mark.parametrize(
    ("case_type", "reason"),
    [
        (CaseType.ITEM_NOT_RECEIVED, "not_received_no_proof"),
        (CaseType.NOT_AS_DESCRIBED, "not_as_described"),
        (CaseType.SELLER_UNRESPONSIVE, "seller_unresponsive"),
        (CaseType.REFUND_NOT_RECEIVED, "refund_not_paid"),
    ],
)
def test_the_decide_forms_reason_code_starts_from_the_case_type(reviewed, operator, case_type, reason):
    # given a case under review, of this kind
    type(reviewed).objects.filter(pk=reviewed.pk).update(case_type=case_type)
    # when the operator opens its workspace
    page = client_as(operator).get(reverse("cases:workspace", args=[reviewed.pk])).content.decode()
    # then
    assert selected_reason(page) == reason


def test_a_macro_fills_a_deadline_still_ahead(escalated, admin_user, operator_actor, at_now):
    # given
    macro = macro_save(actor=Actor.for_user(admin_user), title="Soon", language="en", body=BODY)
    # when
    text = macro_use(actor=operator_actor, macro=macro, case=escalated)
    # then
    assert "{deadline}" not in text
    assert text.startswith(f"Hello {escalated.buyer.name}, we decide by ")


def test_a_macro_never_fills_a_passed_deadline_and_says_so(escalated, admin_user, operator, at_now):
    # given the support's decision is overdue
    macro = macro_save(actor=Actor.for_user(admin_user), title="Late", language="en", body=BODY)
    at_now.advance(dt.timedelta(days=10))
    # when the operator inserts the macro in the workspace
    response = client_as(operator).post(reverse("console:macro_insert", args=[macro.pk, escalated.pk]))
    # then the text keeps the placeholder and the answer says why
    assert response.status_code == 200
    assert response.json()["text"] == f"Hello {escalated.buyer.name}, we decide by {{deadline}}."
    assert response.json()["notice"].startswith("The deadline passed on ")


def test_the_notice_is_empty_while_the_deadline_is_ahead(escalated, admin_user, operator, at_now):
    macro = macro_save(actor=Actor.for_user(admin_user), title="Soon", language="en", body=BODY)

    response = client_as(operator).post(reverse("console:macro_insert", args=[macro.pk, escalated.pk]))

    assert (response.status_code, response.json()["notice"]) == (200, "")


def test_another_marketplaces_operator_gets_no_text_and_no_notice(escalated, admin_user, other_operator, at_now):
    macro = macro_save(actor=Actor.for_user(admin_user), title="Soon", language="en", body=BODY)

    response = client_as(other_operator).post(reverse("console:macro_insert", args=[macro.pk, escalated.pk]))

    assert response.status_code == 404
