"""Settings of the demo storefront: the simulated marketplace's own site and OpenID provider (port 8001).

It is marketdesk's settings plus django-oauth-toolkit, on the same database — the simulated
marketplace's people and orders are the ones its feed sends to marketdesk — with its own session
and CSRF cookies (browsers share cookies between ports of one host) and its own URLs.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.csp import CSP

from marketdesk.settings import *  # noqa: F403
from marketdesk.settings import INSTALLED_APPS, MARKETDESK_BASE_URL, SECURE_CSP, VAR_DIR


def _signing_key() -> str:
    """The provider's RSA key for ID tokens, made once per demo installation and kept in var/."""
    path = VAR_DIR / "storefront-oidc-key.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    return path.read_text()


INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider", "marketdesk.simulator.storefront"]
ROOT_URLCONF = "marketdesk.simulator.storefront.urls"
SESSION_COOKIE_NAME = "storefront_sessionid"
CSRF_COOKIE_NAME = "storefront_csrftoken"
LANGUAGE_COOKIE_NAME = "storefront_language"
LOGIN_URL = "storefront_login"
LOGIN_REDIRECT_URL = "storefront_orders"
LOGOUT_REDIRECT_URL = "storefront_login"
#: Where the storefront runs (marketdesk's address, for its "Get help" buttons, is MARKETDESK_BASE_URL).
STOREFRONT_URL = os.environ.get("STOREFRONT_URL", "http://127.0.0.1:8001").rstrip("/")

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": f"{STOREFRONT_URL}/o",
    "OIDC_RSA_PRIVATE_KEY": _signing_key(),
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "marketdesk.simulator.storefront.oidc.StorefrontValidator",
    "SCOPES": {"openid": "Sign you in", "email": "Your email address", "profile": "Your name and language"},
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
}

# As an OpenID provider the storefront's sign-in form ends at marketdesk's callback: the form-action of the
# Content-Security-Policy it shares with marketdesk must let that redirect through.
SECURE_CSP = {**SECURE_CSP, "form-action": [CSP.SELF, MARKETDESK_BASE_URL.rstrip("/")]}
