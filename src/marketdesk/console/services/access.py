"""Who may act in the console, and the lock every write on a case takes first."""

from __future__ import annotations

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case
from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import NotFound, PermissionDenied
from marketdesk.orders.models import Order

STAFF = (Role.OPERATOR, Role.ADMIN)


def staff_require(actor: Actor) -> User:
    """Return the operator or administrator acting, refusing anyone else."""
    if actor.role not in STAFF or actor.user is None:
        raise PermissionDenied()
    return actor.user


def case_locked(case_id: int) -> Case:
    """Lock the case's order, then the case; return the case fresh, with its assignee."""
    order_id = Case.objects.filter(pk=case_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound()
    Order.objects.select_for_update().get(pk=order_id)
    return Case.objects.select_for_update().get(pk=case_id)
