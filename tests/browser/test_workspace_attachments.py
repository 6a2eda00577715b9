"""The operator's workspace in real Chromium: both parties' files side by side as thumbnails, each opening in
the viewer, the next one a key away."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from marketdesk.attachments.services import attachment_ingest
from marketdesk.cases.services.evidence import case_evidence_add
from marketdesk.core.actors import Actor
from tests.attachments import samples
from tests.browser.conftest import sign_in
from tests.browser.screenshots import snap
from tests.cases.conftest import *  # noqa: F403 - the case fixtures (escalated, its parties, the operator)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_photos(person, case, text: str, names: list[str]) -> None:
    actor = Actor.for_user(person)
    files = [attachment_ingest(actor=actor, upload=samples.upload(samples.jpeg((640, 480)), name)) for name in names]
    case_evidence_add(actor=actor, case=case, text=text, attachment_ids=[f.pk for f in files])


def test_both_sides_files_open_in_the_viewer(live_server, page: Page, escalated, buyer, seller, operator):
    # given each party's photos on an escalated case, and a Russian-speaking operator
    add_photos(buyer, escalated, "Коробка пришла пустой, фото вскрытия.", ["вскрытие.jpg", "коробка.jpg"])
    add_photos(seller, escalated, "Фото упаковки перед отправкой.", ["упаковка.jpg"])
    operator.language = "ru"
    operator.save(update_fields=["language"])
    sign_in(page, live_server.url, operator.username)
    # when the operator opens the workspace
    page.goto(f"{live_server.url}/console/cases/{escalated.pk}/")
    buyer_side, seller_side = page.locator(".side--buyer"), page.locator(".side--seller")
    # then both sides show their thumbnails side by side
    expect(buyer_side.locator("a[data-viewer] img")).to_have_count(2)
    expect(seller_side.locator("a[data-viewer] img")).to_have_count(1)
    assert buyer_side.bounding_box()["y"] == seller_side.bounding_box()["y"]
    snap(page, "workspace-attachments")
    # and a thumbnail opens the viewer on its file, → shows the next one, Escape closes it
    buyer_side.locator("a[data-viewer]").first.click()
    viewer = page.locator("dialog.viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator("[data-viewer-name]")).to_have_text("вскрытие.jpg · 1 / 2")
    expect(viewer.locator("img.viewer__media")).to_have_js_property("naturalWidth", 640)
    snap(page, "workspace-attachment-viewer")
    page.keyboard.press("ArrowRight")
    expect(viewer.locator("[data-viewer-name]")).to_have_text("коробка.jpg · 2 / 2")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
