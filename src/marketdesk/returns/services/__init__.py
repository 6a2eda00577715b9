"""Writes of returns: request, approve or refuse, ship back, receive, inspect, refund, exchange, lapse, escalate.

Each service is one transaction that locks the order, then the return (the fixed
order of CONTRIBUTING), checks who may act, changes the status only through
``transition()`` and writes its side effects (ledger entries, webhooks, notices)
in the same transaction. Money goes through ``ledger_record_decision`` under one
decision key per return (``return:<id>:refund``), so a refund is recorded once
however often a step is retried, and the platform's refund and the seller's can
never both happen. Parcels (the one sent back, an exchange's replacement) are
shipments of the shipping app, made by ``shipment_create`` in the same transaction.

One module per stage: ``windows`` (who may return what, until when), ``requesting``,
``approval`` (the seller's decision), ``receipt`` (shipping back and receiving),
``inspection`` (inspection and money) and ``deadlines`` (the periodic tasks' work);
``common`` holds the lock, the notices and the checks they share.
"""
