"""The staff navigation in real Chromium: every section whole and in sight, in English and Russian, from a laptop's
1024 px to a wide 1600 px screen (a section scrolled away or clipped, as "Журнал действий" was at 1280 px, is one an
operator never finds)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.screenshots import snap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1024, 1280, 1440, 1600]
SECTIONS = {"operator": 9, "admin": 10}  # the admin's Manage is a section more

# Each link of the navigation that is not wholly inside it and the window, or that lies under the bar's controls
# (a link reaches one pixel below the bar on purpose: its underline covers the bar's border).
HIDDEN_LINKS = """() => {
  const nav = document.querySelector("nav.nav");
  const box = nav.getBoundingClientRect();
  const end = document.querySelector(".topbar__end").getBoundingClientRect();
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  return [...nav.querySelectorAll("a")].filter((link) => {
    const r = link.getBoundingClientRect();
    return r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom + 1
      || r.right > window.innerWidth || overlaps(r, end);
  }).map((link) => link.textContent.trim());
}"""


@pytest.fixture
def world(transactional_db):
    """An operator and an administrator of one marketplace, each in each language."""
    marketplace = factories.MarketplaceFactory(slug="market-default")
    for language in ("en", "ru"):
        factories.OperatorFactory(marketplace=marketplace, username=f"operator-{language}", language=language)
        factories.AdminFactory(marketplace=marketplace, username=f"admin-{language}", language=language)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("role", ["operator", "admin"])
def test_every_section_of_the_staff_navigation_is_whole_and_in_sight(
    live_server, page: Page, world, role: str, language: str
):
    # given a member of staff signed in, working in their language
    sign_in(page, live_server.url, f"{role}-{language}")
    page.goto(f"{live_server.url}/console/")
    links = page.locator("nav.nav a")
    expect(links).to_have_count(SECTIONS[role])
    expect(page.locator("html")).to_have_attribute("lang", language)
    for width in WIDTHS:
        # when the window is this wide
        page.set_viewport_size({"width": width, "height": 800})
        # then no section is clipped, scrolled away or under the controls, and the page does not widen
        assert page.evaluate(HIDDEN_LINKS) == [], width
        assert page.evaluate("document.querySelector('nav.nav').scrollWidth <= document.querySelector('nav.nav').clientWidth"), width  # fmt: skip
        assert page.evaluate("document.documentElement.scrollWidth") == width
        snap(page, f"console-nav-{role}-{language}-{width}")
