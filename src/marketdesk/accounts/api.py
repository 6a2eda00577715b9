"""REST endpoints of accounts: sign-in links minted for the marketplace, and provisioning its people.

Only the marketplace's key is accepted. Every id in the path is the
marketplace's own and is read within the key's marketplace, so a key cannot
name another marketplace's shop or person: they answer 404.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from ninja import Path, Router
from ninja.responses import Status

from marketdesk.accounts.handoff import audience, sign_in_link_mint
from marketdesk.accounts.models import MembershipRole, ShopMembership, User
from marketdesk.accounts.schemas import PersonOut, ShopMemberIn, ShopMemberOut, SignInLinkIn, SignInLinkOut
from marketdesk.accounts.services import shop_member_remove, shop_member_upsert, user_set_active
from marketdesk.api.auth import api_key_auth, request_actor
from marketdesk.api.errors import ProblemOut
from marketdesk.api.idempotency import idempotent

router = Router(tags=["people"])

ExternalId = Annotated[str, Path(min_length=1, max_length=100, description="The marketplace's own id.")]
WRITE_ERRORS: dict[int, Any] = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


def _person(user: User) -> dict[str, Any]:
    return {
        "external_id": user.external_id,
        "name": user.display_name,
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
    }


def _member(membership: ShopMembership) -> dict[str, Any]:
    user = membership.user
    return {
        "shop_external_id": membership.shop.external_id,
        "user_external_id": user.external_id,
        "name": user.display_name,
        "email": user.email,
        "language": user.language,
        "role": membership.role,
    }


@router.post(
    "/sign-in-links",
    response={201: SignInLinkOut, **WRITE_ERRORS},
    auth=api_key_auth,
    summary="Mint a sign-in link",
)
@idempotent
def sign_in_link_create(request: HttpRequest, payload: SignInLinkIn) -> Status[dict[str, Any]]:
    """Sign a one-time, five-minute link that signs one of the marketplace's people in and lands them. Accepts Idempotency-Key."""
    token, expires_at = sign_in_link_mint(actor=request_actor(request), person=payload)
    url = f"{audience()}{reverse('web:sso_handoff')}?{urlencode({'token': token})}"
    return Status(201, {"url": url, "expires_at": expires_at})


@router.put(
    "/shops/{shop_external_id}/members/{user_external_id}",
    response={200: ShopMemberOut, 201: ShopMemberOut, **WRITE_ERRORS},
    auth=api_key_auth,
    summary="Add or update a shop member",
)
@idempotent
def shop_member_put(
    request: HttpRequest, shop_external_id: ExternalId, user_external_id: ExternalId, payload: ShopMemberIn
) -> Status[dict[str, Any]]:
    """Create or update a seller and their role in the shop (owner or staff); repeating it changes nothing. Accepts Idempotency-Key."""
    membership, created = shop_member_upsert(
        actor=request_actor(request),
        shop_external_id=shop_external_id,
        user_external_id=user_external_id,
        role=MembershipRole(payload.role),
        name=payload.name,
        email=payload.email,
        language=payload.language,
    )
    return Status(201 if created else 200, _member(membership))


@router.delete(
    "/shops/{shop_external_id}/members/{user_external_id}",
    response={204: None, **WRITE_ERRORS},
    auth=api_key_auth,
    summary="Remove a shop member",
)
@idempotent
def shop_member_delete(
    request: HttpRequest, shop_external_id: ExternalId, user_external_id: ExternalId
) -> Status[None]:
    """Take a seller out of the shop; they keep their account but no longer see the shop's orders. Accepts Idempotency-Key."""
    shop_member_remove(
        actor=request_actor(request), shop_external_id=shop_external_id, user_external_id=user_external_id
    )
    return Status(204, None)


@router.post(
    "/users/{external_id}/deactivate",
    response={200: PersonOut, **WRITE_ERRORS},
    auth=api_key_auth,
    summary="Deactivate a person",
)
@idempotent
def user_deactivate(request: HttpRequest, external_id: ExternalId) -> dict[str, Any]:
    """Stop a person from signing in and end all their sessions at once; repeating it changes nothing. Accepts Idempotency-Key."""
    return _person(user_set_active(actor=request_actor(request), external_id=external_id, active=False))


@router.post(
    "/users/{external_id}/reactivate",
    response={200: PersonOut, **WRITE_ERRORS},
    auth=api_key_auth,
    summary="Reactivate a person",
)
@idempotent
def user_reactivate(request: HttpRequest, external_id: ExternalId) -> dict[str, Any]:
    """Let a deactivated person sign in again (through the marketplace). Accepts Idempotency-Key."""
    return _person(user_set_active(actor=request_actor(request), external_id=external_id, active=True))
