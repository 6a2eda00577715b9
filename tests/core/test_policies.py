"""Policy versions: defaults as version 1, publishing adds a version, none is ever rewritten."""

from __future__ import annotations

import pytest

from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError, ImmutableRecord
from marketdesk.core.models import PolicyVersion
from marketdesk.core.policies import PolicyValues, policy_at, policy_current, policy_publish

pytestmark = pytest.mark.django_db

DEFAULTS = PolicyValues().model_dump()


def versions() -> list[tuple[int, dict]]:
    return list(PolicyVersion.objects.order_by("version").values_list("version", "values"))


def test_migration_publishes_the_defaults_as_version_1():
    current = policy_current()

    assert (current.version, current.values, current.return_window_days) == (1, PolicyValues(), 30)
    assert versions() == [(1, DEFAULTS)]


def test_publish_adds_version_2_and_leaves_version_1_as_it_was(admin_user):
    published = policy_publish(
        actor=Actor.for_user(admin_user), changes={"return_window_days": 45}, note="Longer returns for winter"
    )

    assert (published.version, published.note, published.created_by) == (2, "Longer returns for winter", admin_user)
    assert (policy_current().version, policy_current().return_window_days) == (2, 45)
    assert versions() == [(1, DEFAULTS), (2, {**DEFAULTS, "return_window_days": 45})]


def test_policy_at_returns_the_values_of_that_version(admin_user):
    policy_publish(actor=Actor.for_user(admin_user), changes={"return_window_days": 45})
    policy_publish(actor=Actor.for_user(admin_user), changes={"inr_window_days": 60})

    assert [(policy_at(v).return_window_days, policy_at(v).inr_window_days) for v in (0, 1, 2, 3)] == [
        (30, 30),
        (30, 30),
        (45, 30),
        (45, 60),
    ]


def test_saving_an_existing_version_is_refused():
    row = PolicyVersion.objects.get(version=1)
    row.values = {**DEFAULTS, "return_window_days": 1}

    with pytest.raises(ImmutableRecord):
        row.save()

    assert versions() == [(1, DEFAULTS)]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"return_window_days": -1}, ["return_window_days"]),
        ({"inr_window_days": 0}, ["inr_window_days"]),
        ({"max_defect_rate_bp": 10001}, ["max_defect_rate_bp"]),
        ({"seller_response_business_days": "three"}, ["seller_response_business_days"]),
        ({"refund_everything": True}, ["refund_everything"]),
        ({"return_window_days": -1, "no_such_rule": 1}, ["return_window_days", "no_such_rule"]),
    ],
)
def test_invalid_change_names_the_field_and_writes_nothing(admin_user, changes, fields):
    with pytest.raises(DomainValidationError) as refused:
        policy_publish(actor=Actor.for_user(admin_user), changes=changes)

    assert [error["field"] for error in refused.value.errors] == fields
    assert [error["field"] for error in refused.value.problem()["errors"]] == fields
    assert versions() == [(1, DEFAULTS)]


@pytest.mark.parametrize("role_factory", ["buyer", "seller", "operator"])
def test_only_administrators_publish_policy(request, role_factory):
    from marketdesk.core.errors import PermissionDenied

    actor = Actor.for_user(request.getfixturevalue(role_factory))

    with pytest.raises(PermissionDenied):
        policy_publish(actor=actor, changes={"return_window_days": 45})

    assert PolicyVersion.objects.count() == 1


def test_createsuperuser_makes_an_administrator(db):
    from marketdesk.accounts.models import User

    user = User.objects.create_superuser("root", "root@example.test", "a-long-password-1")

    assert (user.role, user.is_superuser) == ("admin", True)
