"""Forms of the administrator's pages: they parse input; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar, cast
from zoneinfo import available_timezones

from annotated_types import Ge, Le
from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.core.models import BusinessCalendar
from marketdesk.core.policies import PolicyValues
from marketdesk.shipping.states import ExceptionReason, TrackingStatus
from marketdesk.web.manage.rules import RULE_LABELS, unit_of

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

WEEKDAYS = (
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
)


class PolicyVersionForm(forms.Form):
    """One whole-number field per rule, starting from the newest values."""

    effective_on = forms.DateField(
        label=_("In force from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input"}),
        help_text=_("Empty: at once. Cases already open keep the deadlines they were given."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        help_text=_("Why the rules change (kept with the version)."),
        widget=forms.TextInput(attrs={"class": "input"}),
    )

    def __init__(self, *args: Any, current: PolicyValues, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, info in PolicyValues.model_fields.items():
            if info.annotation is not int:
                # A table (per reason, per currency, per category and condition): edited as JSON, checked on publishing.
                self.fields[name] = forms.JSONField(
                    label=cast("StrPromise", RULE_LABELS[name]),
                    initial=getattr(current, name),
                    help_text=cast("StrPromise", unit_of(name) or ""),
                    widget=forms.Textarea(attrs={"rows": 3, "class": "input"}),
                    required=False,  # an empty table ({}) is a table: no fee, no band
                )
                continue
            lowest = next((int(str(item.ge)) for item in info.metadata if isinstance(item, Ge)), None)
            highest = next((int(str(item.le)) for item in info.metadata if isinstance(item, Le)), None)
            self.fields[name] = forms.IntegerField(
                label=cast("StrPromise", RULE_LABELS[name]),
                initial=getattr(current, name),
                help_text=cast("StrPromise", unit_of(name) or ""),
                min_value=lowest,
                max_value=highest,
            )

    def changes(self) -> dict[str, Any]:
        """Return every rule's value as entered."""
        values = {name: self.cleaned_data[name] for name in PolicyValues.model_fields}
        return {name: {} if value is None else value for name, value in values.items()}


class BusinessCalendarForm(forms.ModelForm):
    """Hours, weekend and closed days of one country's calendar."""

    weekend_days = forms.TypedMultipleChoiceField(
        label=_("Weekend"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    extra_closed_days = forms.CharField(
        label=_("Extra closed days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date a line (YYYY-MM-DD), closed besides public holidays."),
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=())

    class Meta:
        model = BusinessCalendar
        fields = ["code", "name", "country", "subdivision", "timezone", "opens_at", "closes_at"]
        labels = {
            "code": _("Code"),
            "name": _("Name"),
            "country": _("Country"),
            "subdivision": _("Region"),
            "opens_at": _("Opens at"),
            "closes_at": _("Closes at"),
        }
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["timezone"]).choices = [(z, z) for z in sorted(available_timezones())]
        for name, field in self.fields.items():
            if name != "weekend_days":
                field.widget.attrs.setdefault("class", "input")
        self.fields["country"].help_text = _("ISO 3166 country code for public holidays.")
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial["weekend_days"] = list(self.instance.weekend_days)
            self.initial["extra_closed_days"] = "\n".join(self.instance.extra_closed_days)

    def clean_extra_closed_days(self) -> list[str]:
        days = []
        for line in self.cleaned_data["extra_closed_days"].split():
            try:
                days.append(dt.date.fromisoformat(line).isoformat())
            except ValueError as exc:
                raise forms.ValidationError(
                    _("“%(line)s” is not a date like 2026-12-31."), params={"line": line}
                ) from exc
        return sorted(set(days))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and opens >= closes:
            # Said on the field here: the database constraint would only say it above the form.
            self.add_error("closes_at", _("The business must open before it closes."))
        return cleaned

    def values(self) -> dict[str, Any]:
        """Return the calendar's fields as entered, ready for the service."""
        return {name: self.cleaned_data[name] for name in [*self.Meta.fields, "weekend_days", "extra_closed_days"]}


class WebhookEndpointForm(forms.Form):
    """A new endpoint: its address and the events it wants."""

    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("https:// address that receives events."),
        widget=forms.TextInput(attrs={"class": "input"}),
    )
    event_types = forms.CharField(
        label=_("Event types"),
        required=False,
        widget=forms.TextInput(attrs={"class": "input"}),
        help_text=_("Separated by spaces or commas, such as case.decided; empty means every event."),
    )

    def event_type_list(self) -> list[str]:
        """Return the event types as a list."""
        return [t for t in self.cleaned_data["event_types"].replace(",", " ").split() if t]


class ApiKeyForm(forms.Form):
    """A new API key: a name that says who uses it."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who uses the key, such as “Order import”."),
        widget=forms.TextInput(attrs={"class": "input"}),
    )


class OperatorInviteForm(forms.Form):
    """A new operator: the name they sign in with, their e-mail and how they are shown."""

    username = forms.CharField(label=_("User name"), max_length=150, widget=forms.TextInput(attrs={"class": "input"}))
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"class": "input"}))
    display_name = forms.CharField(
        label=_("Shown as"), max_length=150, required=False, widget=forms.TextInput(attrs={"class": "input"})
    )


class CarrierMappingForm(forms.Form):
    """A carrier's raw status and the stage (and, for an exception, the reason) it means."""

    REASONS: ClassVar[list[tuple[str, Any]]] = [("", _("— only for a problem with delivery"))] + [
        (value, label) for value, label in ExceptionReason.choices if value
    ]

    raw_status = forms.CharField(
        label=_("Carrier's status"),
        max_length=80,
        widget=forms.TextInput(attrs={"class": "input", "autocomplete": "off"}),
        help_text=_("Exactly as the carrier sends it, e.g. DEPOT_SCAN."),
    )
    status = forms.ChoiceField(
        label=_("Our stage"), choices=TrackingStatus.choices, widget=forms.Select(attrs={"class": "input"})
    )
    exception_reason = forms.ChoiceField(
        label=_("Problem"),
        choices=REASONS,
        required=False,
        widget=forms.Select(attrs={"class": "input"}),
    )
