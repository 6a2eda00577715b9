"""``marketdesk simulate``: fill a marketplace from a seed, or keep one moving (``--tick``)."""

from __future__ import annotations

import datetime as dt
import random
import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from marketdesk.core.errors import DomainError
from marketdesk.core.outbox import outbox_sweep
from marketdesk.core.periodic import periodic_enqueue_due
from marketdesk.orders.models import Marketplace
from marketdesk.simulator.abuse import marketplace_abuse_simulate
from marketdesk.simulator.cases.run import marketplace_cases_simulate
from marketdesk.simulator.returns import marketplace_returns_simulate
from marketdesk.simulator.services.demo import demo_accounts_ensure
from marketdesk.simulator.services.loading import DEFAULT_NAME, DEFAULT_SLUG, marketplace_simulate, simulation_epoch
from marketdesk.simulator.services.ticking import simulation_tick
from marketdesk.simulator.shipping import marketplace_shipments_simulate
from marketdesk.standards.services import standards_nightly


def _aware(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now takes an ISO date or date-time, not {value!r}") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = (
        "Build a deterministic simulated marketplace from a seed (shops, buyers, orders in every status "
        "with their timelines, and buyer-protection cases in every status), or with --tick keep it moving "
        "like a live marketplace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--orders", type=int, default=1000, help="How many orders to generate (default 1000).")
        parser.add_argument(
            "--now",
            type=_aware,
            default=None,
            help="End of the simulated timeline (ISO date-time); default today 00:00 UTC.",
        )
        parser.add_argument("--marketplace", default=DEFAULT_SLUG, help="Marketplace slug (default demo).")
        parser.add_argument("--name", default=DEFAULT_NAME, help="Marketplace name when it is created.")
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            help="Also create the logins buyer, seller, operator and admin (password demo). Refused in production.",
        )
        parser.add_argument("--batch-size", type=int, default=2000, help="Orders per transaction (default 2000).")
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help="Skip the cases (by default about 1.5 %% of shipped and delivered orders get one, 30 to 200).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only errors.")
        parser.add_argument("--tick", action="store_true", help="Keep the marketplace moving until stopped.")
        parser.add_argument("--every", type=float, default=20.0, help="Seconds between ticks (default 20).")
        parser.add_argument("--ticks", type=int, default=0, help="Stop after this many ticks (default: never).")

    def handle(self, *args: Any, **options: Any) -> None:
        self.quiet = options["quiet"]
        want_demo = options["demo_accounts"] or settings.DEMO_MODE
        if want_demo and settings.PRODUCTION:
            raise CommandError(
                "Refusing to create demo accounts: this is a production instance (MARKETDESK_ENV=production), "
                "and demo logins have the well-known password 'demo'."
            )
        if options["tick"]:
            self._tick(options)
            return
        if options["orders"] < 0:
            raise CommandError("--orders cannot be negative.")
        epoch = options["now"] or simulation_epoch()
        started = time.monotonic()

        def report(done: int, total: int) -> None:
            self._say(f"  {done:,} / {total:,} orders ({time.monotonic() - started:.1f} s)")

        # The debug cursor would format and keep every bulk INSERT: minutes and gigabytes at 100k orders.
        with override_settings(DEBUG=False):
            result = marketplace_simulate(
                seed=options["seed"],
                orders=options["orders"],
                epoch=epoch,
                slug=options["marketplace"],
                name=options["name"],
                batch_size=options["batch_size"],
                progress=report,
            )
            cases_note = ""
            if not options["no_cases"]:
                cases = marketplace_cases_simulate(marketplace=result.marketplace, seed=options["seed"], epoch=epoch)
                marketplace_shipments_simulate(marketplace=result.marketplace, seed=options["seed"])
                marketplace_returns_simulate(marketplace=result.marketplace, seed=options["seed"], epoch=epoch)
                # After the returns: those seed only a marketplace that has none yet.
                marketplace_abuse_simulate(marketplace=result.marketplace, seed=options["seed"], epoch=epoch)
                standards_nightly()  # the sellers' standing from what was just seeded
                cases_note = (
                    "; cases were already there"
                    if cases.already_there
                    else f"; {cases.created:,} cases ({cases.refused:,} refused by the case services)"
                )
        if want_demo:
            try:
                demo_accounts_ensure(marketplace=result.marketplace, seed=options["seed"])
            except DomainError as exc:
                raise CommandError(str(exc.message)) from exc
        self._say(
            f"Simulated {result.marketplace.slug!r} (seed {options['seed']}): {result.orders_created:,} orders created, "
            f"{result.orders_skipped:,} already there; {result.lines:,} lines, {result.payments:,} payments, "
            f"{result.events:,} timeline events; {result.shops:,} shops, {result.buyers:,} buyers"
            f"{cases_note}; {time.monotonic() - started:.1f} s"
            + ("; demo logins buyer, seller, operator, admin (password demo)" if want_demo else "")
        )

    def _tick(self, options: dict[str, Any]) -> None:
        marketplace = Marketplace.objects.filter(slug=options["marketplace"]).first()
        if marketplace is None:
            raise CommandError(f"No marketplace {options['marketplace']!r}; run simulate without --tick first.")
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        rng = random.Random(options["seed"] * 7919 + int(time.time()))
        ticks = 0
        self._say(f"Marketplace {marketplace.slug!r} keeps moving every {options['every']:g} s (Ctrl-C stops).")
        while not stop.is_set():
            try:
                result = simulation_tick(marketplace=marketplace, rng=rng)
                sent = outbox_sweep()
                # The demo has no separate scheduler: the marketplace loop enqueues periodic work.
                periodic_enqueue_due()
            except DomainError as exc:
                self.stderr.write(f"tick failed: {exc.message}")
            else:
                moved = ", ".join(f"{ext} → {status}" for ext, status in result.advanced) or "nothing moved"
                placed = f"; new order {', '.join(result.created)}" if result.created else ""
                self._say(f"tick: {moved}{placed}; {sent} outbox message(s) delivered")
            ticks += 1
            if options["ticks"] and ticks >= options["ticks"]:
                break
            stop.wait(options["every"])

    def _say(self, text: str) -> None:
        if not self.quiet:
            self.stdout.write(text)
