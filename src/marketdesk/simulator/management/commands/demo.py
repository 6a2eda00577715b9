"""``marketdesk demo``: the whole product on one machine, with a marketplace that keeps moving.

Migrates, seeds the demo marketplace once, then runs four children in demo
mode (``MARKETDESK_DEMO=1``): the web server, the task worker, the simulated
marketplace's ticker and its storefront — a real OpenID provider on the next
port, where the demo people sign in and go to marketdesk with "Get help". Ctrl-C or SIGTERM stops them all; if one dies,
the others are stopped and the command exits non-zero.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from marketdesk.accounts.models import User
from marketdesk.orders.models import Order
from marketdesk.simulator.services.demo import DEMO_PASSWORD, DEMO_USERNAMES, demo_accounts_ensure
from marketdesk.simulator.services.loading import DEFAULT_SLUG

STOP_GRACE_SECONDS = 10
STOREFRONT_SETTINGS = "marketdesk.simulator.storefront.settings"


class Command(BaseCommand):
    help = "Run the demo: migrate, seed the demo marketplace, start the web server, worker and live marketplace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--storefront-port", type=int, default=0, help="The storefront's port (default: the next one)."
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--orders", type=int, default=300, help="Orders to seed an empty demo (default 300).")
        parser.add_argument("--every", type=float, default=20.0, help="Seconds between marketplace ticks.")
        parser.add_argument(
            "--server",
            choices=["uvicorn", "runserver"],
            default="uvicorn",
            help="Web server: uvicorn (default) or Django's runserver.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo never runs on a production instance (MARKETDESK_ENV=production).")
        started = time.monotonic()
        options["storefront_port"] = options["storefront_port"] or options["port"] + 1
        env = demo_environment(os.environ, host=options["host"], port=options["port"])
        env["STOREFRONT_URL"] = f"http://{options['host']}:{options['storefront_port']}"
        self._prepare(options, env)
        children = self._start(options, env)
        stopping: list[int] = []

        def on_signal(signum: int, _frame: Any) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        ready = False
        try:
            while not stopping:
                dead = [(name, proc) for name, proc in children.items() if proc.poll() is not None]
                if dead:
                    name, proc = dead[0]
                    self.stderr.write(f"{name} exited with code {proc.returncode}; stopping the demo.")
                    raise SystemExit(1)
                if not ready and all(_listening(options["host"], options[p]) for p in ("port", "storefront_port")):
                    ready = True
                    self._banner(options, time.monotonic() - started)
                time.sleep(0.5)
            self.stdout.write("Stopping the demo…")
        finally:
            _stop(children)

    def _prepare(self, options: dict[str, Any], env: dict[str, str]) -> None:
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if not Order.objects.filter(marketplace__slug=DEFAULT_SLUG).exists():
            self.stdout.write(f"Seeding the demo marketplace with {options['orders']} orders…")
            call_command(
                "simulate",
                seed=options["seed"],
                orders=options["orders"],
                demo_accounts=True,
                stdout=self.stdout,
            )
        elif User.objects.filter(username__in=DEMO_USERNAMES).count() < len(DEMO_USERNAMES):
            marketplace = Order.objects.filter(marketplace__slug=DEFAULT_SLUG).first().marketplace  # type: ignore[union-attr]
            demo_accounts_ensure(marketplace=marketplace, seed=options["seed"])
        self.stdout.write("Registering marketdesk at the storefront's OpenID provider…")
        subprocess.run(  # noqa: S603 -- our own interpreter and command, no user input
            [sys.executable, "-m", "django", "storefront_prepare", "--marketdesk-url", env["MARKETDESK_BASE_URL"]],
            env={**env, "DJANGO_SETTINGS_MODULE": STOREFRONT_SETTINGS},
            check=True,
        )
        has_catalogues = any(Path(settings.BASE_DIR).glob("**/locale/*/LC_MESSAGES/*.po"))
        if has_catalogues and shutil.which("msgfmt"):
            self.stdout.write("Compiling translations…")
            # From the package directory, so compilemessages never walks into the virtualenv.
            subprocess.run(
                [sys.executable, "-m", "django", "compilemessages", "--verbosity", "0"],
                cwd=settings.BASE_DIR,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "marketdesk.settings"},
                check=False,
            )

    def _start(self, options: dict[str, Any], env: dict[str, str]) -> dict[str, subprocess.Popen[bytes]]:
        python = sys.executable
        host, port = options["host"], str(options["port"])
        if options["server"] == "uvicorn":
            web = [python, "-m", "uvicorn", "marketdesk.asgi:application", "--host", host, "--port", port]
            # An open page keeps a live stream; do not wait for it on Ctrl-C.
            web += ["--timeout-graceful-shutdown", "2"]
            # Forwarded headers are marketdesk's to judge (MARKETDESK_TRUSTED_PROXIES), not uvicorn's.
            web += ["--no-proxy-headers"]
        else:
            web = [python, "-m", "django", "runserver", f"{host}:{port}", "--noreload", "--insecure"]
        storefront = [python, "-m", "uvicorn", "marketdesk.simulator.storefront.asgi:application"]
        storefront += ["--host", host, "--port", str(options["storefront_port"])]
        commands = {
            "web server": web,
            "storefront": storefront,
            "task worker": [python, "-m", "django", "db_worker", "--no-reload", "--queue-name", "*"],
            "marketplace": [
                python,
                "-m",
                "django",
                "simulate",
                "--tick",
                "--every",
                str(options["every"]),
                "--seed",
                str(options["seed"]),
            ],
        }
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name, argv in commands.items():
                # A session of their own: Ctrl-C reaches only us, and we stop them in order.
                own = {**env, "DJANGO_SETTINGS_MODULE": STOREFRONT_SETTINGS} if name == "storefront" else env
                children[name] = subprocess.Popen(argv, env=own, start_new_session=True)  # noqa: S603
        except OSError:
            _stop(children)
            raise
        return children

    def _banner(self, options: dict[str, Any], seconds: float) -> None:
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"marketdesk demo is ready at {url}  (started in {seconds:.0f} s)"))
        self.stdout.write(f"Sign in as (password for all: {DEMO_PASSWORD}):")
        for username, what in (
            ("buyer", "a buyer with a dozen orders in every status, and cases: an offer to answer, one with support"),
            ("seller", "the owner of a shop with about 30 orders and cases waiting for its answer"),
            ("operator", "platform support, with a queue of escalated cases and their deadlines"),
            ("admin", f"administrator (also {url}admin/)"),
        ):
            self.stdout.write(f"  {username:<9} {what}")
        storefront = f"http://{options['host']}:{options['storefront_port']}/"
        self.stdout.write(f"The marketplace's storefront (its OpenID provider) is at {storefront}: sign in as")
        self.stdout.write("  buyer or seller there, and press Get help to arrive in marketdesk signed in.")
        self.stdout.write(f"The marketplace moves orders on every {options['every']:g} s. Ctrl-C stops everything.")


def demo_environment(environ: Mapping[str, str], *, host: str, port: int) -> dict[str, str]:
    """The environment the demo's processes run in: demo mode, debug off, links to where it listens.

    Debug is off so a wrong address shows the product's own 404 page, not Django's list of every
    URL (static files are still served, by WhiteNoise); emails link to the demo's own port. Either
    can still be chosen by setting the variable before starting the demo.
    """
    link_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - naming it, not binding
    return {
        "MARKETDESK_DEBUG": "0",
        "MARKETDESK_BASE_URL": f"http://{link_host}:{port}",
        **environ,
        "MARKETDESK_DEMO": "1",
        "DJANGO_SETTINGS_MODULE": "marketdesk.settings",
    }


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """Ask every child to stop, wait a little, then kill the ones that did not."""
    for proc in children.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
