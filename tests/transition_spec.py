"""Who may make each move, written by hand from PRODUCT.md, that the code's transition tables are held to.

Each table lists ``from -> to : roles``, with the status values and role names spelled out, never taken
from the code under test: a rule changed in a ``states.py`` (a role added to a move, a move added or
dropped) fails ``tests/core/test_transition_table.py`` until this page says the same, and the per-app
matrix tests then try every listed move as every role, and every unlisted pair, through ``transition()``.
"""

from __future__ import annotations

Spec = dict[tuple[str, str], frozenset[str]]


def parse(text: str) -> Spec:
    """Read ``source -> target : role, role`` lines (blank lines and ``#`` comments skipped)."""
    spec: Spec = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        pair, roles = line.split(":")
        source, target = (part.strip() for part in pair.split("->"))
        assert (source, target) not in spec, f"listed twice: {line}"
        spec[(source, target)] = frozenset(role.strip() for role in roles.split(","))
    return spec


# Buyer protection (PRODUCT: "Help requests and cases").
CASES = parse("""
    # The seller has 3 business days to respond with an offer; after a decline the seller may offer again.
    awaiting_seller -> offer_made   : seller
    declined        -> offer_made   : seller
    # The buyer accepts the offer -> resolved, or declines it.
    offer_made      -> resolved     : buyer
    offer_made      -> declined     : buyer
    # Declined, or the seller is silent -> either party escalates; a suspended seller's case goes
    # to the platform at once (seller standards), by the system.
    awaiting_seller -> escalated    : buyer, seller, system
    declined        -> escalated    : buyer, seller
    # Under review: an operator may request information; either party answers; silence means deciding
    # on the evidence at hand.
    escalated       -> under_review : operator, admin
    under_review    -> awaiting_info : operator, admin
    awaiting_info   -> under_review : buyer, seller
    under_review    -> decided      : operator, admin
    awaiting_info   -> decided      : operator, admin
    # Appeal: once, by either party; a second operator decides.
    decided         -> appealed     : buyer, seller
    appealed        -> decided_on_appeal : operator, admin
    # The buyer can withdraw before a decision.
    awaiting_seller -> withdrawn    : buyer
    offer_made      -> withdrawn    : buyer
    declined        -> withdrawn    : buyer
    escalated       -> withdrawn    : buyer
    under_review    -> withdrawn    : buyer
    awaiting_info   -> withdrawn    : buyer
    # No escalation or activity for 21 business days: it closes as expired (the scheduler).
    awaiting_seller -> expired      : system
    offer_made      -> expired      : system
    declined        -> expired      : system
    # Finished cases close: by the scheduler once the appeal window ends, or by staff.
    resolved        -> closed       : system, operator, admin
    decided         -> closed       : system, operator, admin
    decided_on_appeal -> closed     : system, operator, admin
""")

# The seller's offer on a case: the buyer answers it; it is withdrawn with its case (the buyer
# withdraws the case, or the case expires).
OFFERS = parse("""
    pending -> accepted  : buyer
    pending -> declined  : buyer
    pending -> withdrawn : buyer, system
""")

# Returns and exchanges (PRODUCT: "Returns and exchanges").
RETURNS = parse("""
    # In policy: approved automatically; otherwise the seller (or staff for them) approves or refuses;
    # silence approves (the system).
    requested -> approved  : system, seller, operator, admin
    requested -> refused   : seller, operator, admin
    # The buyer may change their mind before shipping.
    requested -> cancelled : buyer
    approved  -> cancelled : buyer
    # Keep the item (issue 20: a refund within the policy's band, a buyer without risk): approving refunds at once.
    requested -> refunded  : system, seller, operator, admin
    # A refusal can be escalated to a case, by the buyer.
    refused   -> escalated : buyer
    # The buyer ships within 5 business days (or the marketplace reports the scan), else it lapses.
    approved  -> shipped   : buyer, marketplace
    approved  -> lapsed    : system
    # Received: by the seller, their warehouse through the marketplace, or staff.
    approved  -> received  : seller, marketplace, operator, admin
    shipped   -> received  : seller, marketplace, operator, admin
    # Inspected: refund (the platform refunds when the seller is late), exchange, or nothing accepted.
    received  -> refunded  : system, seller, operator, admin
    received  -> replacement_requested : seller, operator, admin
    received  -> closed    : seller, operator, admin
    received  -> refund_offered : seller, operator, admin
    # Exchange: a replacement shipment; out of stock, the buyer takes the refund offered.
    replacement_requested -> replacement_shipped : seller, marketplace, operator, admin
    refund_offered -> refunded : buyer
""")

# A refund instruction is delivered to the marketplace "until acknowledged" (PRODUCT: money).
LEDGER_INSTRUCTIONS = parse("""
    instructed -> acknowledged : marketplace
""")

# Money at stake: the platform releases a payout hold when its case or return ends (never a person).
PAYOUT_HOLDS = parse("""
    held -> released : system
""")

# Signed webhooks: the worker settles each attempt; the marketplace, an administrator or the platform
# (an unacknowledged refund instruction) sends one again, also while it is still being tried.
WEBHOOK_DELIVERIES = parse("""
    pending   -> delivered : system
    pending   -> failed    : system
    pending   -> pending   : marketplace, admin, system
    delivered -> pending   : marketplace, admin, system
    failed    -> pending   : marketplace, admin, system
""")

# A standards computation is run by the worker only; a failed run is tried again.
STANDARDS_JOBS = parse("""
    queued  -> running : system
    failed  -> running : system
    running -> done    : system
    running -> failed  : system
""")

# Seller enforcement: proposed by the nightly run (which also drops it when the seller recovers) or an
# operator; applied or dismissed by staff; appealed once by the seller; decided or lifted by staff.
ENFORCEMENTS = parse("""
    proposed -> active    : operator, admin
    proposed -> dismissed : operator, admin, system
    active   -> appealed  : seller
    appealed -> revoked   : operator, admin
    appealed -> active    : operator, admin
    active   -> lifted    : operator, admin
""")

# A buyer's protection restriction (risk): applied in force with notice, appealed once by the buyer.
BUYER_RESTRICTIONS = parse("""
    active   -> appealed  : buyer
    appealed -> revoked   : operator, admin
    appealed -> active    : operator, admin
    active   -> lifted    : operator, admin
""")

# An order's status follows the marketplace's feed (its API, the simulated marketplace, an administrator).
ORDERS = parse("""
    placed    -> paid      : marketplace, system, admin
    placed    -> cancelled : marketplace, system, admin
    paid      -> shipped   : marketplace, system, admin
    paid      -> cancelled : marketplace, system, admin
    paid      -> partially_refunded : marketplace, system, admin
    paid      -> refunded  : marketplace, system, admin
    shipped   -> delivered : marketplace, system, admin
    shipped   -> partially_refunded : marketplace, system, admin
    shipped   -> refunded  : marketplace, system, admin
    delivered -> partially_refunded : marketplace, system, admin
    delivered -> refunded  : marketplace, system, admin
    partially_refunded -> refunded : marketplace, system, admin
""")

# Delivery changes: the seller (or the marketplace, the carrier's answer, staff) answers; the buyer withdraws.
DELIVERY_CHANGES = parse("""
    requested -> accepted  : seller, marketplace, system, operator, admin
    requested -> declined  : seller, marketplace, system, operator, admin
    requested -> withdrawn : buyer
""")

# Lost parcel: an investigation ends found, refunded or reshipped.
INVESTIGATIONS = parse("""
    open -> found     : operator, admin, system, marketplace, seller
    open -> refunded  : operator, admin, system, marketplace, seller
    open -> reshipped : operator, admin, system, marketplace, seller
""")

# Attachments are checked and re-encoded by the worker.
ATTACHMENTS = parse("""
    processing -> ready  : system
    processing -> failed : system
""")

# Message safety (issue "Trust and safety"): a flagged message is held for review or delivered with a
# warning; support releases or blocks it. The parties never move a flag.
MESSAGE_FLAGS = parse("""
    held   -> released : operator, admin
    held   -> blocked  : operator, admin
    warned -> released : operator, admin
    warned -> blocked  : operator, admin
""")
