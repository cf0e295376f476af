"""The visual system (docs/visual-system.md) holds: its colours meet WCAG 2.1 AA contrast, every
destructive action is a danger button, and the current page is marked one way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static" / "css" / "forum.css").read_text(encoding="utf-8")
TEMPLATES = ROOT / "templates"
DOC = (ROOT / "docs" / "visual-system.md").read_text(encoding="utf-8")


def tokens() -> dict[str, str]:
    """Return the colour tokens of the stylesheet's :root, without their "--"."""
    root = re.search(r":root\s*{(.*?)}", CSS, re.S)
    assert root
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", root.group(1)))


def luminance(colour: str) -> float:
    """Return the relative luminance of a #rrggbb colour (WCAG 2.1)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """Return the contrast ratio of two colours."""
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colour(name: str) -> str:
    """Return a token's colour, or the colour itself when it is one."""
    return name if name.startswith("#") else tokens()[name]


# (foreground, background, at least): text needs 4.5:1, focus rings and field borders 3:1.
PAIRS = [
    ("ink", "paper", 4.5),
    ("ink", "card", 4.5),
    ("ink-soft", "paper", 4.5),
    ("ink-soft", "card", 4.5),
    ("green", "paper", 4.5),  # links
    ("green", "card", 4.5),
    ("#ffffff", "green", 4.5),  # header, primary buttons
    ("#ffffff", "green-dark", 4.5),  # the phone menu, hovered buttons
    ("green", "green-tint", 4.5),  # a hovered secondary button
    ("green-dark", "green-tint", 4.5),  # .tag, a hovered menu item
    ("#ffffff", "danger", 4.5),  # danger buttons
    ("danger", "card", 4.5),  # error messages
    ("danger", "danger-tint", 4.5),
    ("ink", "danger-tint", 4.5),  # error flash
    ("ink", "green-tint", 4.5),  # success flash
    ("ink", "warn-tint", 4.5),  # notices
    ("focus", "paper", 3),
    ("focus", "card", 3),
    ("#ffffff", "green", 3),  # the focus ring in the header
    ("line-strong", "card", 3),  # form field borders
    ("line-strong", "paper", 3),
]


@pytest.mark.parametrize(("foreground", "background", "least"), PAIRS)
def test_colours_meet_aa_contrast(foreground: str, background: str, least: float) -> None:
    ratio = contrast(colour(foreground), colour(background))
    assert ratio >= least, f"{foreground} on {background}: {ratio:.2f}"


def test_the_document_quotes_the_ratios_the_stylesheet_has() -> None:
    """The table in docs/visual-system.md is not left behind when a colour changes."""
    quoted = re.findall(r"\| `([\w#-]+)` on `([\w#-]+)` \| ([\d.]+):1", DOC)
    assert len(quoted) >= 12
    for foreground, background, ratio in quoted:
        actual = contrast(colour(foreground), colour(background))
        assert f"{actual:.2f}" == ratio, (foreground, background, actual)


# Endpoints whose links and buttons destroy, hide or take back something.
DESTRUCTIVE = re.compile(
    r"url_for\('(\w+\.\w*(remove|delete|hide|withdraw|revoke|deactivat|archive)\w*)'"
)


def template_sources() -> list[tuple[str, str]]:
    return [(str(p.relative_to(TEMPLATES)), p.read_text()) for p in TEMPLATES.rglob("*.html")]


def test_every_destructive_action_is_a_danger_button() -> None:
    wrong = []
    for name, source in template_sources():
        for match in DESTRUCTIVE.finditer(source):
            start = source.rfind("<", 0, match.start())
            before = source[source.rfind("{{", 0, match.start()) : match.start()]
            if before.startswith("{{ post_button("):  # post_button(url, label, class_=...)
                call = source[match.start() : source.find("}}", match.start())]
                ok = "button-danger" in call
            elif source.startswith("<a ", start):
                ok = "button-danger" in source[start : source.find(">", match.end())]
            elif source.startswith("<form", start):
                form = source[start : source.find("</form>", start)]
                ok = re.search(r'<button type="submit" class="[^"]*button-danger', form) is not None
            else:
                continue  # a redirect target in a hidden field, a comparison: not an action
            if not ok:
                line = source.count("\n", 0, match.start()) + 1
                wrong.append(f"{name}:{line} {match.group(1)}")
    assert not wrong, "destructive actions without .button-danger:\n" + "\n".join(wrong)


def test_the_current_page_is_marked_with_aria_current_only() -> None:
    """Navs mark the current item with aria-current="page", not a class of their own."""
    for name, source in template_sources():
        assert not re.search(r'class="[^"]*\b(active|current|selected)\b', source), name
    assert '[aria-current="page"]' in CSS
