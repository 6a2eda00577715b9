"""``marketdesk create_api_key --marketplace SLUG --name NAME``: make a key and print its secret once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from marketdesk.accounts.services import api_key_create
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainError
from marketdesk.orders.models import Marketplace


class Command(BaseCommand):
    help = "Create an API key for a marketplace and print its secret (shown this once, stored only as a hash)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--marketplace", required=True, help="The marketplace's slug.")
        parser.add_argument("--name", required=True, help="What the key is for, e.g. 'order feed'.")

    def handle(self, *args: Any, **options: Any) -> None:
        marketplace = Marketplace.objects.filter(slug=options["marketplace"]).first()
        if marketplace is None:
            raise CommandError(_("No marketplace has the slug %(slug)s.") % {"slug": options["marketplace"]})
        try:
            key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name=options["name"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stderr.write(
            _("Created key %(name)s (%(prefix)s…) for %(marketplace)s. Its secret is shown this once:")
            % {"name": key.name, "prefix": key.prefix, "marketplace": marketplace.name}
        )
        # The secret alone on stdout, so `SECRET=$(marketdesk create_api_key ...)` captures just it.
        self.stdout.write(raw)
