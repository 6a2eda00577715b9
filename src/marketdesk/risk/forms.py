"""Forms of the buyer-restriction pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.core.appeal_forms import appeal_decision_form, appeal_form

#: As long as the services keep (``risk.services._clean_text``).
TEXT_MAX = 2000


class RestrictForm(forms.Form):
    reason = forms.CharField(
        label=_("Notice the buyer reads"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Name the orders and what they show. The buyer reads it with the effective date and how to appeal."
        ),
    )
    # Named as the service's field, so its refusal shows beside the date.
    effective_at = forms.DateField(
        label=_("Effective from"),
        required=False,
        help_text=_("Empty: the day the policy's notice ends. An earlier date is refused."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


AppealForm = appeal_form(
    max_length=TEXT_MAX,
    help_text=_("Explain what the restriction misses, with the orders it is about. An appeal is heard once."),
)
AppealDecisionForm = appeal_decision_form(
    max_length=TEXT_MAX,
    accept_label=_("Accept: revoke the restriction"),
    reject_label=_("Reject: the restriction stays"),
    answer_label=_("Answer the buyer reads"),
)
