"""Satisfaction: asked once per party when a case closes (in app and by email), answered once, reported per group."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from marketdesk.cases.services.scheduled import cases_close_finished
from marketdesk.console.models import SatisfactionSurvey
from marketdesk.console.selectors.satisfaction import satisfaction_results
from marketdesk.console.services.satisfaction import survey_answer, surveys_ask_closed
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound
from marketdesk.notifications.models import Notification
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(decided, at_now):
    at_now.advance(dt.timedelta(days=31))
    cases_close_finished()
    return decided


def test_each_party_is_asked_once_after_the_case_closes(closed, buyer, seller, operator):
    asked = surveys_ask_closed()
    again = surveys_ask_closed()

    surveys = SatisfactionSurvey.objects.order_by("party")
    assert (asked, again) == (2, 0)
    assert [(s.user, s.party, s.operator) for s in surveys] == [
        (buyer, "buyer", operator),
        (seller, "seller", operator),
    ]
    assert set(Notification.objects.filter(kind="satisfaction.asked").values_list("user_id", flat=True)) == {
        buyer.pk,
        seller.pk,
    }


def test_an_open_case_is_not_asked(decided):
    assert surveys_ask_closed() == 0


def test_a_case_closed_more_than_a_week_ago_is_not_asked(closed, at_now):
    at_now.advance(dt.timedelta(days=7, minutes=1))

    assert surveys_ask_closed() == 0
    assert not SatisfactionSurvey.objects.exists()


def test_a_party_answers_once_through_the_page(closed, buyer):
    surveys_ask_closed()
    survey = SatisfactionSurvey.objects.get(user=buyer)
    client = client_as(buyer)

    response = client.post(reverse("console:survey", args=[survey.pk]), {"score": "4", "comment": "Quick."})
    survey.refresh_from_db()

    assert (response.status_code, survey.score, survey.comment) == (302, 4, "Quick.")
    with pytest.raises(Conflict):
        survey_answer(actor=Actor.for_user(buyer), survey=survey, score=5)


@pytest.mark.parametrize("score", ["0", "6", "x", ""])
def test_a_rating_outside_1_to_5_is_refused(closed, buyer, score):
    surveys_ask_closed()
    survey = SatisfactionSurvey.objects.get(user=buyer)

    with pytest.raises(DomainValidationError):
        survey_answer(actor=Actor.for_user(buyer), survey=survey, score=score)


def test_nobody_else_answers_or_reads_a_survey(closed, buyer, seller, operator):
    surveys_ask_closed()
    survey = SatisfactionSurvey.objects.get(user=buyer)

    assert client_as(seller).get(reverse("console:survey", args=[survey.pk])).status_code == 404
    assert client_as(operator).get(reverse("console:survey", args=[survey.pk])).status_code == 404
    with pytest.raises(NotFound):
        survey_answer(actor=Actor.for_user(seller), survey=survey, score=1)


def test_results_per_operator_reason_and_seller(closed, buyer, seller, operator, operator_actor, shop, at_now):
    surveys_ask_closed()
    survey_answer(actor=Actor.for_user(buyer), survey=SatisfactionSurvey.objects.get(user=buyer), score=5)
    survey_answer(actor=Actor.for_user(seller), survey=SatisfactionSurvey.objects.get(user=seller), score=2)

    results = satisfaction_results(
        operator_actor, since=at_now.now() - dt.timedelta(days=1), until=at_now.now() + dt.timedelta(days=1)
    )

    assert [(r.label, r.asked, r.answered, r.average) for r in results["operator"]] == [(operator.name, 2, 2, 3.5)]
    assert [(r.label, r.average) for r in results["reason"]] == [("Item not received", 3.5)]
    assert [(r.label, r.average) for r in results["seller"]] == [(shop.name, 3.5)]
