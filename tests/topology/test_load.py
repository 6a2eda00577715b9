"""The load bench's locust mix runs: every kind of request of bench/load_scenario.py, none failing.

Not a timing test: the figures are bench/bench_load.py's (``make bench``). This runs the same
scenario for a few seconds through the topology's balancer, on a marketplace the simulator filled,
so that the bench cannot rot unseen.
"""

from __future__ import annotations

import json

import pytest

from bench.bench_load import run_locust, seed_world
from tests.topology.conftest import eventually
from tests.topology.market import outbox_undelivered

pytestmark = pytest.mark.topology


#: What each party does in the mix (the issue's list): buyers browse, message and open cases,
#: sellers answer, operators work the queue, the marketplace upserts orders and ingests tracking.
KINDS = {
    "buyer: my orders (page)",
    "buyer: read a conversation (API)",
    "buyer: post a message (API)",
    "buyer: open a case (marketplace app)",
    "seller: shop orders (page)",
    "seller: answer a buyer (API)",
    "operator: queue (page)",
    "operator: case workspace (page)",
    "marketplace: upsert an order (API)",
    "marketplace: ingest 10 tracking events (API)",
}


def test_the_load_mix_makes_every_kind_of_request_without_a_failure(topology, orm, tmp_path):
    # given a marketplace filled by the simulator, and the scenario's world for it
    (world,) = seed_world(orders=40, steps=1, eligible_per_step=4)
    world_file = tmp_path / "world.json"
    world_file.write_text(json.dumps(world))

    # when ten people and back offices (5 buyers, 2 sellers, an operator, 2 marketplace) run it for 15 seconds
    # (the last spawned start about 2 s in and first do each of their things once: the operator's queue page and
    # case workspace come one after the other, and in 6 s on a loaded machine its workspace was once never reached)
    figures = run_locust(topology.url, world_file, seconds=15, users=10, out=tmp_path / "load")

    # then each kind of request was made, none failed, and what they set off was delivered
    made = {name for name, step in figures["by_name"].items() if step["requests"] > 0}
    assert made == KINDS
    assert (figures["failures"], figures["errors"]) == (0, [])
    eventually(lambda: outbox_undelivered() == 0, what="the load's mails and webhooks delivered")
