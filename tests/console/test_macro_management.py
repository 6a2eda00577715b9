"""Operators manage macros in the console: translate, preview on a real case, archive, delete; each change audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.console.models import AuditEntry, Macro
from marketdesk.console.services.macros import macro_archive, macro_delete, macro_preview, macro_save
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError, NotFound, PermissionDenied
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db

EN = "Hello {buyer_name}, about order {order}."
RU = "Здравствуйте, {buyer_name}! Заказ {order}."


@pytest.fixture
def staff(operator) -> Actor:
    return Actor.for_user(operator)


@pytest.fixture
def macro(staff) -> Macro:
    return macro_save(actor=staff, title="Hello", language="en", body=EN)


@pytest.fixture
def foreign_macro(other_operator) -> Macro:
    return macro_save(actor=Actor.for_user(other_operator), title="Theirs", language="en", body="Hi")


# Services


def test_a_translation_is_linked_to_its_original_and_audited(staff, macro):
    # when
    russian = macro_save(actor=staff, title="Привет", language="ru", body=RU, translation_of=macro)
    # then
    assert russian.translation_of == macro
    assert list(macro.translations.all()) == [russian]
    entry = AuditEntry.objects.get(action="macro.translated")
    assert (entry.object_id, entry.after["translation_of"]) == (str(russian.pk), macro.pk)


def test_a_translation_of_a_translation_belongs_to_the_original(staff, macro):
    russian = macro_save(actor=staff, title="Привет", language="ru", body=RU, translation_of=macro)

    with pytest.raises(DomainValidationError) as refused:
        macro_save(actor=staff, title="Hello again", language="en", body=EN, translation_of=russian)

    assert refused.value.field == "language"


def test_a_second_translation_in_one_language_is_a_field_error(staff, macro):
    macro_save(actor=staff, title="Привет", language="ru", body=RU, translation_of=macro)

    with pytest.raises(DomainValidationError) as refused:
        macro_save(actor=staff, title="Привет-2", language="ru", body=RU, translation_of=macro)

    assert refused.value.field == "language"
    assert Macro.objects.count() == 2


def test_another_marketplaces_macro_cannot_be_translated(staff, foreign_macro):
    with pytest.raises(NotFound):
        macro_save(actor=staff, title="Чужой", language="ru", body="Привет", translation_of=foreign_macro)


def test_archiving_hides_the_macro_from_the_workspace_and_is_audited(staff, macro, reviewed, operator):
    # when
    macro_archive(actor=staff, macro_id=macro.pk, active=False)
    # then
    page = client_as(operator).get(reverse("cases:workspace", args=[reviewed.pk])).content.decode()
    assert "EN · Hello" not in page
    entry = AuditEntry.objects.get(action="macro.archived")
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})


def test_deleting_keeps_the_text_in_the_audit_trail(staff, macro):
    # when
    macro_delete(actor=staff, macro_id=macro.pk)
    # then
    assert Macro.objects.count() == 0
    entry = AuditEntry.objects.get(action="macro.deleted")
    assert (entry.object_id, entry.before["body"]) == (str(macro.pk), EN)


def test_another_marketplaces_macro_cannot_be_archived_or_deleted(staff, foreign_macro):
    with pytest.raises(NotFound):
        macro_archive(actor=staff, macro_id=foreign_macro.pk, active=False)
    with pytest.raises(NotFound):
        macro_delete(actor=staff, macro_id=foreign_macro.pk)
    assert Macro.objects.get(pk=foreign_macro.pk).active is True


def test_an_installation_wide_macro_is_not_changed_by_a_marketplaces_operator(staff):
    shared = Macro.objects.create(title="Everyone", language="en", body="Hi")

    with pytest.raises(PermissionDenied):
        macro_archive(actor=staff, macro_id=shared.pk, active=False)


def test_preview_fills_the_case_and_counts_nothing(staff, macro, escalated):
    # when
    text = macro_preview(actor=staff, body=RU, language="ru", case_id=escalated.pk)
    # then
    assert text == f"Здравствуйте, {escalated.buyer.name}! Заказ {escalated.order.external_id}."
    assert Macro.objects.get(pk=macro.pk).usage_count == 0


def test_preview_on_another_marketplaces_case_is_not_found(other_operator, escalated):
    with pytest.raises(NotFound):
        macro_preview(actor=Actor.for_user(other_operator), body=EN, language="en", case_id=escalated.pk)


# Pages


@pytest.mark.parametrize(
    ("who", "status"),
    [("operator", 200), ("admin_user", 200), ("other_operator", 404), ("buyer", 404), ("seller", 404), (None, 302)],
)
def test_the_edit_page_by_role(request, macro, who, status):
    user = request.getfixturevalue(who) if who else None

    response = client_as(user).get(reverse("console:macro_edit", args=[macro.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 200), ("other_operator", 404), ("buyer", 404), ("seller", 404)]
)
def test_the_translate_page_by_role(request, macro, who, status):
    response = client_as(request.getfixturevalue(who)).get(reverse("console:macro_translate", args=[macro.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status", "active"),
    [("operator", 302, False), ("other_operator", 404, True), ("buyer", 404, True), ("seller", 404, True)],
)
def test_archiving_by_role(request, macro, who, status, active):
    response = client_as(request.getfixturevalue(who)).post(
        reverse("console:macro_archive", args=[macro.pk]), {"active": "0"}
    )

    assert response.status_code == status
    assert Macro.objects.get(pk=macro.pk).active is active


@pytest.mark.parametrize(
    ("who", "status", "left"), [("operator", 302, 0), ("other_operator", 404, 1), ("buyer", 404, 1), ("seller", 404, 1)]
)
def test_deleting_by_role(request, macro, who, status, left):
    response = client_as(request.getfixturevalue(who)).post(reverse("console:macro_delete", args=[macro.pk]))

    assert response.status_code == status
    assert Macro.objects.filter(pk=macro.pk).count() == left


@pytest.mark.parametrize(("who", "status"), [("operator", 200), ("buyer", 403), ("seller", 403)])
def test_the_live_check_by_role(request, who, status):
    response = client_as(request.getfixturevalue(who)).post(reverse("console:macro_check"), {"body": "Hi"})

    assert response.status_code == status


def test_an_operator_creates_a_macro_through_the_form(operator):
    # when
    response = client_as(operator).post(
        reverse("console:macro_new"),
        {"title": "Thanks", "language": "en", "use": "reply", "body": "Thanks, {buyer_name}!", "active": "on"},
    )
    # then
    assert response.status_code == 302
    macro = Macro.objects.get(title="Thanks")
    assert (macro.use, macro.created_by, macro.active) == ("reply", operator, True)


def test_the_translate_form_saves_the_russian_text_beside_the_english(operator, macro):
    # given
    url = reverse("console:macro_translate", args=[macro.pk])
    page = client_as(operator).get(url).content.decode()
    # when
    response = client_as(operator).post(
        url, {"title": "Привет", "language": "ru", "use": "both", "body": RU, "active": "on"}
    )
    # then
    assert EN in page
    assert '<option value="ru" selected>' in page
    assert response.status_code == 302
    assert Macro.objects.get(language="ru").translation_of == macro


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("Hello {buyer}", "{buyer}"),
        ("Unclosed { brace }", "{{"),
        ("", "required"),
        ("x" * 5001, "5000"),
    ],
)
def test_bad_text_is_a_field_error_and_saves_nothing(operator, body, says):
    response = client_as(operator).post(
        reverse("console:macro_new"), {"title": "Bad", "language": "en", "use": "both", "body": body}
    )

    assert response.status_code == 422
    assert says in response.content.decode()
    assert Macro.objects.count() == 0


def test_an_unknown_language_or_use_is_a_field_error(operator):
    response = client_as(operator).post(
        reverse("console:macro_new"), {"title": "Bad", "language": "de", "use": "nowhere", "body": "Hi"}
    )

    assert response.status_code == 422
    assert response.content.decode().count('class="field__error"') == 2


def test_the_preview_button_fills_the_text_from_the_chosen_case(operator, escalated):
    response = client_as(operator).post(
        reverse("console:macro_new"),
        {"title": "Hi", "language": "en", "use": "both", "body": EN, "case": str(escalated.pk), "preview": "1"},
    )

    assert response.status_code == 200
    assert f"Hello {escalated.buyer.name}, about order {escalated.order.external_id}." in response.content.decode()
    assert Macro.objects.count() == 0


def test_the_live_check_marks_the_placeholders_that_fit_what_is_typed(operator):
    response = client_as(operator).post(reverse("console:macro_check"), {"body": "Dear {bu"})

    page = response.content.decode()
    assert 'data-placeholder="buyer_name" data-suggested' in page
    assert 'data-placeholder="order" data-suggested' not in page


def test_the_live_check_says_what_is_wrong(operator):
    response = client_as(operator).post(reverse("console:macro_check"), {"body": "Dear {nme}"})

    assert "data-macro-check-error" in response.content.decode()
    assert "{nme}" in response.content.decode()


def test_the_live_check_refuses_a_case_of_another_marketplace(other_operator, escalated):
    response = client_as(other_operator).post(
        reverse("console:macro_check"), {"body": EN, "language": "en", "case": str(escalated.pk)}
    )

    assert "data-macro-check-error" in response.content.decode()
    assert escalated.buyer.name not in response.content.decode()


def test_the_list_shows_each_macro_with_its_translation_and_a_way_to_translate(staff, macro, operator):
    # given
    macro_save(actor=staff, title="Привет", language="ru", body=RU, translation_of=macro)
    alone = macro_save(actor=staff, title="Alone", language="en", body="Only English")
    # when
    page = client_as(operator).get(reverse("console:macros")).content.decode()
    # then
    assert page.count("data-macro-family=") == 2
    assert reverse("console:macro_translate", args=[alone.pk]) in page
    assert reverse("console:macro_translate", args=[macro.pk]) not in page


def test_the_list_does_not_query_per_macro(staff, operator, django_assert_max_num_queries):
    for number in range(12):
        original = macro_save(actor=staff, title=f"Macro {number}", language="en", body="Hi")
        macro_save(actor=staff, title=f"Макрос {number}", language="ru", body="Привет", translation_of=original)
    client = client_as(operator)
    client.get(reverse("console:macros"))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("console:macros"))

    assert response.content.decode().count("data-macro-family=") == 12


def test_a_party_never_sees_another_marketplaces_macro_in_the_list(staff, foreign_macro, operator):
    page = client_as(operator).get(reverse("console:macros")).content.decode()

    assert "Theirs" not in page
