"""The administrator's home: the way into the management pages (and Django admin for what has none yet)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from marketdesk.core.actors import Role
from marketdesk.web.permissions import role_required


@dataclass(frozen=True, slots=True)
class AdminSection:
    title: Promise
    description: Promise
    url_name: str

    @property
    def url(self) -> str | None:
        # A model not (yet) registered in Django admin shows as unavailable, not as a broken link.
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


SECTIONS = (
    AdminSection(
        _("Policy versions"),
        _("Windows, deadlines and seller standards; publish a new version to change a rule."),
        "manage:policy_list",
    ),
    AdminSection(
        _("Business calendars"),
        _("Working hours, weekends and public holidays used for deadlines."),
        "manage:calendar_list",
    ),
    AdminSection(
        _("Webhook endpoints"),
        _("Addresses that receive signed events; rotate a secret, pause, send a delivery again."),
        "manage:webhook_list",
    ),
    AdminSection(
        _("API keys"),
        _("Keys the marketplace uses to push orders and read decisions."),
        "manage:api_key_list",
    ),
    AdminSection(
        _("Carriers"),
        _("Each carrier's statuses and the stage each means; map a status no one has mapped yet in one click."),
        "manage:carrier_list",
    ),
    AdminSection(
        _("Operators and administrators"),
        _("Invite an operator; deactivate someone, which ends their sessions at once."),
        "manage:staff_list",
    ),
    AdminSection(_("Users"), _("Buyers, sellers, operators and administrators."), "admin:accounts_user_changelist"),
)


@require_GET
@role_required(Role.ADMIN)
def admin_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/manage_home.html", {"sections": SECTIONS})
