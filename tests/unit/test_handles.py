"""Handles for @mentions are made from names: ASCII, Danish letters spelled out."""

from __future__ import annotations

import pytest

from forum.handles import HANDLE_MAX, handle_from_name, is_valid_handle


@pytest.mark.parametrize(
    ("name", "handle"),
    [
        ("Mette Søndergaard", "mette.soendergaard"),
        ("Åse Ærø", "aase.aeroe"),
        ("ÆBLE ØSTER ÅEN", "aeble.oester.aaen"),
        ("José Müller-Ørsted", "jose.muller.oersted"),
        ("Zoë  O'Brien", "zoe.o.brien"),
        ("  Per   Hansen  ", "per.hansen"),
        ("李", "medlem"),
        ("", "medlem"),
    ],
)
def test_a_name_suggests_an_ascii_handle(name: str, handle: str) -> None:
    assert handle_from_name(name) == handle
    assert is_valid_handle(handle)


def test_a_long_name_gives_a_handle_within_the_limit() -> None:
    handle = handle_from_name("Anne " * 30)
    assert len(handle) <= HANDLE_MAX
    assert is_valid_handle(handle)


@pytest.mark.parametrize(
    "handle",
    ["Mette", "mette..s", ".mette", "mette.", "mette s", "møller", "a" * (HANDLE_MAX + 1), ""],
)
def test_malformed_handles_are_refused(handle: str) -> None:
    assert not is_valid_handle(handle)


@pytest.mark.parametrize("handle", ["mette", "m.s", "ole-b", "ole_b2", "a" * HANDLE_MAX])
def test_well_formed_handles_are_accepted(handle: str) -> None:
    assert is_valid_handle(handle)
