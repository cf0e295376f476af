"""The one Markdown → safe HTML pipeline: Python-Markdown, then nh3 with an allow-list."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown as md
import nh3
from markdown import inlinepatterns
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

# Bump when the rules below change; `flask rerender-posts` re-renders older posts.
# 2: bounded link scanning and defused unclosed "<" (no quadratic time on hostile text).
RENDER_VERSION = 2

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Tags whose content is dropped with them rather than shown as text.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "svg", "math", "template"}


# Python-Markdown looks for the end of a link by scanning the rest of the paragraph, once per
# "[" or "(": text full of them takes minutes. Link texts and targets longer than these are
# left as plain text (a bare address in them still becomes a link).
LINK_TEXT_MAX = 1000
LINK_TARGET_MAX = 512
_BRACKET = re.compile(r"[\[\]]")
# Stands in for a "<" that cannot open a tag while Markdown runs; printed back as "&lt;".
_LT = "\ue000"
_LT_OR_GT = re.compile(r"[<>]")
# Control characters (other than tab and line breaks) and the stand-in never reach Markdown.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + _LT + "]")


def _defuse_unclosed_tags(text: str) -> str:
    """Return the text with every "<" not closed by ">" before the next "<" made a stand-in.

    Such a "<" cannot start a tag, so the page looks the same; but left in, runs of them make
    the HTML parser inside Markdown take time that grows with the square of their number.
    """
    unclosed: list[int] = []
    pending: int | None = None
    for match in _LT_OR_GT.finditer(text):
        if match.group() == ">":
            pending = None
            continue
        if pending is not None:
            unclosed.append(pending)
        pending = match.start()
    if pending is not None:
        unclosed.append(pending)
    if not unclosed:
        return text
    chars = list(text)
    for index in unclosed:
        chars[index] = _LT
    return "".join(chars)


class _BracketMatcher:
    """Finds the "]" closing a "[" in one forward pass per text, remembering what it saw."""

    def __init__(self) -> None:
        self._data: str | None = None
        self._start = 0
        self._frontier = 0
        self._open: list[int] = []
        self._closes: dict[int, int] = {}

    def close_of(self, data: str, opening: int) -> int:
        """Return where the "[" at `opening` closes, or -1 if not within LINK_TEXT_MAX."""
        if data is not self._data or opening < self._start:
            self._data = data
            self._start = self._frontier = opening
            self._open = []
            self._closes = {}
        if opening in self._closes:
            return self._closes[opening]
        limit = min(len(data), opening + LINK_TEXT_MAX + 1)
        for match in _BRACKET.finditer(data, self._frontier, limit):
            position = match.start()
            self._frontier = position + 1
            if data[position] == "[":
                self._open.append(position)
            elif self._open:
                self._closes[self._open.pop()] = position
                if opening in self._closes:
                    return self._closes[opening]
        self._frontier = max(self._frontier, limit)
        return -1


class _BoundedLinks(inlinepatterns.LinkInlineProcessor):
    """Mixin for Markdown's link processors: link text and target scans have a fixed reach."""

    brackets: _BracketMatcher

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:  # noqa: N802 (Markdown's API)
        """Return the link text after the "[" before `index`, where it ends, and if it closed."""
        close = self.brackets.close_of(data, index - 1)
        if close < 0:
            return "", index, False
        return data[index:close], close + 1, True

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:  # noqa: N802
        """Parse the "(target "title")" at `index`, looking no further than LINK_TARGET_MAX."""
        if len(data) - index > LINK_TARGET_MAX:
            data = data[: index + LINK_TARGET_MAX]
        return super().getLink(data, index)


class _Link(_BoundedLinks, inlinepatterns.LinkInlineProcessor):
    """[text](target) with bounded scans."""


class _Image(_BoundedLinks, inlinepatterns.ImageInlineProcessor):
    """![alt](source) with bounded scans."""


class _Reference(_BoundedLinks, inlinepatterns.ReferenceInlineProcessor):
    """[text][id] with bounded scans."""


class _ShortReference(_BoundedLinks, inlinepatterns.ShortReferenceInlineProcessor):
    """[id] with bounded scans."""


class _ImageReference(_BoundedLinks, inlinepatterns.ImageReferenceInlineProcessor):
    """![alt][id] with bounded scans."""


class _ShortImageReference(_BoundedLinks, inlinepatterns.ShortImageReferenceInlineProcessor):
    """![id] with bounded scans."""


class _BoundedLinksExtension(Extension):
    """Replace Markdown's link processors by ones whose scans have a fixed reach."""

    def extendMarkdown(self, md_instance: md.Markdown) -> None:  # noqa: N802 (Markdown's API)
        """Register the bounded processors under the names and priorities of the originals."""
        brackets = _BracketMatcher()
        for cls, pattern, name, priority in (
            (_Reference, inlinepatterns.REFERENCE_RE, "reference", 170),
            (_Link, inlinepatterns.LINK_RE, "link", 160),
            (_Image, inlinepatterns.IMAGE_LINK_RE, "image_link", 150),
            (_ImageReference, inlinepatterns.IMAGE_REFERENCE_RE, "image_reference", 140),
            (_ShortReference, inlinepatterns.REFERENCE_RE, "short_reference", 130),
            (_ShortImageReference, inlinepatterns.IMAGE_REFERENCE_RE, "short_image_ref", 125),
        ):
            processor = cls(pattern, md_instance)
            processor.brackets = brackets
            md_instance.inlinePatterns.register(processor, name, priority)


class _ImagesAsLinks(Treeprocessor):
    """Turn images into plain links: remote images would leak readers' addresses to others."""

    def run(self, root: ET.Element) -> None:
        """Replace every <img> by an <a> to its source, labelled with its alt text."""
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag != "img":
                    continue
                link = ET.Element("a", {"href": child.get("src", "")})
                link.text = child.get("alt") or child.get("src", "")
                link.tail = child.tail
                parent.remove(child)
                parent.insert(index, link)


class _ImagesAsLinksExtension(Extension):
    """Register the image-to-link tree processor."""

    def extendMarkdown(self, md_instance: md.Markdown) -> None:  # noqa: N802 (Markdown's API)
        """Add the processor after inline patterns have produced <img> elements."""
        md_instance.treeprocessors.register(_ImagesAsLinks(md_instance), "images_as_links", 0)


def _converter() -> md.Markdown:
    """Build a Markdown converter with the project's extensions."""
    return md.Markdown(
        extensions=[
            "fenced_code",
            "tables",
            "sane_lists",
            "nl2br",
            "pymdownx.magiclink",
            "pymdownx.tilde",
            _BoundedLinksExtension(),
            _ImagesAsLinksExtension(),
        ],
        extension_configs={"pymdownx.tilde": {"subscript": False}},
        output_format="html",
    )


def render(text: str) -> Markup:
    """Render Markdown text to sanitised HTML that is safe to print as is."""
    text = _defuse_unclosed_tags(_UNWANTED.sub("", text or ""))
    try:
        html = _converter().convert(text)
    except RecursionError:
        # Hundreds of nested lists on one line exhaust Markdown's recursion: show the text.
        html = "<p>" + str(escape(text)).replace("\n", "<br>\n") + "</p>"
    html = html.replace(_LT, "&lt;")
    # Headings start at h2: the page owns its single h1.
    for level in range(5, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)
