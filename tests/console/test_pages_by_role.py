"""Every console page as each role: operators and administrators in, buyers and sellers refused, anonymous to sign-in.

Section pages refuse another role with 403 (as /console/ and /console/cases/ do); a page about one
object (a case's macro text, a party's survey) answers 404, never hinting that it exists.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.console.models import Macro
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db

SECTION_PAGES = [
    ("console:queue", []),
    ("console:dashboard", []),
    ("console:dashboard_csv", []),
    ("console:audit", []),
    ("console:audit_csv", []),
    ("console:macros", []),
    ("console:satisfaction", []),
]


@pytest.mark.parametrize(("name", "args"), SECTION_PAGES)
@pytest.mark.parametrize(
    ("who", "status"), [("operator", 200), ("admin_user", 200), ("buyer", 403), ("seller", 403), (None, 302)]
)
def test_section_pages_by_role(request, escalated, name, args, who, status):
    user = request.getfixturevalue(who) if who else None

    response = client_as(user).get(reverse(name, args=args))

    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), [("admin_user", 200), ("operator", 200), ("buyer", 403), ("seller", 403)])
def test_operators_and_administrators_write_macros(request, who, status):
    response = client_as(request.getfixturevalue(who)).get(reverse("console:macro_new"))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 200), ("other_operator", 404), ("buyer", 404), ("seller", 404)]
)
def test_inserting_a_macro_into_a_case_by_role(request, escalated, who, status):
    macro = Macro.objects.create(title="Hello", language="en", body="Hello {buyer_name}")

    response = client_as(request.getfixturevalue(who)).post(
        reverse("console:macro_insert", args=[macro.pk, escalated.pk])
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 302), ("other_operator", 404), ("buyer", 403), ("seller", 403)]
)
def test_claiming_by_role(request, escalated, who, status):
    response = client_as(request.getfixturevalue(who)).post(reverse("console:claim", args=[escalated.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 302), ("admin_user", 302), ("buyer", 403), ("seller", 403), (None, 302)]
)
def test_saving_a_queue_view_by_role(request, who, status):
    from marketdesk.console.models import SavedQueueView

    user = request.getfixturevalue(who) if who else None

    response = client_as(user).post(reverse("console:view_save"), {"name": "Escalated", "view": "escalated"})

    assert response.status_code == status
    assert SavedQueueView.objects.filter(name="Escalated").exists() == (who in ("operator", "admin_user"))


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 302), ("second_operator", 404), ("buyer", 403), ("seller", 403)]
)
def test_deleting_a_saved_view_by_role(request, operator, who, status):
    from marketdesk.console.models import SavedQueueView

    saved = SavedQueueView.objects.create(owner=operator, name="Mine", query="view=mine")

    response = client_as(request.getfixturevalue(who)).post(reverse("console:view_delete", args=[saved.pk]))

    assert response.status_code == status
    assert SavedQueueView.objects.filter(pk=saved.pk).exists() == (who != "operator")
