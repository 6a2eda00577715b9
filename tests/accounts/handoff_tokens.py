"""Signing hand-off tokens as a marketplace's backend would, for the tests (PyJWT, and by hand for forgeries)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from marketdesk.accounts.models import SignInConfig
from marketdesk.accounts.services import sign_in_config_create
from marketdesk.core.actors import Actor

AUDIENCE = "http://127.0.0.1:8000"  # settings.MARKETDESK_BASE_URL's default, as the tests run
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()


def public_jwk(private_key: Any, kid: str) -> dict[str, Any]:
    """Return the public half of a key as a JWK, as the marketplace publishes it."""
    algorithm = (
        jwt.algorithms.RSAAlgorithm if isinstance(private_key, rsa.RSAPrivateKey) else jwt.algorithms.OKPAlgorithm
    )
    return {**json.loads(algorithm.to_jwk(private_key.public_key())), "kid": kid}


def public_pem(private_key: Any) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def configure(marketplace: Any, issuer: str) -> tuple[SignInConfig, str]:
    """Give a marketplace hand-off links with an HS256 secret and an RSA and an Ed25519 public key."""
    jwks = {"keys": [public_jwk(RSA_KEY, "rsa-1"), public_jwk(ED_KEY, "ed-1")]}
    return sign_in_config_create(actor=Actor.system(), marketplace=marketplace, issuer=issuer, jwks=jwks)


def claims(*, issuer: str, iat: int, lifetime: int = 120, **extra: Any) -> dict[str, Any]:
    """A buyer's claims by default; ``extra`` overrides or adds."""
    return {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": "B-100",
        "iat": iat,
        "exp": iat + lifetime,
        "jti": uuid.uuid4().hex,
        "name": "Ada Buyer",
        "email": "ada@example.test",
        "locale": "ru-RU",
        "role": "buyer",
        **extra,
    }


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forged(header: dict[str, Any], payload: dict[str, Any], hmac_key: bytes | None = None) -> str:
    """A token PyJWT would refuse to make: ``alg: none``, or HS256 keyed with a public key."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    if hmac_key is None:
        return f"{signing_input}."
    signature = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
