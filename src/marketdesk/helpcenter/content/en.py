"""English starting articles: key → (category, slug, title, Markdown body)."""

from __future__ import annotations

ARTICLES_EN: dict[str, tuple[str, str, str, str]] = {
    # --- Delivery -----------------------------------------------------------------------------
    "track-order": (
        "delivery",
        "track-your-order",
        "Track your order",
        """
Every order in **My orders** shows its status and, once shipped, the carrier's tracking.

1. Open **My orders** and choose the order.
2. Look at the timeline: each carrier scan appears there with its date.
3. Read the hint at the top of the page — it tells you what, if anything, to do now.

## What the delivery statuses mean

| Status | What it means |
|---|---|
| Pending | The seller has not handed the parcel to the carrier yet. |
| In transit | The carrier has the parcel and is moving it. |
| Out for delivery | It should arrive today. |
| Failed attempt | The courier could not deliver; another try or pickup follows. |
| Available for pickup | Collect it from the pickup point shown. |
| Exception | Customs, address, refused, damaged or lost: see the hint. |

When a parcel has had no scan for {policy:stalled_after_days|days} we mark it **stalled**; after
{policy:likely_lost_after_days|days} without a scan in transit it is **likely lost**. See
[My parcel seems lost](/help/a/lost-parcel/).
""",
    ),
    "item-not-received": (
        "delivery",
        "item-not-received",
        "My order hasn't arrived",
        """
Most late parcels arrive within a few days of the estimate. Here is what to do, step by step.

1. **Check the tracking** in **My orders**. A customs hold or a failed delivery attempt usually
   explains the delay, and the hint on the order page says what to do.
2. **Wait until the latest estimated delivery date.** Before it, the parcel is not yet late.
3. **Contact the seller** from the order page: press **Get help**, choose *Delivery*, and describe
   the problem. Sellers can often ask the carrier directly.
4. **Open a case** if the seller has not solved it {policy:case_after_contact_hours|hours} after you
   wrote, or at once if the seller has not replied for {policy:seller_silence_hours|hours}.

> You can open an *item not received* case from the day after the latest estimated delivery date
> and for {policy:inr_window_days|days} after it. After that, buyer protection for this order ends.

The seller then has {policy:seller_response_business_days|business_days} to respond with a
refund, a reshipment or tracking that shows delivery.
""",
    ),
    "change-address": (
        "delivery",
        "change-delivery-address",
        "Change the delivery address",
        """
Whether the address can still change depends on where the parcel is. The order page tells you
which case applies before you ask.

- **Not yet shipped** — ask the seller: on the order page open **Full tracking** and press
  **Change the delivery**. The seller updates the shipment before handing it over.
- **In transit** — only possible when the carrier offers a redirect. If it does, the order page
  shows **Redirect parcel**; otherwise the address cannot change.
- **Out for delivery, or later** — the address can no longer change. You can usually pick the
  parcel up at the carrier's pickup point after a failed attempt, or refuse it and ask for a refund.

The delivery date and pickup point follow the same rules.
""",
    ),
    "lost-parcel": (
        "delivery",
        "lost-parcel",
        "My parcel seems lost",
        """
A parcel in transit with no scan for {policy:likely_lost_after_days|days} is marked **likely lost**.

1. Press **Get help** on the order and choose *Delivery* → *The parcel is late or stuck*.
2. The seller starts an **investigation with the carrier**. You do not need to contact the carrier
   yourself.
3. If the carrier confirms the loss, or the investigation gives no answer in time, you get **a
   refund or a reshipment** — you choose which when you open the request.

If the seller does not act within {policy:seller_response_business_days|business_days}, you can
escalate the case and our support team decides. Where the carrier is at fault, the seller claims
the money from the carrier; this never delays your refund.
""",
    ),
    "failed-delivery": (
        "delivery",
        "missed-delivery",
        "I missed the delivery",
        """
If the courier could not deliver, the tracking shows **Failed attempt** or **Available for pickup**.

- **Failed attempt**: most carriers try again the next working day. Check the carrier's notice for
  the date.
- **Available for pickup**: collect the parcel from the pickup point named in the tracking. Bring
  an ID and the order number. Carriers keep parcels for a limited time, then return them to the
  seller.
- **Returned to sender**: contact the seller from the order page. They can reship the order or
  refund you.
""",
    ),
    "customs": (
        "delivery",
        "parcel-held-at-customs",
        "My parcel is held at customs",
        """
Parcels from abroad may stop at customs. The tracking then shows **Exception — customs**.

1. Look for a notice from the carrier or the customs office: they may ask for a document, an
   identity number or a duty payment.
2. Provide what they ask as soon as you can; customs usually keeps a parcel for a limited time and
   then returns it to the seller.
3. If you can't or don't want to pay the duty, tell the seller through **Get help** → *Delivery*
   before the parcel is sent back.

A customs hold doesn't change your buyer protection: an *item not received* case is possible after
the latest estimated delivery date, for {policy:inr_window_days|days}.
""",
    ),
    # --- Item problems ------------------------------------------------------------------------
    "damaged-item": (
        "item",
        "damaged-item",
        "My item arrived damaged",
        """
Broken, cracked, dented or wet on arrival? Sorry about that. Act quickly and keep everything as it arrived.

1. **Take photos** of the item, the damage, the box and the shipping label before you throw
   anything away. A short video helps too.
2. **Keep the packaging** — the carrier may need it for its claim.
3. On the order page press **Get help** → *The item* → *It arrived damaged*, pick the item,
   describe what happened and press **Attach photos or video** to add your photos and video to
   the same form. Location data is removed from photos before anyone sees them.
4. The seller replies with an offer: a replacement, a full or partial refund, or a return for a
   refund. Return postage for a damaged item is never yours to pay.

You can open a case about a damaged item for {policy:snad_window_days|days} after delivery.
""",
    ),
    "not-as-described": (
        "item",
        "item-not-as-described",
        "Item not as described, wrong or incomplete",
        """
If what you received differs from the listing — a wrong size or colour, a different model, missing
parts, a fake — you are covered by buyer protection.

1. Press **Get help** on the order and choose *The item*, then the closest reason and the item.
2. Explain the difference and attach photos of the item next to the listing's details in the
   same form.
3. The seller has {policy:seller_response_business_days|business_days} to make an offer.
4. If you decline the offer or the seller does not answer, **escalate** the case to us.

The window for this kind of case is {policy:snad_window_days|days} after delivery. Don't use or
alter the item while the case is open: it may need to go back to the seller.
""",
    ),
    # --- Seller -------------------------------------------------------------------------------
    "contact-seller": (
        "seller",
        "contact-the-seller",
        "Contact the seller first",
        """
Sellers solve most problems fastest, so buyer protection starts with a message to them.

1. Open the order and press **Get help**.
2. Choose what is wrong. We first show any fix you can do yourself.
3. If that doesn't help, press **Send to the seller**: your description and the photos or video
   you attached go to the seller as a message.

Each order has one conversation with its seller. The page shows who owes a reply and since when.

**When can I open a case?** {policy:case_after_contact_hours|hours} after contacting the seller,
or straight away if the seller has not replied for {policy:seller_silence_hours|hours}.
""",
    ),
    "seller-unresponsive": (
        "seller",
        "seller-not-responding",
        "The seller isn't responding",
        """
If the seller has not replied for {policy:seller_silence_hours|hours}, you don't have to wait any
longer.

1. Open the order and press **Get help** → *The seller* → *The seller does not reply*.
2. Press **Open a case**. The seller is notified and has
   {policy:seller_response_business_days|business_days} to respond.
3. If the seller is still silent after that, press **Escalate to the platform** on the case. Our
   support team reviews the case and decides.

If the seller did reply within {policy:seller_silence_hours|hours}, this is not a case of a seller
who does not answer: pick the problem itself (the item, the delivery, the refund) instead.

Sellers who don't answer buyers fall below our standards: we expect first replies within
{policy:first_reply_target_hours|hours}.
""",
    ),
    "seller-offer": (
        "seller",
        "respond-to-an-offer",
        "Respond to the seller's offer",
        """
In a case, the seller may offer a **full refund**, a **partial refund**, a **replacement** or a
**return for a refund**.

- **Accept** — the case is resolved and the seller carries out the offer. Refunds are sent to your
  original payment method.
- **Decline** — tell the seller why. You can keep talking, or escalate the case so that our
  support team decides.

You're never obliged to accept the first offer. If the seller makes no offer within
{policy:seller_response_business_days|business_days}, you can escalate.
""",
    ),
    # --- Returns ------------------------------------------------------------------------------
    "start-return": (
        "returns",
        "return-an-item",
        "Return an item",
        """
You can ask to return an item for {policy:return_window_days|days} after delivery, or longer if the
seller's own policy says so.

1. Open the order and press **Return an item**.
2. Choose the items and the reason.
3. If the return fits the seller's policy, it is **approved at once**. Otherwise the seller decides
   within {policy:return_seller_decision_business_days|business_days}; if they don't, the return is
   approved automatically.
4. Once approved, you get a return label with a QR code. See
   [Ship your return](/help/a/ship-your-return/).

Each stage of the return shows on the order page with its date.
""",
    ),
    "ship-return": (
        "returns",
        "ship-your-return",
        "Ship your return",
        """
After the return is approved:

1. **Pack the item** securely, with everything it came with.
2. **Print the label** or show the **QR code** at the drop-off point — no printer needed.
3. **Ship within {policy:return_ship_business_days|business_days}** of approval, or the return
   request may close.
4. Keep the receipt. The return's tracking appears on the order page.

When the seller receives and checks the item, the refund follows within
{policy:return_refund_business_days|business_days}.
""",
    ),
    "return-refused": (
        "returns",
        "return-refused",
        "The seller refused my return",
        """
A seller can refuse a return that doesn't fit their policy, and must give a reason.

- If you think the refusal is wrong — for example the item is faulty or not as described — press
  **Open a case about the refusal** on the return request. Our support team decides.
- If the item is faulty or not as described, you are covered by buyer protection for
  {policy:snad_window_days|days} after delivery, whatever the seller's return policy says.
""",
    ),
    "exchange": (
        "returns",
        "exchange-an-item",
        "Exchange an item",
        """
When you start the return, pick *Exchange for the same item* instead of a refund.

1. Ship the original back as for any return.
2. When the seller receives it, a **replacement shipment** is created and tracked on the order page.
3. If the replacement is out of stock, you get a refund instead.
""",
    ),
    # --- Refunds ------------------------------------------------------------------------------
    "refund-timing": (
        "refund",
        "when-will-i-get-my-refund",
        "When will I get my refund?",
        """
- **After a return**: the seller refunds within {policy:return_refund_business_days|business_days}
  of receiving the item. If the seller is late, we refund you ourselves.
- **After a case decision or an accepted offer**: the refund is issued at once.

Refunds go back to the payment method you used. After we send it, your bank or card issuer
usually takes **3–10 business days** to show it on your statement. The order page shows the date
the refund was sent.
""",
    ),
    "refund-not-received": (
        "refund",
        "refund-not-received",
        "I haven't received my refund",
        """
1. Check the order page: it shows whether the refund was sent, when, and how much.
2. If it says **sent**, allow your bank a few business days, then look for it on your statement —
   it may appear under the marketplace's name, not the seller's.
3. If the seller promised a refund but the order shows none, press **Get help** → *Refund or
   return* → *My refund has not arrived*. The seller has
   {policy:seller_response_business_days|business_days} to respond, then you can escalate.

A refund is recorded once per decision and never exceeds what you paid.
""",
    ),
    "partial-refund": (
        "refund",
        "partial-refund",
        "Partial refunds",
        """
A seller may offer part of the price back — for example for a small scratch — so that you can keep
the item. Accept it only if it feels fair. If you decline, you can still ask for a return or
escalate the case. A partial refund can't be taken back by the seller once you've accepted it.
""",
    ),
    # --- Payment ------------------------------------------------------------------------------
    "payment-problems": (
        "payment",
        "payment-problems",
        "Payment declined or charged twice",
        """
Payments are handled by the marketplace's payment provider; marketdesk records what happened and
helps you get it fixed.

- **Payment declined**: check the card details and limits, or try another method. A declined
  payment takes no money.
- **Charged twice**: a second charge is often a temporary hold that disappears within a few days.
  If it is still there, press **Get help** → *Payment* on the order and attach a screenshot of your
  statement.
- **Charged but no order**: wait an hour — the order may still be arriving from the marketplace.
  Then contact support with the date and amount.
""",
    ),
    "payment-methods": (
        "payment",
        "payment-and-receipts",
        "Receipts and payment details",
        """
The order page lists each payment with its amount, method and date. Invoices and receipts are
issued by the seller: ask for one in the order's conversation. marketdesk never asks for your card
number — never send it in a message.
""",
    ),
    # --- Buyer protection -----------------------------------------------------------------------
    "open-case": (
        "cases",
        "open-a-case",
        "Open a case (buyer protection)",
        """
A case asks the seller, and if needed marketdesk, to put things right.

**Before you open one**, contact the seller through **Get help**. You can open the case
{policy:case_after_contact_hours|hours} after that, or at once if the seller hasn't replied for
{policy:seller_silence_hours|hours}.

**Time limits**

| Problem | You can open a case |
|---|---|
| Item not received | after the latest estimated delivery date, for {policy:inr_window_days\\|days} |
| Not as described, damaged, wrong, missing parts | for {policy:snad_window_days\\|days} after delivery |

The order page warns you {policy:protection_closing_warning_days|days} before a window closes.
The seller has {policy:seller_response_business_days|business_days} to respond.
""",
    ),
    "escalate-case": (
        "cases",
        "ask-us-to-step-in",
        "Ask marketdesk to step in",
        """
If you decline the seller's offer or the seller is silent for
{policy:seller_response_business_days|business_days}, press **Escalate to the platform** on the
case.

- A support specialist reviews the order, the tracking, the conversation and both sides' evidence.
- We aim to decide within {policy:decision_target_hours|hours} of escalation.
- The decision says what happens, who pays and why. Both you and the seller see it.
""",
    ),
    "info-request": (
        "cases",
        "we-need-more-information",
        "We asked you for more information",
        """
While deciding, our support team may ask you (or the seller) for something specific — a photo, a
tracking number, a document.

- Answer in the case within **{policy:info_request_hours|hours}**. The deadline is shown on the case.
- If there is no answer in time, we decide on the evidence we already have.
- Photos and video go under **Add evidence** on the case page, with your answer.
""",
    ),
    "appeal": (
        "cases",
        "appeal-a-decision",
        "Appeal a decision",
        """
If you disagree with a decision and have **new information**, you can appeal — once.

1. Open the case and press **File the appeal** within {policy:appeal_window_days|days} of the
   decision.
2. Explain what is new; photos or video go under **Add evidence** on the case page. Repeating the
   same arguments rarely changes a decision.
3. A different support specialist reviews the case and decides. That decision is final.

A decided case is never edited, so the original decision stays in the history next to the appeal.
""",
    ),
    "case-closed": (
        "cases",
        "why-was-my-case-closed",
        "Why was my case closed?",
        """
A case closes when:

- it is **resolved** — you accepted an offer or we decided;
- you **withdrew** it;
- it **expired** — nobody escalated it or wrote in it for
  {policy:case_expiry_business_days|business_days}.

A closed case can't be reopened, but you can open a new one that **refers to it** if the problem
comes back, as long as the time limits still allow.
""",
    ),
    "protection-closing": (
        "cases",
        "protection-window-closing",
        "Your protection window is closing",
        """
When the time to open a case is about to run out, the order page shows a warning
{policy:protection_closing_warning_days|days} before the end.

- **Still waiting for the parcel?** Open an *item not received* case now — you can close it if the
  parcel arrives.
- **Problem with the item?** Open the case with photos now; the seller can still make an offer.
- **Everything fine?** Nothing to do: the warning disappears when the window closes.

After the window closes, buyer protection for the order ends and only the seller can help.
""",
    ),
    "seller-standards": (
        "seller",
        "seller-standards",
        "How we hold sellers to standards",
        """
Every seller is measured over a rolling {policy:standards_window_days|days}. We look at:

- **Defects** — orders with a case, a cancellation by the seller or a late shipment;
- **cases closed without the seller's help**;
- **late shipments** and **valid tracking**;
- **first replies** to buyers within {policy:first_reply_target_hours|hours}.

Sellers are rated *top rated*, *standard* or *below standard*. Those below standard are warned,
then restricted and, if nothing improves, suspended. Your cases and reviews feed these numbers,
so reporting a problem helps other buyers too.
""",
    ),
    # --- Account ------------------------------------------------------------------------------
    "attachments": (
        "account",
        "photos-and-attachments",
        "Add photos, videos and documents",
        """
Evidence helps a seller or support specialist understand the problem quickly.

- **Allowed files**: photos (JPEG, PNG, WebP, HEIC, GIF), videos (MP4, MOV, WebM) and PDF.
- **Size**: up to {policy:attachment_max_mb|mb} each, {policy:attachments_per_message|files} per
  message.
- **Privacy**: we remove hidden metadata such as the GPS location from photos. Only the people in
  the conversation can open your files.
""",
    ),
    "language-notifications": (
        "account",
        "language-and-notifications",
        "Language and notifications",
        """
- **Language**: switch between English and Russian with **EN / RU** at the top of any page. Your
  choice is saved to your account.
- **Notifications**: we notify you in the app and by email when the seller replies, an offer or a
  decision arrives, or a deadline is close. Emails never include the messages of other people's
  cases.
""",
    ),
    # --- Other --------------------------------------------------------------------------------
    "contact-support": (
        "other",
        "contact-support",
        "Contact support",
        """
Our support team handles cases that buyers and sellers can't settle themselves.

1. Start from the order: press **Get help** and pick the closest reason. That sends your request to
   the right place with the order attached.
2. If the seller can't or won't help, open a case and, when allowed, press **Escalate to the
   platform**.
3. For anything else about an order, press **Get help** → *Something else*.

We never ask for passwords or card numbers.
""",
    ),
    "cancel-order": (
        "other",
        "cancel-an-order",
        "Cancel an order",
        """
- **Not yet shipped**: ask the seller to cancel through **Get help** → *The seller* → *Another
  problem with the seller*, then **Send to the seller**.
  If they agree, the full amount is refunded.
- **Already shipped**: the order can't be cancelled. Wait for it to arrive and
  [return it](/help/a/return-an-item/) within {policy:return_window_days|days} of delivery.
""",
    ),
}
