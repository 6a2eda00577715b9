"""Forms of the case pages: what a buyer, a seller or an operator submits, checked before any service runs.

The services check again (they are the rules); the forms turn a browser's text
into typed values and say what is missing next to the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.attachments.forms import IdListField
from marketdesk.cases.models import DecisionOutcome, DecisionReason, OfferKind, Party, Payer
from marketdesk.cases.services.evidence import MAX_STATEMENT_LENGTH
from marketdesk.core.amounts import AmountField, money_from
from marketdesk.core.money import Money

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

TEXTAREA = forms.Textarea(attrs={"rows": 4, "class": "input"})


def _text(label: StrOrPromise, *, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, max_length=MAX_STATEMENT_LENGTH, required=required, widget=TEXTAREA, strip=True)


AMOUNT = AmountField()


class MoneyForm(forms.Form):
    """A form with an ``amount`` in the currency the view passes in."""

    amount = AmountField(label=_("Amount"))

    def __init__(self, *args: object, currency: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.currency = currency
        self.fields["amount"].label = _("Amount, %(currency)s") % {"currency": currency}

    def clean_amount(self) -> Money | None:
        return money_from(AMOUNT, self.data.get(self.add_prefix("amount"), ""), self.currency)


class OfferForm(MoneyForm):
    kind = forms.ChoiceField(label=_("Your answer"), choices=OfferKind.choices, widget=forms.RadioSelect)
    message = _text(_("Message to the buyer"), required=False)
    evidence_note = _text(_("Evidence (tracking number, photos sent, what you checked)"), required=False)
    field_order = ["kind", "amount", "message", "evidence_note"]


class EvidenceForm(forms.Form):
    # Text, files, or both: a photo of the damage needs no words (the service checks that one is there).
    text = _text(_("Add to your side of the case"), required=False)
    attachment_ids = IdListField()


class AnswerForm(forms.Form):
    answer = _text(_("Your answer"))


class AppealForm(forms.Form):
    reason = _text(_("Why the decision should change"))
    new_information = _text(_("New information"))


class InfoRequestForm(forms.Form):
    party = forms.ChoiceField(label=_("Ask"), choices=Party.choices, widget=forms.RadioSelect)
    question = _text(_("Question"))


class NoteForm(forms.Form):
    body = _text(_("Internal note"))


class DecisionForm(MoneyForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DecisionOutcome.choices)
    payer = forms.ChoiceField(label=_("Who pays"), choices=Payer.choices)
    reason_code = forms.ChoiceField(label=_("Reason code"), choices=DecisionReason.choices)
    rationale = forms.CharField(
        label=_("Rationale (both parties read it)"),
        max_length=MAX_STATEMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7, "class": "input"}),
        strip=True,
    )
    field_order = ["outcome", "payer", "amount", "reason_code", "rationale"]
