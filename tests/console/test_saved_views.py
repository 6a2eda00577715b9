"""An operator's own saved views of the queue: saved from the current view and filters, listed, opened, deleted;
nobody else's shows or can be deleted; bad names are refused with the reason and save nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.console.models import SavedQueueView
from marketdesk.console.selectors.queue import QueueFilters
from marketdesk.console.services.saved_views import SAVED_VIEWS_MAX, saved_view_create
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, PermissionDenied
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db


def save(client, name, **filters):
    return client.post(reverse("console:view_save"), {"name": name, **filters}, follow=True)


def test_saving_keeps_the_view_and_filters_and_opens_them(operator):
    client = client_as(operator)

    response = save(client, "  Russian   escalations ", view="escalated", language="ru", category="other", junk="x")

    saved = SavedQueueView.objects.get()
    assert (saved.owner, saved.name, saved.query) == (
        operator,
        "Russian escalations",
        "view=escalated&category=other&language=ru",
    )
    assert response.redirect_chain[-1][0] == f"{reverse('console:queue')}?{saved.query}"
    page = response.content.decode()
    href = saved.query.replace("&", "&amp;")
    assert f'href="?{href}" aria-current="page">Russian escalations</a>' in page


def test_filters_round_trip_through_the_query_string():
    filters = QueueFilters(view="at_risk", category="other", seller=7, language="en", assignee="me")

    assert QueueFilters.from_query(dict(pair.split("=") for pair in filters.to_query().split("&"))) == filters


def test_another_operator_neither_sees_nor_deletes_my_view(operator, second_operator):
    saved = saved_view_create(actor=Actor.for_user(operator), name="Mine", filters=QueueFilters(view="mine"))
    theirs = client_as(second_operator)

    assert "Mine</a>" not in theirs.get(reverse("console:queue")).content.decode()
    assert theirs.post(reverse("console:view_delete", args=[saved.pk])).status_code == 404
    assert SavedQueueView.objects.filter(pk=saved.pk).exists()

    assert client_as(operator).post(reverse("console:view_delete", args=[saved.pk])).status_code == 302
    assert not SavedQueueView.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Name the view."), ("x" * 61, "Keep the name under 60 characters.")],
)
def test_a_bad_name_is_refused_with_the_reason(operator, name, message):
    response = save(client_as(operator), name, view="escalated")

    assert message in response.content.decode()
    assert not SavedQueueView.objects.exists()


def test_the_same_name_twice_and_too_many_views_are_refused(operator):
    actor = Actor.for_user(operator)
    saved_view_create(actor=actor, name="Escalated RU", filters=QueueFilters(view="escalated"))

    with pytest.raises(Conflict):
        saved_view_create(actor=actor, name="escalated ru", filters=QueueFilters(view="at_risk"))
    for i in range(SAVED_VIEWS_MAX - 1):
        saved_view_create(actor=actor, name=f"View {i}", filters=QueueFilters())
    with pytest.raises(Conflict):
        saved_view_create(actor=actor, name="One more", filters=QueueFilters())
    assert SavedQueueView.objects.count() == SAVED_VIEWS_MAX


@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_parties_have_no_saved_views(request, role):
    user = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        saved_view_create(actor=Actor.for_user(user), name="Mine", filters=QueueFilters())
    assert client_as(user).post(reverse("console:view_save"), {"name": "Mine"}).status_code == 403


def test_an_empty_name_through_the_service_is_a_validation_error(operator):
    with pytest.raises(DomainValidationError):
        saved_view_create(actor=Actor.for_user(operator), name="", filters=QueueFilters())


def test_the_same_russian_name_in_another_case_is_refused_on_every_database(operator):
    actor = Actor.for_user(operator)
    saved_view_create(actor=actor, name="Срочные споры", filters=QueueFilters(view="at_risk"))

    with pytest.raises(Conflict):
        saved_view_create(actor=actor, name="СРОЧНЫЕ споры", filters=QueueFilters(view="escalated"))


@pytest.mark.parametrize("field", ["seller", "assignee"])
@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999999"])
def test_odd_digits_in_the_filters_are_ignored_not_a_500(operator, field, value):
    client = client_as(operator)

    assert client.get(reverse("console:queue"), {field: value}).status_code == 200
    assert save(client, f"Odd {value}", **{field: value}).status_code == 200
    assert SavedQueueView.objects.get().query == "view=all"
