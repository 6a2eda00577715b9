"""Forms of the return pages: what a buyer or seller submits, checked before any service runs.

The services check again (they are the rules); the forms turn a browser's text
into typed values and say what is missing next to the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.orders.models import OrderLine
from marketdesk.returns.models import Condition, Resolution, Return, ReturnReason
from marketdesk.returns.services.common import MAX_TEXT

TEXTAREA = forms.Textarea(attrs={"rows": 3, "class": "input"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (checked and stored by the attachments app)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReturnRequestForm(forms.Form):
    """Which items, how many, why, and refund or exchange; one quantity field per returnable line."""

    reason = forms.ChoiceField(
        label=_("Why are you returning it?"), choices=ReturnReason.choices, widget=forms.RadioSelect
    )
    resolution = forms.ChoiceField(
        label=_("What would you like?"), choices=Resolution.choices, widget=forms.RadioSelect, initial=Resolution.REFUND
    )
    description = forms.CharField(
        label=_("Anything the seller should know"), max_length=MAX_TEXT, required=False, widget=TEXTAREA
    )
    photos = PhotosField(
        label=_("Photos"), help_text=_("Needed when the item is damaged, not as described or the wrong one.")
    )

    def __init__(self, *args: Any, lines: list[tuple[OrderLine, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.returnable: list[dict[str, Any]] = []
        # With several items each may come back for its own reason; one item has only the return's reason.
        per_line = sum(1 for _line, left in lines if left > 0) > 1
        for line, left in lines:
            name = f"qty_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=line.title, min_value=0, max_value=max(left, 0), initial=0, required=False
            )
            row = {"line": line, "left": left, "field": self[name], "reason": None}
            if per_line and left > 0:
                self.fields[f"reason_{line.pk}"] = forms.ChoiceField(
                    label=_("Why this item?"),
                    choices=[("", _("As for the whole return")), *ReturnReason.choices],
                    required=False,
                )
                row["reason"] = self[f"reason_{line.pk}"]
            self.returnable.append(row)

    def quantities(self) -> dict[int, int]:
        wanted = {int(row["line"].pk): self.cleaned_data.get(f"qty_{row['line'].pk}") or 0 for row in self.returnable}
        return {pk: qty for pk, qty in wanted.items() if qty}

    def line_reasons(self) -> dict[int, str]:
        """The reasons given item by item, for the items that come back (others take the return's reason)."""
        wanted = self.quantities()
        given = {pk: self.cleaned_data.get(f"reason_{pk}") or "" for pk in wanted}
        return {pk: why for pk, why in given.items() if why}


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Why do you refuse? The buyer reads this."), max_length=MAX_TEXT, widget=TEXTAREA)


def _carrier_choices() -> list[tuple[str, str]]:
    from marketdesk.shipping.models import Carrier

    return [(c.code, c.name) for c in Carrier.objects.order_by("name")]


class ShippedForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), required=False)
    tracking_number = forms.CharField(label=_("Tracking number (if any)"), max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        carrier = self.fields["carrier"]
        assert isinstance(carrier, forms.ChoiceField)  # noqa: S101 - declared above
        carrier.choices = [("", _("Another carrier, or I don't know")), *_carrier_choices()]


class ReplacementForm(forms.Form):
    """The seller's replacement parcel: its carrier and tracking number."""

    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        carrier = self.fields["carrier"]
        assert isinstance(carrier, forms.ChoiceField)  # noqa: S101 - declared above
        carrier.choices = _carrier_choices()


class ReceiveForm(forms.Form):
    code = forms.CharField(
        label=_("Scan the label's QR code or type the return code"),
        max_length=300,
        help_text=_("It looks like RA-7K3M9Q2X."),
    )


class InspectForm(forms.Form):
    """The inspection of each returned line: accepted quantity, condition, notes."""

    partial_reason = forms.CharField(
        label=_("If not everything is accepted: why (the buyer reads this)"),
        max_length=MAX_TEXT,
        required=False,
        widget=TEXTAREA,
    )

    def __init__(self, *args: Any, ret: Return, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for rl in ret.lines.all():
            self.fields[f"accepted_{rl.pk}"] = forms.IntegerField(
                label=_("Accepted"), min_value=0, max_value=rl.quantity, initial=rl.quantity
            )
            self.fields[f"condition_{rl.pk}"] = forms.ChoiceField(
                label=_("Condition"), choices=Condition.choices, initial=Condition.AS_NEW
            )
            self.fields[f"notes_{rl.pk}"] = forms.CharField(label=_("Notes"), max_length=MAX_TEXT, required=False)
            self.rows.append(
                {
                    "line": rl,
                    "accepted": self[f"accepted_{rl.pk}"],
                    "condition": self[f"condition_{rl.pk}"],
                    "notes": self[f"notes_{rl.pk}"],
                }
            )
        if ret.resolution == Resolution.EXCHANGE:
            self.fields["replacement_in_stock"] = forms.BooleanField(
                label=_("A replacement is in stock"), required=False, initial=True
            )
        self.order_fields(["partial_reason", "replacement_in_stock"])
