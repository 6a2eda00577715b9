"""Get help as the buyer sees it: files in the same form, a button that says it sends, no duplicate or baseless case.

And the files as the seller and support see them: the case's evidence, behind signed links for its parties only.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from marketdesk.attachments.errors import AttachmentUnavailable
from marketdesk.attachments.models import Attachment
from marketdesk.attachments.services import attachment_ingest
from marketdesk.cases.models import Case, CaseEvidence, CaseType, OfferKind
from marketdesk.cases.services.contact import seller_contact_record
from marketdesk.cases.services.evidence import case_evidence_add
from marketdesk.cases.services.offers import case_offer_make
from marketdesk.cases.services.opening import CaseNotEligible, case_open
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainValidationError
from marketdesk.core.money import Money
from marketdesk.core.policies import policy_current
from marketdesk.messaging.models import Message
from marketdesk.messaging.selectors import unread_total
from marketdesk.messaging.services import order_message_post
from marketdesk.notifications.models import Notification
from marketdesk.orders.models import OrderLine
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.attachments import samples
from tests.cases.conftest import CONTACTED_AT, NOW, client_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def delivered(marketplace, shop, buyer):
    """A two-item order delivered yesterday, whose buyer wrote to the seller three days ago (no reply)."""
    order = factories.OrderFactory(
        marketplace=marketplace,
        shop=shop,
        buyer=buyer,
        status=OrderStatus.DELIVERED,
        delivered_at=NOW - dt.timedelta(days=1),
        estimated_delivery_at=NOW - dt.timedelta(days=2),
    )
    OrderLine.objects.create(
        order=order, external_id="L2", title="Linen tea towel", quantity=1, unit_price_minor=900, total_minor=900
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    with clock.frozen(CONTACTED_AT):
        seller_contact_record(actor=Actor.for_user(buyer), order=order)
    return order


@pytest.fixture
def scarf(delivered) -> OrderLine:
    return delivered.lines.get(external_id="L1")


def upload(user, data: bytes, name: str) -> Attachment:
    return attachment_ingest(actor=Actor.for_user(user), upload=samples.upload(data, name))


def open_case(buyer, order, line=None, *, case_type=CaseType.NOT_AS_DESCRIBED, text="Torn", files=()) -> Case:
    """The buyer opens a case through the service (as the page and the API do)."""
    return case_open(
        actor=Actor.for_user(buyer),
        order=order,
        line=line,
        case_type=case_type,
        description=text,
        attachment_ids=[f.pk for f in files],
    )


def help_post(**fields) -> dict:
    return {"description": "The scarf arrived torn.", "detail": "damaged", "client_token": "page-1"} | fields


# No duplicate or baseless cases


def test_a_second_not_as_described_on_the_same_item_while_the_first_has_an_offer_is_refused(
    delivered, scarf, buyer, seller, at_now
):
    first = open_case(buyer, delivered, scarf)
    case_offer_make(
        actor=Actor.for_user(seller), case=first, kind=OfferKind.PARTIAL_REFUND, amount=Money(500, delivered.currency)
    )

    with pytest.raises(CaseNotEligible) as refused:
        open_case(buyer, delivered, scarf, text="Still torn")

    assert refused.value.extra["open_case"] == first.pk
    assert Case.objects.count() == 1


def test_a_whole_order_not_as_described_is_refused_while_one_item_has_that_case_open(delivered, scarf, buyer, at_now):
    first = open_case(buyer, delivered, scarf)

    with pytest.raises(CaseNotEligible) as refused:
        case_open(actor=Actor.for_user(buyer), order=delivered, case_type=CaseType.NOT_AS_DESCRIBED, description="All")

    assert refused.value.extra["open_case"] == first.pk


def test_the_other_item_may_have_its_own_not_as_described_case(delivered, scarf, buyer, at_now):
    open_case(buyer, delivered, scarf)
    towel = delivered.lines.get(external_id="L2")

    second = open_case(buyer, delivered, towel, text="Stain")

    assert second.line_id == towel.pk


def test_seller_unresponsive_is_refused_when_the_seller_answered_within_the_policys_time(
    delivered, buyer, seller, at_now
):
    hours = policy_current().seller_silence_hours
    with clock.frozen(CONTACTED_AT + dt.timedelta(hours=hours) - dt.timedelta(minutes=1)):
        order_message_post(actor=Actor.for_user(seller), order=delivered, body="Sorry, looking into it.")

    with pytest.raises(CaseNotEligible) as refused:
        open_case(buyer, delivered, case_type=CaseType.SELLER_UNRESPONSIVE, text="No answer")

    assert f"The seller replied within {hours} hours" in str(refused.value.message)
    assert not Case.objects.exists()


def test_seller_unresponsive_opens_when_the_seller_stayed_silent_past_the_policys_time(
    delivered, buyer, seller, at_now
):
    hours = policy_current().seller_silence_hours
    with clock.frozen(CONTACTED_AT + dt.timedelta(hours=hours, minutes=1)):
        order_message_post(actor=Actor.for_user(seller), order=delivered, body="Late answer.")

    case = case_open(
        actor=Actor.for_user(buyer), order=delivered, case_type=CaseType.SELLER_UNRESPONSIVE, description="Silent"
    )

    assert case.case_type == CaseType.SELLER_UNRESPONSIVE


def test_seller_unresponsive_is_refused_before_the_policys_time_has_passed(delivered, buyer, at_now):
    hours = policy_current().seller_silence_hours
    contact_moment = NOW - dt.timedelta(hours=hours - 1)
    order = factories.OrderFactory(
        marketplace=delivered.marketplace, shop=delivered.shop, buyer=buyer, status=OrderStatus.DELIVERED
    )
    with clock.frozen(contact_moment):
        seller_contact_record(actor=Actor.for_user(buyer), order=order)

    with pytest.raises(CaseNotEligible) as refused:
        case_open(actor=Actor.for_user(buyer), order=order, case_type=CaseType.SELLER_UNRESPONSIVE, description="?")

    assert refused.value.extra["opens_at"] == (contact_moment + dt.timedelta(hours=hours)).isoformat()


# Files as evidence


def test_photos_sent_with_get_help_become_the_cases_evidence(delivered, scarf, buyer, at_now):
    photo = upload(buyer, samples.jpeg_with_gps(), "IMG_1.jpg")

    case = open_case(buyer, delivered, scarf, files=[photo])

    photo.refresh_from_db()
    assert (photo.owner_type, photo.owner_id) == ("cases.case", case.pk)


def test_another_persons_upload_cannot_become_a_cases_evidence(delivered, scarf, buyer, other_buyer, at_now):
    theirs = upload(other_buyer, samples.jpeg(), "theirs.jpg")

    with pytest.raises(AttachmentUnavailable):
        open_case(buyer, delivered, scarf, files=[theirs])

    assert not Case.objects.exists()


def test_the_seller_adds_a_photo_as_evidence_without_words(delivered, scarf, buyer, seller, at_now):
    case = open_case(buyer, delivered, scarf)
    proof = upload(seller, samples.png(), "packing.png")

    evidence = case_evidence_add(actor=Actor.for_user(seller), case=case, text="", attachment_ids=[proof.pk])

    proof.refresh_from_db()
    assert (evidence.party, proof.owner_type, proof.owner_id) == ("seller", "cases.caseevidence", evidence.pk)


def test_evidence_reaches_the_other_side_only(delivered, scarf, buyer, seller, at_now):
    case = open_case(buyer, delivered, scarf)
    before = set(Notification.objects.values_list("pk", flat=True))

    case_evidence_add(actor=Actor.for_user(buyer), case=case, text="The courier took it back")
    case_evidence_add(actor=Actor.for_user(seller), case=case, text="Tracking RA123456789RU")

    told = Notification.objects.exclude(pk__in=before).filter(kind="case.evidence_added")
    assert sorted(told.values_list("user__username", flat=True)) == sorted([seller.username, buyer.username])
    assert {notice.data["case"] for notice in told} == {case.pk}


def test_evidence_with_neither_words_nor_files_is_refused(delivered, scarf, buyer, at_now):
    case = open_case(buyer, delivered, scarf)

    with pytest.raises(DomainValidationError):
        case_evidence_add(actor=Actor.for_user(buyer), case=case, text="  ")

    assert not CaseEvidence.objects.exists()


# The pages


def test_get_help_offers_the_items_of_the_order_and_a_file_picker(delivered, buyer):
    html = client_as(buyer).get(reverse("cases:get_help", args=[delivered.pk])).content.decode()

    assert "Which item is it about?" in html
    assert "Wool scarf" in html
    assert "Linen tea towel" in html
    assert "data-attach-picker" in html
    assert "attachments/uploader.js" in html


def test_revisiting_get_help_does_not_post_the_description_again(delivered, buyer, at_now):
    client = client_as(buyer)
    client.post(reverse("cases:get_help_send", args=[delivered.pk]), help_post())

    client.get(reverse("cases:get_help", args=[delivered.pk]))
    client.post(reverse("cases:get_help", args=[delivered.pk]), help_post())
    client.post(reverse("cases:get_help", args=[delivered.pk]), help_post(client_token="page-2"))

    assert list(Message.objects.values_list("body", flat=True)) == ["The scarf arrived torn."]


def test_sending_the_same_page_twice_gives_the_seller_one_message(delivered, buyer, at_now):
    client = client_as(buyer)

    first = client.post(reverse("cases:get_help_send", args=[delivered.pk]), help_post())
    again = client.post(reverse("cases:get_help_send", args=[delivered.pk]), help_post())

    assert (first.status_code, again.status_code) == (302, 302)
    assert Message.objects.count() == 1


def test_sending_from_get_help_leaves_the_sellers_earlier_replies_unread(delivered, buyer, seller, at_now):
    order_message_post(actor=Actor.for_user(seller), order=delivered, body="Could you send a photo?")
    assert unread_total(Actor.for_user(buyer)) == 1

    client_as(buyer).post(reverse("cases:get_help_send", args=[delivered.pk]), help_post())

    assert unread_total(Actor.for_user(buyer)) == 1


def test_the_photo_sent_with_get_help_goes_with_the_message_to_the_seller(delivered, buyer, at_now):
    photo = upload(buyer, samples.jpeg(), "IMG_2.jpg")

    client_as(buyer).post(reverse("cases:get_help_send", args=[delivered.pk]), help_post(attachment_ids=[photo.pk]))

    photo.refresh_from_db()
    assert (photo.owner_type, photo.owner_id) == ("messaging.message", Message.objects.get().pk)


def test_the_next_step_shows_the_chosen_item_and_the_files_and_opens_the_case_with_them(
    delivered, scarf, buyer, at_now
):
    client = client_as(buyer)
    photo = upload(buyer, samples.jpeg_with_gps(), "IMG_3.jpg")
    fields = help_post(line=str(scarf.pk), attachment_ids=[photo.pk])

    step = client.post(reverse("cases:get_help", args=[delivered.pk]), fields)
    opened = client.post(reverse("cases:get_help_open", args=[delivered.pk]), fields)

    html = step.content.decode()
    assert "Wool scarf" in html
    assert "IMG_3.jpg" in html
    assert "Open a case" in html
    assert "Send to the seller" in html
    case = Case.objects.get()
    assert opened.status_code == 302
    assert (case.line_id, case.reason_detail) == (scarf.pk, "damaged")
    assert Attachment.objects.get(pk=photo.pk).owner_id == case.pk


def test_the_seller_and_support_see_the_buyers_photo_without_gps_and_another_buyer_gets_404(
    delivered, scarf, buyer, seller, operator, other_buyer, at_now
):
    photo = upload(buyer, samples.jpeg_with_gps(), "IMG_4.jpg")
    case = open_case(buyer, delivered, scarf, files=[photo])

    seller_page = client_as(seller).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    support_page = client_as(operator).get(reverse("cases:workspace", args=[case.pk])).content.decode()

    link = re.search(r'<a href="(/attachments/f/[^"]+/)" target="_blank"', seller_page)
    assert link is not None
    assert re.search(r'<a href="/attachments/f/[^"]+/" target="_blank"', support_page)
    assert 'alt="IMG_4.jpg"' in support_page
    served = client_as(seller).get(link.group(1))
    assert served.status_code == 200
    data = b"".join(served.streaming_content)
    assert not Image.open(io.BytesIO(data)).getexif()
    assert b"GPS" not in data
    assert client_as(other_buyer).get(link.group(1)).status_code == 404


def test_the_seller_adds_a_photo_from_the_case_page(delivered, scarf, buyer, seller, at_now):
    case = open_case(buyer, delivered, scarf)
    proof = upload(seller, samples.png(), "packing.png")

    response = client_as(seller).post(
        reverse("cases:case_act", args=[case.pk, "evidence"]),
        {"evidence-text": "How it was packed", "evidence-attachment_ids": [str(proof.pk)]},
    )

    assert response.status_code == 302
    evidence = CaseEvidence.objects.get()
    assert Attachment.objects.get(pk=proof.pk).owner_id == evidence.pk
    page = client_as(buyer).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'alt="packing.png"' in page


def test_a_refused_duplicate_links_to_the_open_case(delivered, scarf, buyer, at_now):
    first = open_case(buyer, delivered, scarf)

    step = client_as(buyer).post(reverse("cases:get_help", args=[delivered.pk]), help_post(line=str(scarf.pk)))

    html = step.content.decode()
    assert f"There is already an open case (no. {first.pk})" in html
    assert f'href="{reverse("cases:case_detail", args=[first.pk])}"' in html
    assert reverse("cases:get_help_open", args=[delivered.pk]) not in html
