"""Admin of cases: administrators edit the rationale templates; cases themselves change only through services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketdesk.cases.models import RationaleTemplate
from marketdesk.cases.rationale import PLACEHOLDERS, template_fields
from marketdesk.core import clock


def _braced(names: Iterable[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in names)


class RationaleTemplateForm(forms.ModelForm):
    class Meta:
        model = RationaleTemplate
        fields = ("outcome", "language", "body")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Placeholders: %(names)s.") % {"names": _braced(PLACEHOLDERS)}

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        try:
            unknown = sorted(template_fields(body) - set(PLACEHOLDERS))
        except ValueError as exc:
            raise forms.ValidationError(_("A brace is not closed: write {placeholder} or {{ for a brace.")) from exc
        if unknown:
            raise forms.ValidationError(_("Unknown placeholder: %(names)s.") % {"names": _braced(unknown)})
        return body


@admin.register(RationaleTemplate)
class RationaleTemplateAdmin(admin.ModelAdmin):
    form = RationaleTemplateForm
    list_display = ("outcome", "language", "updated_at")
    list_filter = ("outcome", "language")

    def save_model(self, request: HttpRequest, obj: RationaleTemplate, form: Any, change: bool) -> None:
        obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)
