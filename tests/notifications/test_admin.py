"""The admin's delivery log: an administrator sends deliveries again with the same event id."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.core.outbox import outbox_sweep
from marketdesk.notifications.models import WebhookDelivery
from marketdesk.notifications.webhooks import webhook_event_emit

pytestmark = pytest.mark.django_db


def test_the_admin_action_sends_selected_deliveries_again(client, admin_user, endpoint, marketplace, receiver):
    webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.opened", data={}, event_id="msg_1")
    outbox_sweep(older_than=dt.timedelta(0))
    delivery = WebhookDelivery.objects.get()
    client.force_login(admin_user)

    response = client.post(
        "/admin/notifications/webhookdelivery/",
        {"action": "retry_deliveries", "_selected_action": [delivery.pk]},
        follow=True,
    )
    outbox_sweep(older_than=dt.timedelta(0))

    assert response.status_code == 200
    assert [r.headers["webhook-id"] for r in receiver.received] == ["msg_1", "msg_1"]


def test_the_delivery_page_shows_its_attempts(client, admin_user, endpoint, marketplace, receiver):
    webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.opened", data={}, event_id="msg_1")
    outbox_sweep(older_than=dt.timedelta(0))
    client.force_login(admin_user)

    response = client.get(f"/admin/notifications/webhookdelivery/{WebhookDelivery.objects.get().pk}/change/")

    assert response.status_code == 200
    assert b"msg_1" in response.content
