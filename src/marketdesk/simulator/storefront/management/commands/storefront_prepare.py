"""``storefront_prepare``: register marketdesk as a client of the demo storefront's OpenID provider.

Run with the storefront's settings by ``marketdesk demo``: migrates django-oauth-toolkit's tables,
registers marketdesk (confidential client, code flow with PKCE, its callback and sign-in page as the
only redirect URIs) and configures the demo marketplace's sign-in in marketdesk to match — what a
real marketplace's administrator does once, by hand, on both sides.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from marketdesk.accounts.models import SignInConfig
from marketdesk.accounts.services import sign_in_config_create, sign_in_config_set_oidc
from marketdesk.core.actors import Actor
from marketdesk.orders.models import Marketplace
from marketdesk.simulator.services.loading import DEFAULT_SLUG

CLIENT_ID = "marketdesk-demo"


class Command(BaseCommand):
    help = "Register marketdesk at the demo storefront's OpenID provider and configure its sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--marketdesk-url", default=settings.MARKETDESK_BASE_URL)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo storefront never runs on a production instance.")
        call_command("migrate", "oauth2_provider", interactive=False, verbosity=0)
        marketdesk = options["marketdesk_url"].rstrip("/")
        issuer = oauth2_settings.OIDC_ISS_ENDPOINT
        marketplace = Marketplace.objects.get(slug=DEFAULT_SLUG)
        secret = secrets.token_urlsafe(32)
        system = Actor.system()
        with transaction.atomic():
            application_model = get_application_model()
            application = application_model.objects.filter(client_id=CLIENT_ID).first() or application_model(
                client_id=CLIENT_ID
            )
            application.name = "marketdesk"
            application.client_type = application_model.CLIENT_CONFIDENTIAL
            application.authorization_grant_type = application_model.GRANT_AUTHORIZATION_CODE
            application.algorithm = application_model.RS256_ALGORITHM
            application.client_secret = secret  # hashed on save; marketdesk keeps the plain one
            application.redirect_uris = f"{marketdesk}/sso/oidc/{DEFAULT_SLUG}/callback"
            application.post_logout_redirect_uris = f"{marketdesk}/sign-in/"
            application.skip_authorization = True  # the marketplace's own help desk: no consent screen
            application.save()
            config = SignInConfig.objects.filter(marketplace=marketplace).first()
            if config is not None and config.issuer != issuer:
                config.delete()  # the demo moved to another address; its configuration follows
                config = None
            if config is None:
                config, _secret = sign_in_config_create(actor=system, marketplace=marketplace, issuer=issuer)
            sign_in_config_set_oidc(
                actor=system,
                config_id=config.pk,
                values={"oidc_client_id": CLIENT_ID, "oidc_client_secret": secret, "claim_shops": "shops"},
            )
        self.stdout.write(f"marketdesk is registered at {issuer} as {CLIENT_ID}.")
