"""lib.ui.identity: who may change the team's data, decided in one function."""

from __future__ import annotations

import pytest

from lib.ui.identity import Identity, allowed, editors


@pytest.mark.parametrize(
    ("identity", "listed", "expected"),
    [
        (Identity(None, False), frozenset(), True),  # no identity configured: anyone (README says so)
        (Identity(None, False), frozenset({"alice"}), False),  # editors listed, nobody recognisable
        (Identity(None, True), frozenset(), False),  # configured, not signed in
        (Identity("bob", True), frozenset(), True),  # configured, no list: every signed-in user
        (Identity("Alice", True), frozenset({"alice"}), True),  # listed, whatever the case
        (Identity("bob", True), frozenset({"alice"}), False),
    ],
)
def test_who_may_edit(identity, listed, expected):
    assert allowed(identity, listed) is expected


def test_editors_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("AFTERSIGHT_EDITORS", " Alice@Example.com, bob ;carol  dave")
    assert editors() == {"alice@example.com", "bob", "carol", "dave"}
    monkeypatch.delenv("AFTERSIGHT_EDITORS")
    assert editors() == frozenset()
