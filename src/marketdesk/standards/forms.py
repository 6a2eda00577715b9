"""Forms of the standards pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Your appeal"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Explain what the metrics miss or what you have changed. An appeal is heard once."),
    )


class AppealDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept: revoke the measure")), ("0", _("Reject: the measure stays"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer the seller reads"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
