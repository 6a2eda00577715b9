"""Carriers on /manage/: each carrier's mapping table, the unmapped raw statuses with counts, one-click mapping."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.console.models import AuditEntry
from marketdesk.shipping.models import Carrier, CarrierStatusMapping, Shipment, TrackingEvent
from tests import factories
from tests.shipping.conftest import HOUR, START, carriers_ensure, ingest, make_shipment, stream

pytestmark = pytest.mark.django_db


@pytest.fixture
def evri(db) -> Carrier:
    carriers_ensure()
    return Carrier.objects.get(code="evri")


@pytest.fixture
def parcel(order, evri) -> Shipment:
    return make_shipment(order, evri, "EV000001")


@pytest.fixture
def waiting(parcel) -> Shipment:
    """The parcel was handed over; two later scans came with a status no mapping covers."""
    rows = stream(parcel, "on_time")[:2]
    odd = [
        {**rows[1], "status": "HUB_WEATHER_DELAY", "event_id": f"odd-{n}", "description": "Delayed by weather"}
        for n in range(2)
    ]
    ingest(parcel, [rows[0], *odd], at=START + 7 * HOUR)
    return parcel


# fmt: off
ROLES = {"admin_user": 200, "operator": 403, "buyer": 403, "seller": 403}
DETAIL_ROLES = {"admin_user": 200, "operator": 404, "buyer": 404, "seller": 404}
# fmt: on


@pytest.mark.parametrize(("role", "status"), ROLES.items())
def test_the_carrier_list_by_role(client_for, evri, role, status):
    response = client_for(role).get(reverse("manage:carrier_list"))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), DETAIL_ROLES.items())
def test_a_carriers_page_by_role(client_for, evri, role, status):
    response = client_for(role).get(reverse("manage:carrier_detail", args=[evri.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status", "mapped"),
    [("admin_user", 302, 1), ("operator", 404, 0), ("buyer", 404, 0), ("seller", 404, 0)],
)
def test_mapping_by_role(client_for, evri, waiting, role, status, mapped):
    response = client_for(role).post(
        reverse("manage:carrier_detail", args=[evri.pk]),
        {"raw_status": "HUB_WEATHER_DELAY", "status": "in_transit", "exception_reason": ""},
    )

    assert response.status_code == status
    assert CarrierStatusMapping.objects.filter(raw_status="HUB_WEATHER_DELAY").count() == mapped


def test_anonymous_visitor_is_sent_to_sign_in(client, evri):
    response = client.get(reverse("manage:carrier_detail", args=[evri.pk]))

    assert response.status_code == 302


def test_an_unknown_carrier_is_not_found(client_for):
    response = client_for("admin_user").get(reverse("manage:carrier_detail", args=[999999]))

    assert response.status_code == 404


def test_the_list_counts_the_statuses_waiting_for_a_mapping(client_for, waiting):
    page = client_for("admin_user").get(reverse("manage:carrier_list")).content.decode()

    row = page[page.index('data-carrier="evri"') :].split("</tr>")[0]
    assert "1 status, 2 events" in row


def test_the_carrier_page_lists_the_unmapped_status_with_its_count_and_text(client_for, evri, waiting):
    page = client_for("admin_user").get(reverse("manage:carrier_detail", args=[evri.pk])).content.decode()

    row = page[page.index('data-unmapped="HUB_WEATHER_DELAY"') :].split("</tr>")[0]
    assert ">2<" in row
    assert "Delayed by weather" in row


def test_another_marketplaces_unmapped_events_are_not_counted(client_as, evri, waiting, other_marketplace):
    other_admin = factories.UserFactory(role="admin", marketplace=other_marketplace)

    page = client_as(other_admin).get(reverse("manage:carrier_detail", args=[evri.pk])).content.decode()

    assert "HUB_WEATHER_DELAY" not in page


def test_one_click_mapping_reads_the_waiting_events_again_and_audits(client_for, admin_user, evri, waiting):
    # when
    response = client_for("admin_user").post(
        reverse("manage:carrier_detail", args=[evri.pk]),
        {"raw_status": "HUB_WEATHER_DELAY", "status": "exception", "exception_reason": "other"},
        follow=True,
    )
    # then
    assert response.status_code == 200
    assert "2 events already received were read again" in response.content.decode()
    assert set(TrackingEvent.objects.filter(raw_status="HUB_WEATHER_DELAY").values_list("status", flat=True)) == {
        "exception"
    }
    waiting.refresh_from_db()
    assert (waiting.tracking_status, waiting.exception_reason) == ("exception", "other")
    entry = AuditEntry.objects.get(action="carrier.mapping_added")
    assert (entry.actor_user, entry.object_id, entry.after["events"]) == (admin_user, str(evri.pk), 2)


def test_changing_a_mapping_keeps_what_it_was_in_the_audit(client_for, evri):
    # given
    mapping = CarrierStatusMapping.objects.filter(carrier=evri).exclude(status="exception").first()
    # when
    client_for("admin_user").post(
        reverse("manage:carrier_detail", args=[evri.pk]),
        {"raw_status": mapping.raw_status, "status": "exception", "exception_reason": "lost"},
    )
    # then
    entry = AuditEntry.objects.get(action="carrier.mapping_changed")
    assert (entry.before["status"], entry.after["status"]) == (mapping.status, "exception")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"raw_status": "X", "status": "exception", "exception_reason": ""}, "exception_reason"),
        ({"raw_status": "X", "status": "in_transit", "exception_reason": "lost"}, "exception_reason"),
        ({"raw_status": "X", "status": "teleported", "exception_reason": ""}, "status"),
        ({"raw_status": "   ", "status": "in_transit", "exception_reason": ""}, "raw_status"),
        ({"raw_status": "X" * 81, "status": "in_transit", "exception_reason": ""}, "raw_status"),
    ],
)
def test_bad_input_is_a_field_error_and_maps_nothing(client_for, evri, data, field):
    before = CarrierStatusMapping.objects.count()

    response = client_for("admin_user").post(reverse("manage:carrier_detail", args=[evri.pk]), data)

    assert response.status_code == 422
    assert f'id="id_{field}-error"' in response.content.decode()
    assert CarrierStatusMapping.objects.count() == before
    assert not AuditEntry.objects.exists()


def test_the_carrier_list_does_not_query_per_carrier(client_for, evri, django_assert_max_num_queries):
    client = client_for("admin_user")
    client.get(reverse("manage:carrier_list"))

    with django_assert_max_num_queries(8):
        response = client.get(reverse("manage:carrier_list"))

    assert response.content.decode().count("data-carrier=") == Carrier.objects.count()
