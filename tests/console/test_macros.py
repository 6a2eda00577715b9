"""Macros: placeholders checked when saved, filled in per case and language when inserted, uses counted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from marketdesk.console.models import AuditEntry, Macro
from marketdesk.console.services.macros import macro_save, macro_use
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError, PermissionDenied
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db

RU_BODY = "Здравствуйте, {buyer_name}! По заказу {order} мы вернём {amount}. Ответьте до {deadline}."


@pytest.fixture
def admin_actor(admin_user) -> Actor:
    return Actor.for_user(admin_user)


def test_an_unknown_placeholder_is_refused_by_the_service(admin_actor):
    with pytest.raises(DomainValidationError) as refused:
        macro_save(actor=admin_actor, title="Oops", language="en", body="Hello {buyer}, order {order}")

    assert (refused.value.field, "{buyer}" in str(refused.value.message)) == ("body", True)
    assert Macro.objects.count() == 0


def test_an_unknown_placeholder_is_refused_by_the_model_clean():
    with pytest.raises(ValidationError):
        Macro(title="Oops", language="en", body="Hi {nme}").full_clean()


@pytest.mark.parametrize("body", ["Unclosed {order", "Empty {} here", "Index {0}", "Attr {order.id}"])
def test_broken_braces_are_refused(admin_actor, body):
    with pytest.raises(DomainValidationError):
        macro_save(actor=admin_actor, title="Broken", language="en", body=body)


def test_the_form_shows_the_reason_and_saves_nothing(admin_user):
    response = client_as(admin_user).post(
        reverse("console:macro_new"), {"title": "Oops", "language": "en", "use": "both", "body": "Hi {nme}"}
    )

    assert response.status_code == 422
    assert "{nme}" in response.content.decode()
    assert Macro.objects.count() == 0


def test_operators_write_macros_with_an_audit_row(operator):
    macro = macro_save(actor=Actor.for_user(operator), title="Mine", language="en", body="Hi {buyer_name}")

    entry = AuditEntry.objects.get(action="macro.created")
    assert (entry.actor_user, entry.object_id, entry.after["body"]) == (operator, str(macro.pk), "Hi {buyer_name}")


@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_parties_may_not_write_macros(request, role):
    with pytest.raises(PermissionDenied):
        macro_save(actor=Actor.for_user(request.getfixturevalue(role)), title="Mine", language="en", body="Hi")


def test_a_duplicate_title_is_a_field_error(admin_actor):
    macro_save(actor=admin_actor, title="Hello", language="en", body="Hi")

    with pytest.raises(DomainValidationError) as refused:
        macro_save(actor=admin_actor, title="Hello", language="en", body="Hi again")

    assert refused.value.field == "title"


def test_inserting_fills_the_case_in_the_macros_language_and_counts(escalated, admin_actor, operator, operator_actor):
    macro = macro_save(actor=admin_actor, title="Возврат", language="ru", body=RU_BODY)

    text = macro_use(actor=operator_actor, macro=macro, case=escalated)
    macro_use(actor=operator_actor, macro=macro, case=escalated)

    assert text.startswith(
        f"Здравствуйте, {escalated.buyer.name}! По заказу {escalated.order.external_id} мы вернём 25,00"
    )
    assert "{" not in text
    macro.refresh_from_db()
    assert macro.usage_count == 2
    assert AuditEntry.objects.filter(action="macro.used", actor_user=operator).count() == 2


def test_the_workspace_offers_the_macros_in_the_buyers_language_first(reviewed, admin_actor, operator):
    macro_save(actor=admin_actor, title="Hello", language="en", body="Hello {buyer_name}")
    macro_save(actor=admin_actor, title="Ответ", language="ru", body="Здравствуйте, {buyer_name}", use="reply")

    page = client_as(operator).get(reverse("cases:workspace", args=[reviewed.pk])).content.decode()

    assert page.count("data-macro-picker") == 2  # the question and the decision's rationale
    assert "RU · Ответ" in page


def test_the_insert_endpoint_returns_the_text(escalated, admin_actor, operator):
    macro = macro_save(actor=admin_actor, title="Hello", language="en", body="Hello {buyer_name}, about {order}.")

    response = client_as(operator).post(reverse("console:macro_insert", args=[macro.pk, escalated.pk]))

    assert response.json() == {
        "text": f"Hello {escalated.buyer.name}, about {escalated.order.external_id}.",
        "notice": "",
    }
