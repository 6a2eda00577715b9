"""Writes of cases: contact the seller, open, offer, escalate, review, decide, appeal, withdraw, expire, close.

Each service is one transaction that locks the order, then the case (CONTRIBUTING's
fixed order), checks who may act, changes the status only through
``transition()`` and writes side effects (ledger entries, webhooks) in the same
transaction. One module per stage of a case: ``contact``, ``opening``, ``offers``
(the buyer and the seller between themselves), ``evidence``, ``review``, ``decisions``
and ``scheduled``; ``common`` holds the lock and the checks they share.
"""
