"""The two forms of a measure's appeal (``core.appeals``): the party's appeal, and staff's answer to it.

A seller's enforcement and a buyer's restriction ask for the same fields in their own words; each app builds
its forms here with its wording. They parse input; the services decide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Promise


def appeal_form(*, max_length: int, help_text: Promise) -> type[forms.Form]:
    """The party's one appeal: a text, with what to say in ``help_text``."""

    class AppealForm(forms.Form):
        text = forms.CharField(
            label=_("Your appeal"),
            max_length=max_length,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=help_text,
        )

    return AppealForm


def appeal_decision_form(
    *, max_length: int, accept_label: Promise, reject_label: Promise, answer_label: Promise
) -> type[forms.Form]:
    """Staff's decision on an appeal (accepting revokes the measure, rejecting keeps it) and the answer the party reads."""

    class AppealDecisionForm(forms.Form):
        accept = forms.TypedChoiceField(
            label=_("Decision"),
            choices=[("1", accept_label), ("0", reject_label)],
            coerce=lambda value: value == "1",
            widget=forms.RadioSelect,
        )
        answer = forms.CharField(label=answer_label, max_length=max_length, widget=forms.Textarea(attrs={"rows": 3}))

    return AppealDecisionForm
