"""Forms of the buyer-restriction pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Your appeal"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Explain what the restriction misses, with the orders it is about. An appeal is heard once."),
    )


class AppealDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept: revoke the restriction")), ("0", _("Reject: the restriction stays"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer the buyer reads"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
