"""A generic test of one transition table: every (from, to) pair, as every role.

Any ``StatefulModel`` is tested the same way: build a ``TransitionMatrix`` from
its table, the hand-written page of who may make each move
(``tests/transition_spec.py``) and the roles that exist, parametrize three tests
with ``allowed()``, ``refused_roles()`` and ``not_in_table()``, and call
``assert_move_recorded`` / ``assert_move_refused`` with a subject made in the
source status::

    MATRIX = TransitionMatrix(CASE_TRANSITIONS, spec.CASES, roles=tuple(Role.values))

    @pytest.mark.parametrize(("source", "target", "role"), MATRIX.allowed())
    def test_allowed_move(case_in, actor_as, source, target, role):
        MATRIX.assert_move_recorded(case_in(source), target=target, actor=actor_as(role))

The pair lists come from the page, never from the table under test: a move the
table grants and the page does not is tried as a refusal and fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from _pytest.mark import ParameterSet
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainError, PermissionDenied, TransitionNotAllowed
from marketdesk.core.models import TimelineEvent
from marketdesk.core.transitions import StatefulModel, TransitionTable, transition
from marketdesk.orders.models import Marketplace
from tests import factories
from tests.transition_spec import Spec

SubjectFactory = Callable[[str], StatefulModel]
ActorFactory = Callable[[str], Actor]


def timeline_of(subject: StatefulModel) -> QuerySet[TimelineEvent]:
    """Return every timeline event about ``subject``, oldest first."""
    return TimelineEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).order_by("id")


def status_of(subject: StatefulModel) -> str:
    return str(getattr(subject, type(subject).TRANSITIONS.field))


def status_in_db(subject: StatefulModel) -> str:
    field = type(subject).TRANSITIONS.field
    return type(subject)._default_manager.values_list(field, flat=True).get(pk=subject.pk)


def actor_for_role(role: str, *, marketplace: Marketplace) -> Actor:
    """Return an actor of ``role`` on ``marketplace`` (a new user for the person roles)."""
    makers: dict[str, Callable[[], Actor]] = {
        Role.BUYER: lambda: Actor.for_user(factories.BuyerFactory(marketplace=marketplace)),
        Role.SELLER: lambda: Actor.for_user(factories.SellerFactory(marketplace=marketplace)),
        Role.OPERATOR: lambda: Actor.for_user(factories.OperatorFactory(marketplace=marketplace)),
        Role.ADMIN: lambda: Actor.for_user(factories.AdminFactory(marketplace=marketplace)),
        Role.MARKETPLACE: lambda: Actor.marketplace(marketplace_id=marketplace.pk),
        Role.SYSTEM: Actor.system,
    }
    return makers[role]()


@dataclass(frozen=True)
class TransitionMatrix:
    """Every (from, to) pair of one table, split into what must succeed and what must be refused."""

    table: TransitionTable
    expected: Spec
    roles: tuple[str, ...]

    @property
    def states(self) -> list[str]:
        return [str(s) for s in self.table.states.values]

    @property
    def acting_roles(self) -> list[str]:
        """Roles that make at least one move (a missing pair must be refused even for them)."""
        return sorted({role for roles in self.expected.values() for role in roles})

    def allowed(self) -> list[ParameterSet]:
        """(source, target, role) for each move on the page and each role that may make it."""
        return [
            pytest.param(source, target, role, id=f"{source}->{target}-as-{role}")
            for (source, target), roles in self.expected.items()
            for role in sorted(roles)
        ]

    def refused_roles(self) -> list[ParameterSet]:
        """(source, target, role) for each move on the page and each existing role that may not make it."""
        return [
            pytest.param(source, target, role, id=f"{source}->{target}-as-{role}")
            for (source, target), roles in self.expected.items()
            for role in self.roles
            if role not in roles
        ]

    def not_in_table(self) -> list[ParameterSet]:
        """(source, target, role) for each pair of states the table does not list."""
        return [
            pytest.param(source, target, role, id=f"{source}->{target}-as-{role}")
            for source in self.states
            for target in self.states
            if (source, target) not in self.expected
            for role in self.acting_roles
        ]

    def pairs_covered(self) -> set[tuple[str, str]]:
        """Every (source, target) that ``allowed()`` or ``not_in_table()`` exercises."""
        return {(p.values[0], p.values[1]) for p in [*self.allowed(), *self.not_in_table()]}  # type: ignore[misc]

    def assert_move_recorded(self, subject: StatefulModel, *, target: str, actor: Actor) -> None:
        """Make the move and check the status and the one timeline event it appends."""
        source = status_of(subject)
        before = list(timeline_of(subject).values_list("id", flat=True))

        move = transition(subject, to=target, actor=actor)

        assert (move.source, move.target) == (source, target)
        assert (status_of(subject), status_in_db(subject)) == (target, target)
        appended = timeline_of(subject).exclude(id__in=before)
        # A bookkeeping move (no event in the table) appends nothing; any other appends its one event.
        recorded = [
            (move.event, {"source": source, "target": target, "extra": {}}, actor.role, getattr(actor.user, "pk", None))
        ]
        assert [(e.event_type, e.payload, e.actor_role, e.actor_user_id) for e in appended] == recorded[
            : int(move.event is not None)
        ]

    def assert_move_refused(
        self, subject: StatefulModel, *, target: str, actor: Actor, error: type[DomainError]
    ) -> None:
        """Try the move, expect exactly ``error``, and check that nothing changed."""
        source = status_of(subject)
        events_before = timeline_of(subject).count()

        with pytest.raises(error) as refused:
            transition(subject, to=target, actor=actor)

        assert refused.type is error
        assert (status_of(subject), status_in_db(subject)) == (source, source)
        assert timeline_of(subject).count() == events_before

    def assert_role_refused(self, subject: StatefulModel, *, target: str, actor: Actor) -> None:
        self.assert_move_refused(subject, target=target, actor=actor, error=PermissionDenied)

    def assert_pair_refused(self, subject: StatefulModel, *, target: str, actor: Actor) -> None:
        self.assert_move_refused(subject, target=target, actor=actor, error=TransitionNotAllowed)
