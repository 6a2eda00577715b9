"""Shapes of the conversations API: an order's messages as a reader gets them, and a message to post.

Bodies are plain text both ways: stored as written and returned as written,
never as HTML. A client that shows them in a web page escapes them there, as
marketdesk's own pages do. A system message is sent as its event and data (for
a program) and as ``text`` worded in the request's language (for a person).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, NonNegativeInt

from marketdesk.api.pagination import CursorPage
from marketdesk.core.actors import Role
from marketdesk.messaging.models import Message, MessageKind
from marketdesk.messaging.services import MAX_MESSAGE_LENGTH, MAX_TOKEN_LENGTH
from marketdesk.messaging.system import system_text

#: PostgreSQL cannot store a NUL character in text: refuse it as input instead of failing on save.
NO_NUL = r"^[^\x00]*$"

AuthorRole = Literal["buyer", "seller", "operator", "admin", "system"]


def _public_name(message: Message) -> str | None:
    """The author's name as the parties see it; never an email address (those stay private)."""
    if message.author is None:
        return None
    name = message.author.name
    return str(Role(message.author_role).label) if "@" in name else name


class MessageOut(Schema):
    """One message of an order's conversation: a person's text, or a system line about the order or its case."""

    id: int = Field(description="Increases with every message; pass the last one you have as `after` to poll.")
    kind: MessageKind
    author_role: AuthorRole = Field(
        description="Who wrote it. What the marketplace posts for its buyer is the buyer's (`buyer`)."
    )
    author_name: str | None = Field(description="The author's display name; null for a system message.")
    body: str | None = Field(
        description="The text as written (null for a system message). Plain text, not HTML: escape it to show it."
    )
    event: str | None = Field(description="What a system message is about, e.g. case.opened; null for text.")
    data: dict[str, Any] | None = Field(description="The system message's parameters, e.g. the case id; null for text.")
    text: str | None = Field(
        description="The system message worded in the request's language (Accept-Language); null for text."
    )
    created_at: AwareDatetime

    @staticmethod
    def resolve_author_name(obj: Message) -> str | None:
        return _public_name(obj)

    @staticmethod
    def resolve_body(obj: Message) -> str | None:
        return obj.body if obj.kind == MessageKind.TEXT else None

    @staticmethod
    def resolve_event(obj: Message) -> str | None:
        return obj.event if obj.kind == MessageKind.SYSTEM else None

    @staticmethod
    def resolve_data(obj: Message) -> dict[str, Any] | None:
        return obj.data if obj.kind == MessageKind.SYSTEM else None

    @staticmethod
    def resolve_text(obj: Message) -> str | None:
        return system_text(obj.event, obj.data) if obj.kind == MessageKind.SYSTEM else None


class MessagePageOut(CursorPage[MessageOut]):
    """A page of an order's conversation, oldest first, with who owes a reply and what the caller has not read."""

    order: str = Field(description="The marketplace's order number.")
    reply_owed_by: Literal["seller", "buyer"] | None = Field(
        description="Who owes the next reply; null when nobody does (or nothing was written yet)."
    )
    reply_owed_since: AwareDatetime | None = Field(description="Since when that reply is owed.")
    unread: NonNegativeInt | None = Field(
        description="How many messages of others the signed-in caller has not read; null for a marketplace key."
    )


class MessagePostIn(Schema):
    """A message to the order's conversation."""

    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, Field(max_length=MAX_MESSAGE_LENGTH, pattern=NO_NUL)] = Field(
        description=(
            "Plain text, not blank, at most 20,000 characters. Kept exactly as written: markup is not "
            "interpreted or removed, so escape the text wherever you show it."
        )
    )
    client_token: Annotated[str, Field(max_length=MAX_TOKEN_LENGTH, pattern=NO_NUL)] = Field(
        "",
        description="Your one-time id for this message: posting it again with the same token returns the first.",
    )


class ThreadReadOut(Schema):
    """How far the caller has now read the conversation."""

    read_up_to: int | None = Field(description="The id of the latest message read; null while there are none.")
    read_at: AwareDatetime | None
