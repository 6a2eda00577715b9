"""A small OpenID provider on loopback for the tests: discovery, JWKS, a token endpoint that checks PKCE.

The browser's visit to the authorization endpoint is played by ``authorize``: it reads the request
marketdesk made (state, nonce, PKCE challenge, redirect URI), issues a code for the claims a test
chooses and returns what the provider would redirect back with. Everything else goes over HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from marketdesk.accounts.models import SignInConfig
from marketdesk.accounts.services import sign_in_config_create, sign_in_config_set_oidc
from marketdesk.core.actors import Actor

CLIENT_SECRET = "s3cret-of-the-client"
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Provider:
    issuer: str = ""
    client_id: str = "marketdesk"
    end_session: bool = True
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def authorize(self, authorization_url: str, *, sub: str = "B-100", **overrides: Any) -> dict[str, str]:
        """Sign ``sub`` in at the provider; return the callback's query (code and state).

        ``overrides`` add or tamper with claims; an override of None leaves the claim out.
        """
        query = {key: values[0] for key, values in parse_qs(urlsplit(authorization_url).query).items()}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"],
            "name": "Ada Buyer",
            "email": "ada@example.test",
            "locale": "ru-RU",
            **overrides,
        }
        claims = {name: value for name, value in claims.items() if value is not None}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"claims": claims, "query": query}
        return {"code": code, "state": query["state"]}

    def metadata(self) -> dict[str, Any]:
        found = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }
        if self.end_session:
            found["end_session_endpoint"] = f"{self.issuer}/logout"
        return found

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
        return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        """The token endpoint: the code once, the right client, the verifier matching the challenge."""
        self.token_requests.append(form)
        issued = self.codes.pop(form.get("code", ""), None)
        expected_auth = "Basic " + base64.b64encode(f"{self.client_id}:{CLIENT_SECRET}".encode()).decode()
        if issued is None or authorization != expected_auth:
            return 400, {"error": "invalid_grant"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if challenge != issued["query"].get("code_challenge") or form.get("redirect_uri") != issued["query"].get(
            "redirect_uri"
        ):
            return 400, {"error": "invalid_grant"}
        id_token = jwt.encode(issued["claims"], SIGNING_KEY, algorithm="RS256", headers={"kid": "k1"})
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": id_token}


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            pages = {"/.well-known/openid-configuration": provider.metadata, "/jwks": provider.jwks}
            page = pages.get(self.path)
            self._answer(200, page()) if page else self._answer(404, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            self._answer(*provider.token(form, self.headers.get("Authorization", "")))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_provider(**options: Any) -> Iterator[Provider]:
    """Serve a provider on 127.0.0.1 at a free port for the duration of the block."""
    provider = Provider(**options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


def configure_oidc(marketplace: Any, provider: Provider, **claims: str) -> SignInConfig:
    """Register marketdesk at the provider for one marketplace, as an administrator would in the admin."""
    config, _secret = sign_in_config_create(actor=Actor.system(), marketplace=marketplace, issuer=provider.issuer)
    values = {"oidc_client_id": provider.client_id, "oidc_client_secret": CLIENT_SECRET, **claims}
    return sign_in_config_set_oidc(actor=Actor.system(), config_id=config.pk, values=values)
