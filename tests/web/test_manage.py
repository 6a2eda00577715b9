"""The administrator's pages: policy versions, business calendars and webhook endpoints."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketdesk.accounts.models import ApiKey, User
from marketdesk.accounts.services import api_key_authenticate, api_key_create
from marketdesk.console.models import AuditEntry
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.models import BusinessCalendar, PolicyVersion
from marketdesk.core.outbox import outbox_sweep
from marketdesk.core.policies import PolicyValues, policy_current
from marketdesk.notifications import webhooks
from marketdesk.notifications.models import WebhookEndpoint
from marketdesk.notifications.webhooks import webhook_event_emit, webhook_secret_generate
from marketdesk.web.manage.rules import RULE_LABELS
from tests import factories
from tests.notifications.receiver import receiver_running
from tests.workers import sweep_during_and_after_lease, sweep_dying_after

pytestmark = pytest.mark.django_db

PAGES = [
    "manage:policy_list",
    "manage:policy_new",
    "manage:calendar_list",
    "manage:calendar_new",
    "manage:webhook_list",
]
# fmt: off
ROLES = {"admin_user": 200, "operator": 403, "buyer": 403, "seller": 403}
# fmt: on
ROLE_CASES = [(page, role, status) for page in PAGES for role, status in ROLES.items()]


def _policy_post(**changes: object) -> dict[str, object]:
    values = {**policy_current().values.model_dump(), "note": "Faster answers", "effective_on": "", "publish": "1"}
    # The tables (per reason, per currency, per category and condition) are typed as JSON.
    return {name: json.dumps(v) if isinstance(v, dict) else v for name, v in {**values, **changes}.items()}


def _newest() -> PolicyVersion:
    return PolicyVersion.objects.order_by("-version").first()


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar.objects.create(
        code="test-gb", name="United Kingdom", country="GB", timezone="Europe/London", weekend_days=[5, 6]
    )


@pytest.fixture
def receiver():
    with receiver_running() as running:
        yield running


@pytest.fixture
def endpoint(marketplace, receiver) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(marketplace=marketplace, url=receiver.url, secret=webhook_secret_generate())


@pytest.mark.parametrize(("url_name", "role", "status"), ROLE_CASES)
def test_each_management_page_answers_each_role(client_for, url_name, role, status):
    # given
    client = client_for(role)
    # when
    response = client.get(reverse(url_name))
    # then
    assert response.status_code == status


@pytest.mark.parametrize("url_name", PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, url_name):
    # given
    url = reverse(url_name)
    # when
    response = client.get(url)
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"


def test_every_rule_has_a_label():
    assert set(RULE_LABELS) == set(PolicyValues.model_fields)


def test_the_form_shows_every_rule_with_its_value_in_force(client_for):
    # given
    client = client_for("admin_user")
    # when
    response = client.get(reverse("manage:policy_new"))
    # then
    form = response.context["form"]
    assert response.status_code == 200
    assert set(PolicyValues.model_fields) <= set(form.fields)
    assert form["seller_response_business_days"].value() == 3
    assert 'name="seller_response_business_days"' in response.content.decode()


def test_publishing_creates_a_new_version_and_an_audit_row(client_for, admin_user):
    # given
    client = client_for("admin_user")
    previous = _newest()
    # when
    response = client.post(reverse("manage:policy_new"), _policy_post(seller_response_business_days=2))
    # then
    version = _newest()
    assert response.status_code == 302
    assert version.version == previous.version + 1
    assert response["Location"] == reverse("manage:policy_detail", kwargs={"version": version.version})
    assert version.values["seller_response_business_days"] == 2
    assert policy_current().seller_response_business_days == 2
    entry = AuditEntry.objects.get(action="policy.published")
    assert entry.actor_user == admin_user
    assert entry.before == {"seller_response_business_days": 3}
    assert entry.after["seller_response_business_days"] == 2


def test_a_table_rule_is_published_from_its_json(client_for):
    # given
    client = client_for("admin_user")
    fees = {"electronics": {"used": 1500}, "*": {"opened": 500}}
    # when
    response = client.post(
        reverse("manage:policy_new"),
        _policy_post(return_restocking_fee_bp=fees, return_postage_payer={"changed_mind": "seller"}),
    )
    # then
    assert response.status_code == 302
    assert policy_current().return_restocking_fee_bp == fees
    assert policy_current().return_postage_payer == {"changed_mind": "seller"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("return_restocking_fee_bp", '{"electronics": {"used": 20000}}'),
        ("return_postage_payer", '{"changed_mind": "the courier"}'),
        ("return_keep_item_max_minor", "not json"),
    ],
)
def test_a_table_rule_that_is_not_valid_is_refused(client_for, name, value):
    # given
    client = client_for("admin_user")
    before = _newest().version
    # when
    response = client.post(reverse("manage:policy_new"), {**_policy_post(), name: value})
    # then
    assert response.status_code == 422
    assert _newest().version == before


def test_a_version_stored_before_the_return_tables_shows_their_defaults(client_for):
    # given a version stored before the return economics' rules existed
    values = policy_current().values.model_dump()
    for name in ("return_postage_payer", "return_restocking_fee_bp", "return_keep_item_max_minor"):
        values.pop(name)
    old = PolicyVersion.objects.create(version=_newest().version + 1, values=values, note="Before")
    # when
    response = client_for("admin_user").get(reverse("manage:policy_detail", kwargs={"version": old.version}))
    # then
    assert response.status_code == 200
    assert "Who pays return postage per reason" in response.content.decode()


def test_a_second_version_leaves_the_first_as_it_was(client_for):
    # given
    client = client_for("admin_user")
    client.post(reverse("manage:policy_new"), _policy_post(seller_response_business_days=2))
    first = _newest()
    # when
    client.post(reverse("manage:policy_new"), _policy_post(appeal_window_days=14))
    # then
    first.refresh_from_db()
    assert first.values["appeal_window_days"] == 30
    assert _newest().values["appeal_window_days"] == 14
    assert _newest().values["seller_response_business_days"] == 2


def test_preview_shows_the_difference_and_publishes_nothing(client_for):
    # given
    client = client_for("admin_user")
    count = PolicyVersion.objects.count()
    data = {**_policy_post(seller_response_business_days=2), "preview": "1"}
    del data["publish"]
    # when
    response = client.post(reverse("manage:policy_new"), data)
    # then
    assert response.status_code == 200
    assert [(row.name, row.other, row.value) for row in response.context["diff"]] == [
        ("seller_response_business_days", 3, 2)
    ]
    assert PolicyVersion.objects.count() == count


def test_a_value_out_of_range_is_a_field_error_and_changes_nothing(client_for):
    # given
    client = client_for("admin_user")
    count = PolicyVersion.objects.count()
    # when
    response = client.post(reverse("manage:policy_new"), _policy_post(seller_response_business_days=0))
    # then
    assert response.status_code == 422
    assert response.context["form"].errors["seller_response_business_days"]
    assert PolicyVersion.objects.count() == count
    assert AuditEntry.objects.count() == 0


def test_an_effective_date_in_the_past_is_refused(client_for, frozen_clock):
    # given
    client = client_for("admin_user")
    count = PolicyVersion.objects.count()
    yesterday = (clock.now() - dt.timedelta(days=1)).date().isoformat()
    # when
    response = client.post(
        reverse("manage:policy_new"), _policy_post(seller_response_business_days=2, effective_on=yesterday)
    )
    # then
    assert response.status_code == 422
    assert response.context["form"].errors["effective_on"]
    assert PolicyVersion.objects.count() == count


def test_a_version_scheduled_later_is_not_in_force_until_its_date(client_for, frozen_clock):
    # given
    client = client_for("admin_user")
    in_a_week = (clock.now() + dt.timedelta(days=7)).date().isoformat()
    client.post(reverse("manage:policy_new"), _policy_post(seller_response_business_days=2, effective_on=in_a_week))
    # when
    before = policy_current().seller_response_business_days
    frozen_clock.advance(dt.timedelta(days=8))
    after = policy_current().seller_response_business_days
    # then
    assert (before, after) == (3, 2)


def test_a_published_version_is_read_only(client_for):
    # given
    client = client_for("admin_user")
    client.post(reverse("manage:policy_new"), _policy_post(seller_response_business_days=2))
    url = reverse("manage:policy_detail", kwargs={"version": _newest().version})
    # when
    response = client.post(url, _policy_post(seller_response_business_days=5))
    page = client.get(url)
    # then
    assert response.status_code == 405
    assert page.status_code == 200
    assert _newest().values["seller_response_business_days"] == 2


def test_django_admin_no_longer_offers_the_broken_add_form(client_for):
    # given
    client = client_for("admin_user")
    # when
    response = client.get("/admin/core/policyversion/add/")
    # then
    assert response.status_code == 403


def test_saving_a_calendar_shows_the_next_ten_business_days_and_audits(client_for, calendar, frozen_clock):
    # given
    client = client_for("admin_user")
    data = {
        "name": "United Kingdom",
        "country": "GB",
        "subdivision": "",
        "timezone": "Europe/London",
        "opens_at": "08:00",
        "closes_at": "17:00",
        "weekend_days": ["5", "6"],
        "extra_closed_days": "2026-12-28",
    }
    # when
    response = client.post(reverse("manage:calendar_edit", kwargs={"pk": calendar.pk}), data, follow=True)
    # then
    calendar.refresh_from_db()
    assert response.status_code == 200
    assert str(calendar.opens_at) == "08:00:00"
    assert calendar.extra_closed_days == ["2026-12-28"]
    preview = response.context["preview"]
    assert len(preview) == 10
    assert all(day.weekday() < 5 for day in preview)
    assert dt.date(2026, 12, 25) not in preview  # Christmas Day, a public holiday in GB
    assert dt.date(2026, 12, 28) not in preview
    assert AuditEntry.objects.get(action="calendar.changed").after["opens_at"] == "08:00"


def test_a_calendar_closing_before_it_opens_is_a_field_error(client_for, calendar):
    # given
    client = client_for("admin_user")
    data = {"name": "X", "country": "GB", "timezone": "Europe/London", "opens_at": "18:00", "closes_at": "09:00"}
    # when
    response = client.post(reverse("manage:calendar_edit", kwargs={"pk": calendar.pk}), data)
    # then
    calendar.refresh_from_db()
    assert response.status_code == 422
    assert response.context["form"].errors["closes_at"]
    assert str(calendar.opens_at) == "09:00:00"
    assert AuditEntry.objects.count() == 0


def test_creating_an_endpoint_shows_its_secret_once(client_for, receiver):
    # given
    client = client_for("admin_user")
    # when
    response = client.post(reverse("manage:webhook_list"), {"url": receiver.url, "event_types": "case.opened"})
    again = client.get(reverse("manage:webhook_list"))
    # then
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in again.content.decode()
    assert endpoint.event_types == ["case.opened"]
    assert AuditEntry.objects.get(action="webhook.created").object_id == str(endpoint.pk)


def test_a_bad_address_is_a_field_error_and_creates_nothing(client_for):
    # given
    client = client_for("admin_user")
    # when
    response = client.post(reverse("manage:webhook_list"), {"url": "ftp://example.test/hook", "event_types": ""})
    # then
    assert response.status_code == 422
    assert response.context["form"].errors["url"]
    assert WebhookEndpoint.objects.count() == 0


def test_rotating_the_secret_replaces_it_and_shows_the_new_one(client_for, endpoint):
    # given
    client = client_for("admin_user")
    old = endpoint.secret
    # when
    response = client.post(reverse("manage:webhook_rotate", kwargs={"pk": endpoint.pk}))
    # then
    endpoint.refresh_from_db()
    assert response.status_code == 200
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    entry = AuditEntry.objects.get(action="webhook.secret_rotated")
    assert endpoint.secret not in str(entry.before) + str(entry.after)


def test_pausing_and_resuming_an_endpoint(client_for, endpoint):
    # given
    client = client_for("admin_user")
    url = reverse("manage:webhook_pause", kwargs={"pk": endpoint.pk})
    # when
    paused = client.post(url, {"active": "0"})
    endpoint.refresh_from_db()
    was_active = endpoint.active
    client.post(url, {"active": "1"})
    endpoint.refresh_from_db()
    # then
    assert paused.status_code == 302
    assert (was_active, endpoint.active) == (False, True)
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "webhook.paused",
        "webhook.resumed",
    ]


def test_the_delivery_log_sends_a_delivery_again_with_the_same_id(client_for, endpoint, marketplace, receiver):
    # given
    webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.opened", data={}, event_id="msg_1")
    outbox_sweep(older_than=dt.timedelta(0))
    client = client_for("admin_user")
    log = client.get(reverse("manage:webhook_detail", kwargs={"pk": endpoint.pk}))
    delivery = log.context["deliveries"][0]
    # when
    response = client.post(reverse("manage:webhook_retry", kwargs={"pk": endpoint.pk, "delivery_id": delivery.pk}))
    outbox_sweep(older_than=dt.timedelta(0))
    # then
    assert response.status_code == 302
    assert receiver.ids() == ["msg_1", "msg_1"]
    assert AuditEntry.objects.filter(action="webhook.delivery_retried").count() == 1


@pytest.mark.parametrize(
    ("language", "unknown", "delivered"),
    [
        ("en", "Outcome unknown (the worker stopped)", "Accepted by the receiver (200)"),
        ("ru", "Исход неизвестен (обработчик остановился)", "Принято получателем (200)"),
    ],
)
def test_the_delivery_log_page_shows_each_attempt_including_one_of_unknown_outcome(
    client_for, admin_user, endpoint, marketplace, receiver, frozen_clock, language, unknown, delivered
):
    # given an event sent twice because the first worker died between sending and recording, and an
    # administrator who reads in their language
    with transaction.atomic():
        webhook_event_emit(marketplace_id=marketplace.pk, event_type="case.opened", data={}, event_id="msg_1")
    sweep_dying_after(webhooks, "webhook_send")
    sweep_during_and_after_lease(frozen_clock)
    outbox_sweep(older_than=dt.timedelta(0))
    User.objects.filter(pk=admin_user.pk).update(language=language)
    # when
    response = client_for("admin_user").get(reverse("manage:webhook_detail", kwargs={"pk": endpoint.pk}))
    # then both attempts are listed, in words
    assert response.status_code == 200
    assert receiver.ids() == ["msg_1", "msg_1"]
    items = re.findall(r"<li>\s*(.*?)\s*</li>", response.content.decode().split('class="attempt-log"')[1], re.S)
    assert [item.split(" · ")[1] for item in items[:2]] == [unknown, delivered]


def test_another_marketplaces_endpoint_is_not_found(client_for, other_marketplace):
    # given
    foreign = WebhookEndpoint.objects.create(
        marketplace=other_marketplace, url="http://127.0.0.1:9/x", secret=webhook_secret_generate()
    )
    client = client_for("admin_user")
    # when
    response = client.get(reverse("manage:webhook_detail", kwargs={"pk": foreign.pk}))
    rotate = client.post(reverse("manage:webhook_rotate", kwargs={"pk": foreign.pk}))
    # then
    assert (response.status_code, rotate.status_code) == (404, 404)


@pytest.mark.parametrize("role", ["operator", "buyer", "seller"])
def test_other_roles_cannot_publish(client_for, role):
    # given
    client = client_for(role)
    count = PolicyVersion.objects.count()
    # when
    response = client.post(reverse("manage:policy_new"), _policy_post(seller_response_business_days=2))
    # then
    assert response.status_code == 403
    assert PolicyVersion.objects.count() == count


def test_creating_an_api_key_shows_its_secret_once_and_it_works(client_for, admin_user):
    # given
    client = client_for("admin_user")
    # when
    response = client.post(reverse("manage:api_key_list"), {"name": "Order import"})
    again = client.get(reverse("manage:api_key_list"))
    # then
    secret = response.context["secret"]
    key = ApiKey.objects.get(name="Order import")
    assert response.status_code == 200
    assert api_key_authenticate(secret) == key
    assert key.marketplace_id == admin_user.marketplace_id
    assert secret in response.content.decode()
    assert secret not in again.content.decode()
    entry = AuditEntry.objects.get(action="api_key.created")
    assert secret not in str(entry.after)


def test_an_empty_key_name_is_a_field_error_and_creates_nothing(client_for):
    # given
    client = client_for("admin_user")
    # when
    response = client.post(reverse("manage:api_key_list"), {"name": "   "})
    # then
    assert response.status_code == 422
    assert response.context["form"].errors["name"]
    assert ApiKey.objects.count() == 0


def test_revoking_a_key_refuses_it_from_then_on(client_for, marketplace):
    # given
    key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Old")
    client = client_for("admin_user")
    # when
    response = client.post(reverse("manage:api_key_revoke", kwargs={"pk": key.pk}))
    # then
    assert response.status_code == 302
    assert api_key_authenticate(raw) is None
    assert AuditEntry.objects.get(action="api_key.revoked").object_id == str(key.pk)


def test_another_marketplaces_key_is_not_found(client_for, other_marketplace):
    # given
    key, raw = api_key_create(actor=Actor.system(), marketplace=other_marketplace, name="Theirs")
    client = client_for("admin_user")
    # when
    response = client.post(reverse("manage:api_key_revoke", kwargs={"pk": key.pk}))
    # then
    assert response.status_code == 404
    assert api_key_authenticate(raw) == key


def test_inviting_an_operator_hands_over_a_link_to_choose_a_password(client_for, admin_user):
    # given
    client = client_for("admin_user")
    # when
    response = client.post(
        reverse("manage:staff_list"), {"username": "nina", "email": "nina@example.test", "display_name": "Nina"}
    )
    # then
    nina = User.objects.get(username="nina")
    assert response.status_code == 200
    assert (nina.role, nina.marketplace_id, nina.has_usable_password()) == (
        "operator",
        admin_user.marketplace_id,
        False,
    )
    link = response.context["invite_link"]
    chosen = client.get(link, follow=True)
    assert chosen.status_code == 200
    assert "new_password1" in chosen.content.decode()
    assert AuditEntry.objects.get(action="user.invited").object_id == str(nina.pk)


def test_a_taken_user_name_is_a_field_error_and_invites_nobody(client_for, operator):
    # given
    client = client_for("admin_user")
    count = User.objects.count()
    # when
    response = client.post(reverse("manage:staff_list"), {"username": operator.username, "email": "x@example.test"})
    # then
    assert response.status_code == 422
    assert response.context["form"].errors["username"]
    assert User.objects.count() == count


def test_deactivating_an_operator_ends_their_sessions(client_for, client_as, operator):
    # given
    operator_client = client_as(operator)
    assert operator_client.get(reverse("web:operator_home")).status_code == 200
    client = client_for("admin_user")
    # when
    response = client.post(reverse("manage:staff_active", kwargs={"pk": operator.pk}), {"active": "0"})
    # then
    operator.refresh_from_db()
    assert response.status_code == 302
    assert operator.is_active is False
    signed_in = [str(session.get_decoded().get("_auth_user_id")) for session in Session.objects.all()]
    assert str(operator.pk) not in signed_in
    assert operator_client.get(reverse("web:operator_home")).status_code == 302
    assert AuditEntry.objects.get(action="user.deactivated").object_id == str(operator.pk)


def test_a_buyer_is_not_managed_here(client_for, buyer):
    # given
    client = client_for("admin_user")
    # when
    response = client.post(reverse("manage:staff_active", kwargs={"pk": buyer.pk}), {"active": "0"})
    # then
    buyer.refresh_from_db()
    assert response.status_code == 404
    assert buyer.is_active is True


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_list_pages_do_not_query_per_row(client_for, admin_user, marketplace):
    # given
    client = client_for("admin_user")
    actor = Actor.for_user(admin_user)
    urls = [reverse(name) for name in ("manage:policy_list", "manage:api_key_list", "manage:webhook_list")]
    for n in range(2):
        api_key_create(actor=actor, marketplace=marketplace, name=f"Key {n}")
        WebhookEndpoint.objects.create(marketplace=marketplace, url=f"http://127.0.0.1:9/{n}", secret="s")
    few = [_queries_for(client, url) for url in urls]
    # when
    for n in range(2, 8):
        api_key_create(actor=actor, marketplace=marketplace, name=f"Key {n}")
        WebhookEndpoint.objects.create(marketplace=marketplace, url=f"http://127.0.0.1:9/{n}", secret="s")
        PolicyVersion.objects.create(
            version=100 + n, values=policy_current().values.model_dump(), created_by=admin_user
        )
    many = [_queries_for(client, url) for url in urls]
    # then
    assert many == few


def test_django_admin_lists_versions_and_points_to_the_management_page(client_for):
    # given
    client = client_for("admin_user")
    # when
    response = client.get("/admin/core/policyversion/")
    # then
    assert response.status_code == 200
    assert reverse("manage:policy_new") in response.content.decode()


# Roles


@pytest.fixture
def second_operator(marketplace):
    return factories.OperatorFactory(marketplace=marketplace, username="olga-second")


@pytest.mark.parametrize(
    ("role", "status", "now"),
    [
        ("admin_user", 302, "admin"),
        ("operator", 404, "operator"),
        ("buyer", 404, "operator"),
        ("seller", 404, "operator"),
    ],
)
def test_changing_a_role_by_role(client_for, second_operator, role, status, now):
    response = client_for(role).post(reverse("manage:staff_role", args=[second_operator.pk]), {"role": "admin"})

    assert response.status_code == status
    second_operator.refresh_from_db()
    assert second_operator.role == now


def test_making_an_operator_an_administrator_is_audited_and_lets_them_manage(
    client_for, client_as, admin_user, second_operator
):
    # when
    client_for("admin_user").post(reverse("manage:staff_role", args=[second_operator.pk]), {"role": "admin"})
    # then
    entry = AuditEntry.objects.get(action="user.role_changed")
    assert (entry.actor_user, entry.before, entry.after) == (admin_user, {"role": "operator"}, {"role": "admin"})
    assert client_as(second_operator).get(reverse("manage:policy_list")).status_code == 200


@pytest.mark.parametrize("role", ["buyer", "seller", "nobody"])
def test_only_operator_or_administrator_may_be_chosen(client_for, second_operator, role):
    response = client_for("admin_user").post(
        reverse("manage:staff_role", args=[second_operator.pk]), {"role": role}, follow=True
    )

    assert "Choose operator or administrator." in response.content.decode()
    second_operator.refresh_from_db()
    assert second_operator.role == "operator"
    assert not AuditEntry.objects.filter(action="user.role_changed").exists()


def test_an_administrator_cannot_change_their_own_role(client_for, admin_user):
    response = client_for("admin_user").post(
        reverse("manage:staff_role", args=[admin_user.pk]), {"role": "operator"}, follow=True
    )

    assert "You cannot change your own role." in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"


def test_another_marketplaces_operator_is_not_found(client_for, other_marketplace):
    stranger = factories.OperatorFactory(marketplace=other_marketplace)

    response = client_for("admin_user").post(reverse("manage:staff_role", args=[stranger.pk]), {"role": "admin"})

    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.role == "operator"
