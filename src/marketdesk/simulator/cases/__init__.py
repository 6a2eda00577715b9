"""Buyer-protection cases for a simulated marketplace, written through the case services only.

``marketplace_cases_simulate`` gives about 1.5 % of the shipped and delivered
orders a case (at least ``MIN_CASES``, so that a small demo shows every status;
at most ``MAX_CASES``, so that a large run stays fast). Each case follows a
*story* that ends in one status: awaiting the seller, an offer made, declined,
escalated, under review, awaiting information, decided (refund paid by the
seller or the platform, or the seller wins), appealed, decided on appeal,
resolved, withdrawn, expired or closed.

A story is a list of dated steps: the buyer contacts the seller, opens the case
after the policy allows it and inside the case type's window (item not received
from the estimated delivery date, not as described from delivery), and so on.
Deadlines (the seller's three business days, the appeal window, expiry after
idle business days) come from ``due_at`` with the policy in force, exactly as
the services compute them; every step lies before the epoch. Each step then runs
through its service under ``clock.frozen(step.at)``, so the timeline events,
conversation lines, notifications, ledger entries and webhooks are the ones a
real case writes (only the e-mail about that past counts as sent back then).
When a service refuses a step, that order's case is rolled back (one savepoint
per case) and the order is skipped.

Support operators (two English-, two Russian-speaking) are simulated users of
the marketplace; the demo ``operator`` login sees their queue like any other.

Every draw comes from the seed and the order's id, never the global random
source or the wall clock: the same seed and epoch give the same cases.
"""
