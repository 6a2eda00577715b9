"""The scaffolding that cases and returns share: the dispute-like objects of marketdesk.

A case and a return are both an order's dispute between its buyer and its shop, with a status, a
deadline in the marketplace's business calendar, notices to the parties and a page each party
reads. What is the same about them lives here, once: text checks (``text``), the parties' notices
(``notices``), the deadline a page shows in its calendar (``presenters``), the API's list filters
and error maps (``api``) and the page partials (``templates/disputes/``).

Its floor: the bottom of the capabilities, above core, orders and notifications (which it uses) and below
cases and returns (which use it); it knows neither of them.
"""
