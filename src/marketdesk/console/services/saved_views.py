"""Saved views of the queue: an operator's named filters."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from marketdesk.accounts.models import User
from marketdesk.console.models import SavedQueueView
from marketdesk.console.selectors.queue import QueueFilters
from marketdesk.console.services.access import staff_require
from marketdesk.core.actors import Actor
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound

SAVED_VIEWS_MAX = 20
SAVED_VIEW_NAME_MAX = 60  # SavedQueueView.name's max_length


def saved_view_create(*, actor: Actor, name: str, filters: QueueFilters) -> SavedQueueView:
    """Save the queue's current view and filters under a name of the operator's (theirs alone)."""
    user = staff_require(actor)
    name = " ".join((name or "").split())
    if not name:
        raise DomainValidationError(_("Name the view."), field="name")
    if len(name) > SAVED_VIEW_NAME_MAX:
        raise DomainValidationError(_("Keep the name under 60 characters."), field="name")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)  # one operator's saves, one at a time
        mine = SavedQueueView.objects.filter(owner=user)
        # Compared here, not with name__iexact: SQLite folds only ASCII letters, and names are often Russian.
        if name.casefold() in {taken.casefold() for taken in mine.values_list("name", flat=True)}:
            raise Conflict(_("You already have a view called “%(name)s”.") % {"name": name}, field="name")
        if mine.count() >= SAVED_VIEWS_MAX:
            raise Conflict(
                _("You have %(count)s saved views, the most there can be; delete one first.")
                % {"count": SAVED_VIEWS_MAX}
            )
        return SavedQueueView.objects.create(owner=user, name=name, query=filters.to_query())


def saved_view_delete(*, actor: Actor, view_id: int) -> None:
    """Delete one of the operator's saved views (another's answers as missing)."""
    user = staff_require(actor)
    deleted, _rows = SavedQueueView.objects.filter(pk=view_id, owner=user).delete()
    if not deleted:
        raise NotFound()
