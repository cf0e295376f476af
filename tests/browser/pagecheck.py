"""Checks run on the pages the browser tests visit: nothing scrolls sideways or sticks out of
the window, and a page shown in Danish holds no English interface text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]

# Elements sticking out of the window (or the document wider than it), outermost first.
# Visually hidden ones count too: a 1 px screen reader text far right still widens the page;
# only what a clipping ancestor (clip, clip-path) cuts away entirely is left out.
# An element may only reach beyond the window inside a region that scrolls sideways and that
# keyboard users can reach and screen reader users can name: focusable and labelled.
LAYOUT_JS = """
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const problems = [];
  if (root.scrollWidth > window.innerWidth) {
    problems.push(`the page is ${root.scrollWidth} px wide in a ${window.innerWidth} px window`);
  }
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim()) {
      text += '.' + el.className.trim().split(/\\s+/).join('.');
    }
    const words = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ');
    return words ? `${text} "${words.slice(0, 40)}"` : text;
  };
  const clippedAway = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.clip !== 'auto' || style.clipPath !== 'none') return true;
    }
    return false;
  };
  const scroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return a;
    }
    return null;
  };
  const reported = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right <= width + 0.5 && box.left >= -0.5) continue;
    if (el.parentElement && reported.has(el.parentElement)) { reported.add(el); continue; }
    if (clippedAway(el)) continue;
    const region = scroller(el);
    if (region) {
      const labelled = region.hasAttribute('aria-label') || region.hasAttribute('aria-labelledby');
      const escapes = ['absolute', 'fixed'].includes(getComputedStyle(el).position)
        && getComputedStyle(region).position === 'static';
      if (escapes) {
        problems.push(`${name(el)} is positioned outside its scrolling region ${name(region)}`);
        reported.add(el);
        continue;
      }
      if (region.tabIndex >= 0 && labelled) continue;
      problems.push(
        `${name(el)} scrolls sideways inside ${name(region)}, which is not focusable and labelled`);
    } else {
      const span = `${Math.round(box.left)}..${Math.round(box.right)}`;
      problems.push(`${name(el)} spans ${span} px of a ${width} px window`);
    }
    reported.add(el);
  }
  return problems;
}
"""

# The text a reader perceives: rendered text (details opened, elements marked lang="en" or
# another language left out), the title, and the texts of attributes people see or hear.
TEXT_JS = """
() => {
  // Open every <details> to read it, and close again the ones that were closed (an open
  // header menu would cover the page for the journey's next click).
  const closed = [...document.querySelectorAll('details')].filter((d) => !d.open);
  for (const details of closed) details.open = true;
  const foreign = (el) => {
    const tagged = el.closest('[lang]');
    return tagged && !/^da\\b/i.test(tagged.getAttribute('lang'));
  };
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('script, style, template, noscript') || foreign(el)) continue;
    const shown = el.closest('select') || el;
    if (!shown.checkVisibility({visibilityProperty: true})) continue;
    texts.push(node.data);
  }
  const attributes = ['title', 'aria-label', 'placeholder', 'alt', 'aria-description'];
  for (const el of document.body.querySelectorAll('*')) {
    if (foreign(el)) continue;
    for (const attribute of attributes) {
      if (el.hasAttribute(attribute)) texts.push(el.getAttribute(attribute));
    }
    if (el.matches('input[type=submit], input[type=button], input[type=reset]')) {
      texts.push(el.value);
    }
  }
  for (const details of closed) details.open = false;
  return texts.join(' \\n ');
}
"""

PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]|%[a-z]|\{\w*\}")
WORD = re.compile(r"[A-Za-zÆØÅæøåÉé'’-]+")
# A single English word counts only from this length on, and only if Danish doesn't use it
# too: "Status", "Region" and "Moderation" are Danish as well.
SINGLE_WORD_MIN = 5
# English msgids that are Danish words as well, though translated otherwise here.
DANISH_TOO = frozenset({"agenda"})


@dataclass(frozen=True)
class EnglishDetector:
    """English interface phrases and words, taken from the catalogue, to look for in a page."""

    phrases: frozenset[str]
    words: frozenset[str]

    def find(self, text: str) -> list[str]:
        """Return the English phrases and words found in a text, longest first."""
        flat = " ".join(text.split())
        found = [p for p in self.phrases if _contains(flat, p)]
        found += [w for w in self.words if _contains(flat, w)]
        return sorted(found, key=lambda s: (-len(s), s))


def _contains(text: str, phrase: str) -> bool:
    """Say whether a phrase stands in the text as whole words, case-sensitively."""
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", text) is not None


@cache
def english_detector() -> EnglishDetector:
    """Build the detector from every msgid whose Danish translation differs from it."""
    path = ROOT / "forum" / "translations" / "da" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="da")
    danish_words: set[str] = set(DANISH_TOO)
    english: list[str] = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            danish_words.update(w.lower() for w in WORD.findall(string))
        english += [msgid for msgid in ids if msgid not in strings]
    phrases: set[str] = set()
    words: set[str] = set()
    for msgid in english:
        for fragment in PLACEHOLDER.split(msgid):
            fragment = " ".join(fragment.split()).strip(" .,:;!?()«»\"'…·-–")
            tokens = WORD.findall(fragment)
            if len(tokens) >= 2:
                phrases.add(fragment)
            elif (
                len(tokens) == 1
                and tokens[0] == fragment
                and len(fragment) >= SINGLE_WORD_MIN
                and fragment.lower() not in danish_words
            ):
                words.add(fragment)
    return EnglishDetector(frozenset(phrases), frozenset(words))


def layout_problems(page: Page) -> list[str]:
    """Return what scrolls sideways or sticks out of the window on the page as shown."""
    return page.evaluate(LAYOUT_JS)


def assert_fits(page: Page) -> None:
    """Fail when the page scrolls sideways or an element sticks out of the window."""
    problems = layout_problems(page)
    assert not problems, f"{page.url} does not fit its window:\n  " + "\n  ".join(problems)


def english_on(page: Page) -> list[str]:
    """Return the English interface texts a reader of the page perceives."""
    return english_detector().find(page.evaluate(TEXT_JS))


def assert_danish(page: Page) -> None:
    """Fail when a page shown in Danish holds English interface text."""
    assert page.locator("html").get_attribute("lang") == "da", f"{page.url} is not in Danish"
    english = english_on(page)
    assert not english, f"{page.url} shows English: {english}"
