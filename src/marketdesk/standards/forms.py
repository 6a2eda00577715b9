"""Forms of the standards pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.core.appeal_forms import appeal_decision_form, appeal_form
from marketdesk.standards.states import EnforcementKind

TEXT_MAX = 4000


class EnforcementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=EnforcementKind.choices)
    reason = forms.CharField(
        label=_("Reason the seller reads"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Name the metrics and the orders behind them, and what the seller should change."),
    )
    effective_on = forms.DateField(
        label=_("Effective from"),
        required=False,
        help_text=_("Empty: at once for a warning, after the policy's notice for a restriction or a suspension."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


AppealForm = appeal_form(
    max_length=TEXT_MAX,
    help_text=_("Explain what the metrics miss or what you have changed. An appeal is heard once."),
)
AppealDecisionForm = appeal_decision_form(
    max_length=TEXT_MAX,
    accept_label=_("Accept: revoke the measure"),
    reject_label=_("Reject: the measure stays"),
    answer_label=_("Answer the seller reads"),
)
