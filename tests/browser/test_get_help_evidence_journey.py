"""Get help with photos and video, end to end in real Chromium, in English and in Russian.

The buyer goes orders → the order → Get help, picks an item problem on one of two lines, describes
it, attaches a JPEG that carries GPS EXIF and a short MP4 in the same form (progress shown while
they upload) and opens a case. The seller sees both files in the case, downloads the photo (no EXIF,
no GPS) and offers a partial refund; the buyer declines and escalates; the operator sees both files
in the workspace and decides.

Screenshots of each step go to the folder named by MARKETDESK_SCREENSHOTS (docs/img/ holds them).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, Route, expect

from marketdesk.attachments.models import Attachment
from marketdesk.cases.models import Case, Decision
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.states import CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.orders.models import OrderLine
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday

# What each person reads and presses, as written for people in each language (not read from the code).
WORDS = {
    "en-GB": {
        "get_help": "Get help",
        "describe": "Describe what happened",
        "damaged": "It arrived damaged",
        "next": "Next step",
        "open": "Open a case",
        "send_to_seller": "Send to the seller",
        "partial": "Partial refund",
        "amount": "Amount, GBP",
        "message": "Message to the buyer",
        "send": "Send",
        "decline": "Decline",
        "escalate": "Escalate to the platform",
        "review": "Start the review",
        "reason_code": "Reason code",
        "record": "Record the decision",
        "text": "The scarf arrived torn along one edge, see the photo and the video.",
        "offer_note": "Sorry! I can refund half of the price.",
    },
    "ru-RU": {
        "get_help": "Нужна помощь",
        "describe": "Опишите, что случилось",
        "damaged": "Товар пришёл повреждённым",
        "next": "Следующий шаг",
        "open": "Открыть спор",
        "send_to_seller": "Отправить продавцу",
        "partial": "Частичный возврат денег",
        "amount": "Сумма, GBP",
        "message": "Сообщение покупателю",
        "send": "Отправить",
        "decline": "Отклонить",
        "escalate": "Передать спор платформе",
        "review": "Начать рассмотрение",
        "reason_code": "Код причины",
        "record": "Записать решение",
        "text": "Шарф пришёл порванным по краю, смотрите фото и видео.",
        "offer_note": "Извините! Могу вернуть половину цены.",
    },
}


@pytest.fixture
def at_now() -> Iterator[clock.FrozenClock]:
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def world(transactional_db, settings, tmp_path, at_now, browser_locale):
    """A two-item order delivered yesterday; the buyer wrote to the seller three days ago and heard nothing."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Previews (thumbnail, video poster) are made at once, as the worker would make them moments later.
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }
    marketplace = factories.MarketplaceFactory(slug="market-default")
    shop = factories.ShopFactory(marketplace=marketplace, name="Hazel Gallery")
    language = browser_locale[:2]  # each person reads the product in the journey's language
    buyer = factories.BuyerFactory(marketplace=marketplace, username="anna", display_name="Anna", language=language)
    factories.MembershipFactory(shop=shop, user__username="sam", user__display_name="Sam", user__language=language)
    factories.OperatorFactory(marketplace=marketplace, username="ivan", display_name="Ivan", language=language)
    order = factories.OrderFactory(
        buyer=buyer,
        shop=shop,
        marketplace=marketplace,
        external_id="O-77",
        currency="GBP",
        status=OrderStatus.DELIVERED,
        estimated_delivery_at=NOW - dt.timedelta(days=2),
        delivered_at=NOW - dt.timedelta(days=1),
    )
    OrderLine.objects.create(
        order=order, external_id="L2", title="Linen tea towel", quantity=1, unit_price_minor=900, total_minor=900
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    with clock.frozen(NOW - dt.timedelta(days=3)):
        seller_contact_record(actor=Actor.for_user(buyer), order=order)
    return order


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    """A phone photo with GPS in its EXIF (made with Pillow) and one second of ffmpeg's test picture as MP4."""
    photo = tmp_path / "IMG_0042.jpg"
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (320, 240), (180, 60, 60)).save(photo, "JPEG", exif=exif.tobytes())
    assert Image.open(photo).getexif().get_ifd(0x8825)  # the test's own photo does carry GPS
    clip = tmp_path / "unboxing.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10"),
            *("-t", "1", "-pix_fmt", "yuv420p", str(clip)),
        ],
        check=True,
    )
    return photo, clip


def snap(page: Page, language: str, name: str, *, show: str = "") -> None:
    """Keep a small screenshot of the step when MARKETDESK_SCREENSHOTS names a folder (for docs/img).

    ``show`` names what the screenshot is about, scrolled into view first.
    """
    folder = os.environ.get("MARKETDESK_SCREENSHOTS")
    if not folder:
        return
    if show:
        page.locator(show).first.scroll_into_view_if_needed()
    path = Path(folder) / f"get-help-{language[:2]}-{name}.png"
    page.screenshot(path=str(path))
    # 256 colours are plenty for a page of text and keep each file small.
    Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)


@pytest.mark.parametrize("browser_locale", ["en-GB", "ru-RU"])
def test_get_help_with_a_photo_and_a_video_from_the_order_to_the_operators_decision(
    live_server, page: Page, world, files, browser_locale
):
    order, words, base = world, WORDS[browser_locale], live_server.url
    photo, clip = files

    # The buyer: orders → the order → Get help.
    sign_in(page, base, "anna")
    page.goto(f"{base}/orders/")
    page.get_by_role("link", name="O-77").click()
    page.get_by_role("link", name=words["get_help"]).click()
    page.get_by_label(words["describe"]).fill(words["text"])
    page.get_by_label(words["damaged"]).check()
    page.get_by_label("Wool scarf").check()
    # One file after the other: the test server makes previews inside the upload request, and two at
    # once would contend for its single in-memory SQLite database (a real worker does them in turn).
    page.locator("[data-attach]").set_input_files(str(photo))
    expect(page.locator(".attach-chip--done")).to_have_count(1, timeout=20_000)
    page.locator("[data-attach]").set_input_files(str(clip))
    expect(page.locator(".attach-chip--done")).to_have_count(2, timeout=20_000)
    snap(page, browser_locale, "1-form", show=".attach-list")
    page.get_by_role("button", name=words["next"]).click()

    # The next step posts nothing; its buttons say what they do.
    expect(page.get_by_role("button", name=words["send_to_seller"])).to_be_visible()
    expect(page.locator(".msg__file")).to_have_count(2)
    snap(page, browser_locale, "2-next-step")
    page.get_by_role("button", name=words["open"]).click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+"))).to_be_visible()
    case = Case.objects.get(order=order)
    assert (case.line.title, case.status) == ("Wool scarf", CaseStatus.AWAITING_SELLER)
    evidence = Attachment.objects.filter(owner_type="cases.case", owner_id=case.pk)
    assert sorted(evidence.values_list("kind", "status")) == [("image", "ready"), ("video", "ready")]
    snap(page, browser_locale, "3-case-opened", show=".sides")

    # The seller sees both files in the case; the photo they download carries no EXIF and no GPS.
    sign_in(page, base, "sam")
    page.goto(f"{base}/cases/{case.pk}/")
    sides = page.locator(".sides")
    expect(sides.locator(".msg__file--image img")).to_be_visible()
    expect(sides.locator(".msg__file--video img")).to_be_visible()  # the video's poster
    href = sides.locator(".msg__file--image a").get_attribute("href") or ""
    assert re.fullmatch(r"/attachments/f/[^/]+/", href)
    served = page.request.get(base + href)
    assert served.status == 200
    downloaded = served.body()
    assert not Image.open(io.BytesIO(downloaded)).getexif()
    assert b"GPS" not in downloaded
    assert b"PhoneMaker" not in downloaded
    video = page.request.get(base + (sides.locator(".msg__file--video a").get_attribute("href") or ""))
    assert (video.status, video.headers["content-type"]) == (200, "video/mp4")
    snap(page, browser_locale, "4-seller-sees-files", show=".sides")

    # ... and offers a partial refund.
    page.locator("[data-field=kind]").get_by_label(words["partial"]).check()
    page.get_by_label(words["amount"]).fill("10")
    page.get_by_label(words["message"]).fill(words["offer_note"])
    page.locator("form[action$='/offer/']").get_by_role("button", name=words["send"]).click()
    expect(page.locator(".offer__kind")).to_contain_text(words["partial"])

    # The buyer declines and escalates.
    sign_in(page, base, "anna")
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.locator(".offer__kind")).to_contain_text(words["partial"])
    snap(page, browser_locale, "5-buyer-offer")
    page.get_by_role("button", name=words["decline"]).click()
    page.get_by_role("button", name=words["escalate"]).click()
    case.refresh_from_db()
    assert case.status == CaseStatus.ESCALATED

    # The operator sees both files in the workspace and decides.
    sign_in(page, base, "ivan")
    page.goto(f"{base}/console/cases/{case.pk}/")
    sides = page.locator(".sides")
    expect(sides.locator(".msg__file--image img")).to_be_visible()
    expect(sides.locator(".msg__file--video img")).to_be_visible()
    assert page.request.get(base + (sides.locator(".msg__file--image a").get_attribute("href") or "")).status == 200
    snap(page, browser_locale, "6-workspace-files", show=".sides")
    page.get_by_role("button", name=words["review"]).first.click()
    decide = page.locator("[data-decision-form]")
    decide.get_by_label(words["reason_code"]).select_option("damaged_in_transit")
    decide.get_by_role("button", name=words["record"]).click()
    expect(page.locator(".decision")).to_be_visible()
    snap(page, browser_locale, "7-decided", show=".decision")
    decision = Decision.objects.get(case=case)
    assert (decision.outcome, decision.reason_code) == ("buyer_full_refund", "damaged_in_transit")


def test_get_help_shows_the_upload_progress_and_waits_for_the_file_before_the_next_step(
    live_server, page: Page, world, files
):
    # given: the buyer is on Get help, and the server's answer to the upload is held back
    photo, _clip = files
    sign_in(page, live_server.url, "anna")
    page.goto(f"{live_server.url}/orders/{world.pk}/help/")
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/attachments/", hold)

    # when: a photo is picked
    page.locator("[data-attach]").set_input_files(str(photo))

    # then: its progress shows and the form waits for it; once stored, the file is ready to go with the form
    expect(page.locator(".attach-chip--uploading progress")).to_be_visible()
    expect(page.get_by_role("button", name="Next step")).to_be_disabled()
    held[0].continue_()
    expect(page.locator(".attach-chip--done input[name=attachment_ids]")).to_have_count(1)
    expect(page.get_by_role("button", name="Next step")).to_be_enabled()
