"""API schemas of accounts: minting sign-in links and provisioning the marketplace's people."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from marketdesk.accounts.handoff import HandoffPerson


class SignInLinkIn(HandoffPerson):
    """Who signs in, as whom and where they land — the same fields as a hand-off token's claims."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "B-100",
                    "email": "ada@example.test",
                    "name": "Ada Buyer",
                    "locale": "ru-RU",
                    "role": "buyer",
                    "order": "O-1001",
                    "page": "help",
                },
                {
                    "external_id": "U-7",
                    "name": "Sam Seller",
                    "role": "seller",
                    "shop": {"id": "S-100", "role": "owner"},
                    "dest": "/seller/orders/",
                },
            ]
        },
    )


class SignInLinkOut(Schema):
    url: str = Field(description="Send the person's browser here within five minutes; it signs in once.")
    expires_at: dt.datetime


class ShopMemberIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Sam Seller", "email": "sam@example.test", "language": "en", "role": "staff"}]
        },
    )

    name: Annotated[str, Field(max_length=150)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    language: Literal["en", "ru", ""] = ""
    role: Literal["owner", "staff"] = "staff"


class ShopMemberOut(Schema):
    shop_external_id: str
    user_external_id: str
    name: str
    email: str
    language: str
    role: str


class PersonOut(Schema):
    external_id: str
    name: str
    email: str
    role: str
    is_active: bool
