"""Reads of the console, scoped to the operator or administrator who asks (other roles read nothing).

``queue`` (the saved views, their filters and counts), ``queue_pages`` (a page of the merged queue of
cases and returns), ``team`` (saved views, the operators and their work), ``audit``, ``macros`` and
``satisfaction``.
"""
