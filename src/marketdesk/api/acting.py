"""Who the marketplace's key acts for in headless mode: its buyer, a shop member, or the shop itself.

A marketplace that keeps its own screens calls the party actions of the API with
its key and names, in the body, the person who pressed the button there: the
buyer or the seller by the external id it gave them (``"buyer": "u42"``,
``"seller": "m7"``), or the shop itself by its external id (``"shop": "s7"``)
when no member is known. As with the order upsert, ids are the marketplace's own
and are looked up within the key's marketplace only, so a key can never act for
another marketplace's people.

The object acted on is then loaded twice: first as the marketplace sees it
(another marketplace's case or return is a 404, whatever the body names), then
as the named party sees it (another buyer's or shop's is a 404 too). Only then
does the service run, with an actor that carries the person and the key.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field

from marketdesk.accounts.models import User
from marketdesk.api.auth import request_actor
from marketdesk.api.idempotency import idempotent
from marketdesk.api.params import PathId
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainValidationError, PermissionDenied
from marketdesk.orders.models import Shop

ExternalId = Annotated[str, Field(min_length=1, max_length=100)]

_BUYER = Field(description="The external id of the buyer the marketplace acts for (as in the order upsert).")
_SELLER = Field(
    None, description="The external id of the shop member the marketplace acts for; or name the `shop` instead."
)
_SHOP = Field(None, description="The external id of the shop, acting as itself when no member is named.")


class AsBuyerIn(Schema):
    """The buyer the marketplace acts for."""

    model_config = ConfigDict(extra="forbid")

    buyer: ExternalId = _BUYER


class AsSellerIn(Schema):
    """The seller the marketplace acts for: one member of the shop (`seller`) or the shop itself (`shop`)."""

    model_config = ConfigDict(extra="forbid")

    seller: ExternalId | None = _SELLER
    shop: ExternalId | None = _SHOP


class AsPersonIn(Schema):
    """The person the marketplace acts for: the buyer or a member of the shop (exactly one)."""

    model_config = ConfigDict(extra="forbid")

    buyer: ExternalId | None = Field(None, description="The external id of the buyer the marketplace acts for.")
    seller: ExternalId | None = Field(None, description="The external id of the shop member the marketplace acts for.")


class AsPartyIn(AsPersonIn):
    """The party the marketplace acts for: the buyer, a member of the shop, or the shop itself (exactly one)."""

    shop: ExternalId | None = _SHOP


@dataclass(frozen=True)
class _Key:
    marketplace_id: int
    api_key_id: int | None


def _key(request: HttpRequest) -> _Key:
    actor = request_actor(request)
    if actor.role != Role.MARKETPLACE or actor.marketplace_id is None:
        raise PermissionDenied(_("Only the marketplace's API key acts for its buyers and sellers here."))
    return _Key(marketplace_id=actor.marketplace_id, api_key_id=actor.api_key_id)


def _person(key: _Key, *, role: str, external_id: str, field: str) -> Actor:
    user = User.objects.filter(
        marketplace_id=key.marketplace_id, external_id=external_id, role=role, is_active=True
    ).first()
    if user is None:
        message = (
            _("No buyer of your marketplace has this id.")
            if role == Role.BUYER
            else _("No seller of your marketplace has this id.")
        )
        raise DomainValidationError(message, field=field)
    return Actor(role=role, user=user, marketplace_id=key.marketplace_id, api_key_id=key.api_key_id)


def _shop(key: _Key, external_id: str) -> Actor:
    found = (
        Shop.objects.filter(marketplace_id=key.marketplace_id, external_id=external_id)
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise DomainValidationError(_("No shop of your marketplace has this id."), field="shop")
    return Actor(role=Role.SELLER, marketplace_id=key.marketplace_id, api_key_id=key.api_key_id, shop_id=found)


def acting_actor(request: HttpRequest, named: Schema) -> Actor:
    """Return the actor the key acts for, from the body's ``buyer``, ``seller`` or ``shop`` (exactly one)."""
    key = _key(request)
    given = {name: getattr(named, name, None) for name in ("buyer", "seller", "shop")}
    present = [name for name, value in given.items() if value is not None]
    if len(present) != 1:
        allowed = [name for name in ("buyer", "seller", "shop") if name in type(named).model_fields]
        field = present[1] if len(present) > 1 else allowed[0]
        raise DomainValidationError(_("Name exactly one of: %(fields)s.") % {"fields": ", ".join(allowed)}, field=field)
    name = present[0]
    if name == "shop":
        return _shop(key, str(given["shop"]))
    role = Role.BUYER if name == "buyer" else Role.SELLER
    return _person(key, role=role, external_id=str(given[name]), field=name)


@dataclass(frozen=True)
class PartyAction:
    """One party action of a page, offered to the marketplace's key: its address, body and what it runs.

    ``act`` runs the page's service as the named party on the object that party sees (its own
    answer is not used: the object is read again, as that party sees it, for the response).
    """

    name: str
    path: str
    body: type[Schema]
    act: Callable[[Actor, Any, Any], object]
    summary: str
    description: str
    status: int = 200


@dataclass(frozen=True)
class PartyObject:
    """What the actions of one router act on: its id in the path, how a party loads it, how it is answered."""

    id_name: str
    load: Callable[[Actor, int], Any]
    answer: Callable[[Actor, Any], Any]
    note: str


def _party_view(action: PartyAction, target: PartyObject) -> Callable[..., Any]:
    def view(request: HttpRequest, **params: Any) -> Status[Any]:
        payload, object_id = params["payload"], params[target.id_name]
        target.load(request_actor(request), object_id)  # another marketplace's object: 404 whatever is named
        actor = acting_actor(request, payload)
        found = target.load(actor, object_id)  # another buyer's or shop's: 404
        action.act(actor, found, payload)
        return Status(action.status, target.answer(actor, found))

    # ninja reads the parameters from the signature: the path's id and this action's body.
    view.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest),
            inspect.Parameter(target.id_name, inspect.Parameter.KEYWORD_ONLY, annotation=PathId),
            inspect.Parameter("payload", inspect.Parameter.KEYWORD_ONLY, annotation=action.body),
        ]
    )
    view.__name__ = view.__qualname__ = action.name
    return view


def party_actions_register(
    router: Router,
    target: PartyObject,
    actions: Sequence[PartyAction],
    *,
    responses: dict[int, Any],
    auth: Sequence[Any],
    module: str,
) -> None:
    """Add each action to ``router`` as an idempotent POST for the marketplace's key, documented with ``note``."""
    for action in actions:
        router.post(
            action.path,
            response={action.status: responses[200], **{k: v for k, v in responses.items() if k != 200}},
            auth=list(auth),
            summary=action.summary,
            description=action.description + target.note,
            operation_id=f"{module.replace('.', '_')}_{action.name}",
        )(idempotent(_party_view(action, target)))
