"""Self-service fixes quote the numbers of the policy in force, never literals."""

from __future__ import annotations

import pytest
from django.utils import translation

from marketdesk.cases.help_paths import LABEL_FIXES, label_fix
from marketdesk.core.actors import Actor
from marketdesk.core.policies import policy_publish

pytestmark = pytest.mark.django_db


def test_fixes_follow_a_new_policy_version():
    policy_publish(actor=Actor.system(), changes={"return_window_days": 45, "seller_silence_hours": 36})

    with translation.override("en"):
        texts = (label_fix("return_request"), label_fix("seller_issue"))

    assert ("within 45 days" in texts[0], "for 36 hours" in texts[1]) == (True, True)


@pytest.mark.parametrize("label", sorted(LABEL_FIXES))
def test_every_label_has_a_fix_in_russian_without_placeholders_left(label):
    with translation.override("ru"):
        text = label_fix(label)

    assert "%(" not in text
    assert any("а" <= ch <= "я" for ch in text.lower())
