"""Return labels: a QR code (segno) holding the return authorization, and the code in print.

One drawing (Pillow, 1-bit at 203 dpi, the resolution of common thermal label
printers, 4 × 6 in) is saved as PNG and wrapped in a one-page PDF, so both
formats always show the same thing. The QR code holds ``MDRA:<code>``; a
scanner at the seller's or a warehouse system reads it, a person types the
printed code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

import segno
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict
from marketdesk.returns.models import Return, ShippingPayer
from marketdesk.returns.selectors import return_get_for_actor
from marketdesk.returns.states import LABEL_STATUSES

DPI = 203
WIDTH, HEIGHT = 4 * DPI, 6 * DPI
MARGIN = 40
QR_SCALE = 12

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int, *, bold: bool = False) -> FontType:
    # DejaVu covers Cyrillic (shop and item names); Pillow's own font is the fallback.
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Label:
    """A drawn label, ready to be saved as PNG or PDF."""

    image: Image.Image

    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="PNG", dpi=(DPI, DPI))
        return out.getvalue()

    def pdf(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="PDF", resolution=DPI, title=_("Return label"))
        return out.getvalue()


def _qr(data: str) -> Image.Image:
    code = segno.make(data, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=QR_SCALE, border=4)
    out.seek(0)
    return Image.open(out).convert("1")


def _fit(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label_draw(ret: Return) -> Label:
    """Draw the label of an approved return (the caller checks that it may have one)."""
    image = Image.new("1", (WIDTH, HEIGHT), 1)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    draw.text((MARGIN, y), _("RETURN"), font=_font(56, bold=True), fill=0)
    y += 80
    draw.text((MARGIN, y), _fit(_("To: %(shop)s") % {"shop": ret.shop.name}), font=_font(30), fill=0)
    y += 44
    draw.text((MARGIN, y), _fit(_("Order %(order)s") % {"order": ret.order.external_id}), font=_font(30), fill=0)
    y += 60
    qr = _qr(ret.authorization)
    image.paste(qr, ((WIDTH - qr.width) // 2, y))
    y += qr.height + 10
    code_font = _font(64, bold=True)
    width = draw.textlength(ret.code, font=code_font)
    draw.text(((WIDTH - width) / 2, y), ret.code, font=code_font, fill=0)
    y += 100
    payer = (
        _("Return postage: paid by the seller")
        if ret.shipping_paid_by == ShippingPayer.SELLER
        else _("Return postage: paid by the buyer")
    )
    draw.text((MARGIN, y), payer, font=_font(28), fill=0)
    y += 44
    if ret.ship_by is not None:
        draw.text(
            (MARGIN, y),
            _("Ship by %(date)s") % {"date": ret.ship_by.date().isoformat()},
            font=_font(28),
            fill=0,
        )
        y += 44
    for rl in list(ret.lines.all())[:6]:
        draw.text((MARGIN, y), _fit(f"{rl.quantity} × {rl.order_line.title}", 44), font=_font(24), fill=0)
        y += 34
    draw.rectangle((8, 8, WIDTH - 9, HEIGHT - 9), outline=0, width=4)
    return Label(image)


class NoLabel(Conflict):
    code = "no_label"


def return_label_for_actor(actor: Actor, *, pk: int) -> Label:
    """Return the label of a return the actor may see, only while the parcel is to be sent or on its way."""
    ret = return_get_for_actor(actor, pk=pk)
    if ret.status not in LABEL_STATUSES:
        raise NoLabel(
            _("Return %(code)s has no label: it is %(status)s.")
            % {"code": ret.code, "status": ret.get_status_display().lower()}
        )
    return label_draw(
        Return.objects.select_related("order", "shop").prefetch_related("lines__order_line").get(pk=ret.pk)
    )
