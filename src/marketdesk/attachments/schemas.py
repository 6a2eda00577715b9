"""Shapes of the attachments API."""

from __future__ import annotations

from ninja import Schema


class AttachmentOut(Schema):
    """An uploaded file as stored. Links are signed, work for a few minutes, and only for readers of the file."""

    id: int
    name: str
    kind: str
    mime: str
    size: int
    width: int | None
    height: int | None
    status: str
    url: str
    thumbnail_url: str | None
    poster_url: str | None
