"""core 0008 publishes the triage threshold the retrained model chose, unless an administrator chose another."""

from __future__ import annotations

import pytest

from tests.migrations import migrate, schema_back_to_the_latest  # noqa: F401 (an autouse fixture)

# Transactional (migrations run outside a test transaction); pytest-django runs such tests after the others.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("core", "0007_outbox_claim_lease")]
AFTER = [("core", "0008_policy_triage_threshold_transliteration")]


def _policies_after(threshold_bp: int) -> list[tuple[int, int]]:
    apps = migrate(BEFORE)
    PolicyVersion = apps.get_model("core", "PolicyVersion")
    PolicyVersion.objects.all().delete()
    PolicyVersion.objects.create(version=4, values={"triage_min_confidence_bp": threshold_bp, "other_rule": 7})

    apps = migrate(AFTER)
    PolicyVersion = apps.get_model("core", "PolicyVersion")
    return [(p.version, p.values["triage_min_confidence_bp"]) for p in PolicyVersion.objects.order_by("version")]


def test_the_earlier_chosen_threshold_moves_to_the_new_one_in_a_new_version():
    assert _policies_after(5000) == [(4, 5000), (5, 5500)]


def test_an_administrators_own_threshold_stays():
    assert _policies_after(7000) == [(4, 7000)]
