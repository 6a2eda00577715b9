"""Unit tests cannot reach the network: pytest-socket guards connect() (see pyproject addopts)."""

from __future__ import annotations

import socket

import pytest_socket


def test_connect_is_guarded_during_tests() -> None:
    # Checked by identity, not by trying an outside address: a broken guard must not send traffic.
    assert socket.socket.connect is not pytest_socket._true_connect


def test_loopback_stays_reachable() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            conn, _ = server.accept()
            conn.close()
