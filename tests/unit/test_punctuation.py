"""Generated sentences and titles never double a title's own punctuation."""

from __future__ import annotations

import pytest

from forum.punctuation import end_sentence, without_final_stop


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Ole svarede i “Affald”", "Ole svarede i “Affald”."),
        ("Ole svarede i “Behov til mødet i Vejle.”", "Ole svarede i “Behov til mødet i Vejle.”"),
        ("Ole svarede i “Hvad gør I?”", "Ole svarede i “Hvad gør I?”"),
        ("Det virker!", "Det virker!"),
        ("Og så …", "Og så …"),
        ("Behov til mødet i Vejle.  ", "Behov til mødet i Vejle."),
        ("(se mødet.)", "(se mødet.)"),
        ("", ""),
    ],
)
def test_end_sentence_adds_a_full_stop_only_when_none_ends_it(text, sentence):
    assert end_sentence(text) == sentence


@pytest.mark.parametrize(
    ("title", "bare"),
    [
        ("Behov til mødet i Vejle.", "Behov til mødet i Vejle"),
        ("Mødet i Vejle", "Mødet i Vejle"),
        ("Hvad nu?", "Hvad nu?"),
        ("Og så...", "Og så..."),
        ("Slut . ", "Slut"),
    ],
)
def test_without_final_stop_drops_only_a_single_full_stop(title, bare):
    assert without_final_stop(title) == bare
