"""Danish words for search: folding, stemming, stop words and the query language.

Both engines see the same token stream. Text is lower-cased, æ ø å are written ae oe aa (so
a query typed on a foreign keyboard finds them, and "Aarhus" finds "Århus"), other accents
are dropped, and the words are cut out as runs of letters and digits. PostgreSQL then stems
them with its `danish` configuration; on SQLite, which has no Danish stemmer, the same
Snowball algorithm stems them here (PyStemmer). So "bibliotekets", "biblioteket" and
"bibliotekerne" all become "bibliotek" on either engine.

The query language is what people type into search boxes: words (all must match), "quoted
phrases", `-word` to exclude, `word*` for the beginning of a word (a compound's first part),
and `OR` between alternatives. Everything else is read as plain words: nothing a person types
reaches an engine's own query syntax.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]

# The longest query read; beyond it the rest is ignored (a pasted page is not a question).
QUERY_MAX = 500
# At most this many words of a query are used, so a query costs the engines little.
TERMS_MAX = 12

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})
_WORD = re.compile(r"[^\W_]+")
# A query's parts: a quoted phrase (closed or not), or a run of anything but space and quote.
_QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(\S+?)(?=\s|"|$)')

# PostgreSQL's list for its `danish` configuration (tsearch_data/danish.stop, from Snowball),
# which it compares with the word as given to it; the folded spellings are stop words here too,
# so "på" typed either way is dropped from a query on both engines.
_DANISH_STOP = (
    "og", "i", "jeg", "det", "at", "en", "den", "til", "er", "som", "på", "de", "med", "han",
    "af", "for", "ikke", "der", "var", "mig", "sig", "men", "et", "har", "om", "vi", "min",
    "havde", "ham", "hun", "nu", "over", "da", "fra", "du", "ud", "sin", "dem", "os", "op",
    "man", "hans", "hvor", "eller", "hvad", "skal", "selv", "her", "alle", "vil", "blev",
    "kunne", "ind", "når", "være", "dog", "noget", "ville", "jo", "deres", "efter", "ned",
    "skulle", "denne", "end", "dette", "mit", "også", "under", "have", "dig", "anden", "hende",
    "mine", "alt", "meget", "sit", "sine", "vor", "mod", "disse", "hvis", "din", "nogle", "hos",
    "blive", "mange", "ad", "bliver", "hendes", "været", "thi", "jer", "sådan",
)  # fmt: skip


def fold(text: str) -> str:
    """Return the text lower-cased, with æ ø å as ae oe aa and other accents removed."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


STOP_WORDS = frozenset(_DANISH_STOP) | frozenset(fold(word) for word in _DANISH_STOP)


def words(text: str) -> list[str]:
    """Return the folded words of the text, in order."""
    return _WORD.findall(fold(text))


@functools.cache
def _stemmer() -> Any:
    """Return the Danish Snowball stemmer (one per process; PyStemmer's C code when present)."""
    return snowballstemmer.stemmer("danish")


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Return the Danish stem of a folded word; words with digits stay as they are, as in
    PostgreSQL, which reads them as numbers or codes ("co2", "2026")."""
    if not word.isalpha():
        return word
    return str(_stemmer().stemWord(word))


def stemmed(text: str) -> str:
    """Return the text as the SQLite index holds it: its folded words, stemmed."""
    return " ".join(stem(word) for word in words(text))


def folded(text: str) -> str:
    """Return the text as PostgreSQL's `danish` configuration is given it: its folded words."""
    return " ".join(words(text))


# --- the query language ----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word, a word's beginning (prefix) or a phrase of words."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        """Return whether the term is a phrase of several words."""
        return len(self.words) > 1


@dataclass
class Alternative:
    """Terms that must all match, and terms that must not."""

    required: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)


@dataclass
class Query:
    """A parsed query: alternatives joined by OR (most queries have one). `problem` says why
    nothing can be searched for ("only_excluded", "only_common_words"), or is empty."""

    text: str
    alternatives: list[Alternative] = field(default_factory=list)
    problem: str = ""

    @property
    def is_searchable(self) -> bool:
        """Return whether the query has something to look for."""
        return bool(self.alternatives) and not self.problem

    def highlight_words(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """Return the stems to mark in a result, and the word beginnings to mark."""
        stems: set[str] = set()
        prefixes: list[str] = []
        for alternative in self.alternatives:
            for term in alternative.required:
                if term.prefix:
                    prefixes.append(term.words[0])
                else:
                    stems.update(stem(word) for word in term.words if word not in STOP_WORDS)
        return frozenset(stems), tuple(prefixes)


def _term(raw: str, prefix_allowed: bool) -> Term | None:
    """Return the term for a word or phrase as typed, or None when it holds no word that is
    not a stop word (PostgreSQL drops those from a query, so SQLite must too)."""
    found = words(raw)
    if all(word in STOP_WORDS for word in found):
        return None
    if len(found) == 1:
        return Term((found[0],), prefix=prefix_allowed and raw.rstrip().endswith("*"))
    # A phrase, or "co2-udledning" typed without quotes: the words next to each other.
    return Term(tuple(found))


def parse(text: str) -> Query:
    """Return the query parsed; never raises, whatever was typed."""
    text = text.replace("\x00", " ")[:QUERY_MAX].strip()
    query = Query(text=text)
    current = Alternative()
    alternatives = [current]
    count = 0
    saw_stop_word = False
    for match in _QUERY_PART.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare == "OR":
            current = Alternative()
            alternatives.append(current)
            continue
        if count >= TERMS_MAX:
            break
        if phrase is not None:
            term = _term(phrase, prefix_allowed=False)
            exclude = bool(negated)
        else:
            assert bare is not None  # the pattern's other branch  # noqa: S101
            exclude = bare.startswith("-") and len(bare) > 1
            term = _term(bare[1:] if exclude else bare, prefix_allowed=True)
        if term is None:
            saw_stop_word = saw_stop_word or bool(words(phrase if phrase is not None else bare))
            continue
        count += 1
        (current.excluded if exclude else current.required).append(term)
    query.alternatives = [a for a in alternatives if a.required or a.excluded]
    if not query.alternatives:
        query.problem = "only_common_words" if saw_stop_word else ""
    elif any(not a.required for a in query.alternatives):
        query.problem = "only_excluded"
    return query


# --- what each engine is asked ---------------------------------------------------------------


def _fts5_term(term: Term) -> str:
    """Return the term in FTS5's syntax: stems in double quotes, a prefix marked with *."""
    stems = " ".join(stem(word) for word in term.words)
    return f'"{stems}"*' if term.prefix else f'"{stems}"'


def fts5_match(query: Query, title_only: bool = False) -> str:
    """Return the FTS5 MATCH expression for a searchable query (words are letters and
    digits only, so quoting them is enough to keep FTS5's operators out)."""
    parts = []
    for alternative in query.alternatives:
        expression = " AND ".join(_fts5_term(term) for term in alternative.required)
        for term in alternative.excluded:
            expression += f" NOT {_fts5_term(term)}"
        parts.append(f"({expression})")
    combined = " OR ".join(parts)
    return f"title_terms : ({combined})" if title_only else combined


def _tsquery_term(term: Term, weight: str) -> str:
    """Return the term in to_tsquery's syntax: quoted words, phrases joined by <->."""
    if term.prefix:
        return f"'{term.words[0]}':*{weight}"
    suffix = f":{weight}" if weight else ""
    return "(" + " <-> ".join(f"'{word}'{suffix}" for word in term.words) + ")"


def tsquery(query: Query, title_only: bool = False) -> str:
    """Return the to_tsquery('danish', …) text for a searchable query; PostgreSQL stems the
    quoted words itself. `title_only` restricts the words to the title (weight A)."""
    weight = "A" if title_only else ""
    parts = []
    for alternative in query.alternatives:
        pieces = [_tsquery_term(term, weight) for term in alternative.required]
        pieces += ["!" + _tsquery_term(term, "") for term in alternative.excluded]
        parts.append("(" + " & ".join(pieces) + ")")
    return " | ".join(parts)


# Words that make a title a question but say nothing of its subject: two titles sharing only
# "hvordan" are not alike.
QUESTION_WORDS = frozenset(
    words("hvordan hvorfor hvornår hvilke hvilken hvilket hvem nogen andre kan får gør går")
)


def similar_title_query(title: str) -> Query:
    """Return a query for threads whose titles share a word of substance with this title."""
    query = Query(text=title)
    seen: set[str] = set()
    for word in words(title)[:TERMS_MAX]:
        if word in STOP_WORDS or word in QUESTION_WORDS or len(word) < 3 or stem(word) in seen:
            continue
        seen.add(stem(word))
        query.alternatives.append(Alternative(required=[Term((word,))]))
    return query
