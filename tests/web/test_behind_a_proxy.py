"""Behind reverse proxies: forwarded addresses and scheme count only when a trusted proxy sent them.

The sign-in lockout (django-axes) uses the client's address; a header sent by anyone else is
ignored, so rotating a fake X-Forwarded-For does not escape the lockout (the audit trail's
addresses: tests/console/test_audit.py).
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from marketdesk.core.proxies import trusted_networks

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-123"  # the factories' password
PROXY = "10.0.0.2"
CLIENT = "203.0.113.5"


@pytest.fixture
def behind_proxies(settings):
    settings.TRUSTED_PROXIES = trusted_networks("10.0.0.0/8, fd00::/8")


def sign_in(client: Client, username: str, password: str, *, peer: str, forwarded_for: str = "") -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = client.post(
        reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR=peer, headers=headers
    )
    return response.status_code


def test_a_forwarded_address_from_an_untrusted_peer_does_not_escape_the_lockout(client, buyer):
    # given five wrong passwords from one address, each claiming another client by X-Forwarded-For
    for n in range(5):
        sign_in(client, buyer.username, "wrong", peer="198.51.100.7", forwarded_for=f"192.0.2.{n}")
    # when the right password comes from the same address with yet another claim
    status = sign_in(client, buyer.username, PASSWORD, peer="198.51.100.7", forwarded_for="192.0.2.99")
    # then the lockout counted the real address
    assert status == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_behind_a_trusted_proxy_the_lockout_counts_the_client(client, buyer, behind_proxies):
    # given five wrong passwords from one client through the proxy
    for _ in range(5):
        sign_in(client, buyer.username, "wrong", peer=PROXY, forwarded_for=CLIENT)
    # when that client and then another one behind the same proxy sign in
    locked = sign_in(client, buyer.username, PASSWORD, peer=PROXY, forwarded_for=CLIENT)
    other = sign_in(Client(), buyer.username, PASSWORD, peer=PROXY, forwarded_for="203.0.113.6")
    # then only the first client is locked out, not everyone behind the proxy
    assert (locked, other) == (429, 302)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


def test_through_a_chain_of_proxies_the_client_is_the_rightmost_untrusted_hop(client, buyer, behind_proxies):
    # given a client that forged a first hop, then two trusted proxies that each appended their peer
    chain = f"6.6.6.6, {CLIENT}, 10.1.0.3"
    for _ in range(5):
        sign_in(client, buyer.username, "wrong", peer=PROXY, forwarded_for=chain)
    # when it tries again with another forged first hop
    status = sign_in(client, buyer.username, PASSWORD, peer=PROXY, forwarded_for=f"7.7.7.7, {CLIENT}, 10.1.0.3")
    # then the forged hops never counted: the client is locked out by its own address
    assert status == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


def test_ipv6_proxies_and_hops_with_ports(client, buyer, behind_proxies):
    # given a client reported as [v6]:port through an IPv6 proxy, then a trusted IPv4 hop with a port
    for _ in range(5):
        sign_in(client, buyer.username, "wrong", peer="fd00::2", forwarded_for="[2001:db8::7]:51000, 10.1.0.3:443")
    # when / then
    assert sign_in(client, buyer.username, PASSWORD, peer="fd00::2", forwarded_for="2001:db8::7") == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["2001:db8::7"]


def test_garbage_in_the_chain_stops_at_the_last_readable_hop(client, buyer, behind_proxies):
    # given a hop that is no address to the left of a trusted proxy's
    for _ in range(5):
        sign_in(client, buyer.username, "wrong", peer=PROXY, forwarded_for="unknown, 10.1.0.3")
    # then the last readable hop (the trusted proxy) is as far as the lockout believes
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.1.0.3"]


@pytest.mark.parametrize(
    ("peer", "proto", "forwarded_for", "status"),
    [
        ("198.51.100.7", "https", "", 301),  # anyone's claim of HTTPS is ignored: sent to https://
        (PROXY, "https", "", 200),  # the trusted proxy terminated TLS
        (PROXY, "http", "", 301),  # the trusted proxy says the client came over plain HTTP
        (PROXY, "https, http", f"{CLIENT}, 10.1.0.3", 200),  # each proxy appended its hop's scheme
        (PROXY, "http, https", "10.1.0.3", 200),  # a list that does not match the hops: the nearest proxy's
    ],
    ids=["untrusted", "trusted-https", "trusted-http", "chain-aligned", "chain-unaligned"],
)
def test_the_forwarded_scheme_counts_only_from_a_trusted_proxy(
    client, settings, behind_proxies, peer, proto, forwarded_for, status
):
    # given HTTPS required
    settings.SECURE_SSL_REDIRECT = True
    headers = {"X-Forwarded-Proto": proto, **({"X-Forwarded-For": forwarded_for} if forwarded_for else {})}
    # when
    response = client.get(reverse("web:login"), REMOTE_ADDR=peer, headers=headers)
    # then
    assert response.status_code == status
