"""The one Markdown → safe HTML pipeline: Python-Markdown, then nh3 with an allow-list."""

from __future__ import annotations

import functools
import re
import threading
import xml.etree.ElementTree as ET

import markdown as md
import nh3
from markdown import blockprocessors, inlinepatterns, util
from markdown.extensions import Extension
from markdown.extensions.tables import PIPE_LEFT, PIPE_NONE, PIPE_RIGHT, TableProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markupsafe import Markup, escape

from forum.handles import HANDLE_MAX

# Bump when the rules below change; `flask rerender` re-renders every older stored field.
# 2: bounded link scanning and defused unclosed "<" (no quadratic time on hostile text).
# 3: blocks, long lines and one-line nesting bounded; code spans close within reach.
# 4: @handles link to the member they name.
RENDER_VERSION = 4

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
ALLOWED_CLASSES = {"a": {"mention"}}
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
        if ")" not in data[index:]:
            # Without a ")" no target can close: say so without reading it character by character.
            return "", None, index, False
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


# Python-Markdown parses a block (lines between blank lines) by cutting one heading, rule or
# reference off its front and testing the rest again, and it rebuilds a paragraph's whole text
# for every link, tag or emphasis it finds in it: both take time that grows with the square of
# the block (50,000 characters of "a\n=\n" took 29 s). So no block is longer than these: a
# longer one gets a blank line at the cut (a longer list or paragraph only gets a little space
# there). A table takes its whole block in one step, so only its lines are bounded.
BLOCK_LINES_MAX = 100
BLOCK_CHARS_MAX = 10_000
# Lists and quotes opened on one line ("- - - x", ">>>"): deeper markers are shown as text.
NESTING_MAX = 20
_MARKER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
_SPACE = re.compile(r"\s")


def _limit_nesting(line: str) -> str:
    """Return the line with list and quote markers beyond NESTING_MAX escaped."""
    position = 0
    for _ in range(NESTING_MAX):
        match = _MARKER.match(line, position)
        if match is None:
            return line
        position = match.end()
    match = _MARKER.match(line, position)
    if match is None:
        return line
    # Escape the marker's last character: ">", "-", "*", "+", or the "." or ")" after a number.
    marker = match.end() - 1
    return line[:marker] + "\\" + line[marker:]


def _cut_long_line(line: str) -> list[str]:
    """Return a line longer than BLOCK_CHARS_MAX as pieces, each a block of its own."""
    pieces: list[str] = []
    while len(line) > BLOCK_CHARS_MAX:
        cut = max(
            (m.start() for m in _SPACE.finditer(line, BLOCK_CHARS_MAX // 2, BLOCK_CHARS_MAX)),
            default=BLOCK_CHARS_MAX,
        )
        pieces += [line[:cut], ""]
        line = line[cut:].lstrip()
    return [*pieces, line]


class _Neutralise(Preprocessor):
    """Bound blocks, lines and one-line nesting so that rendering time stays linear."""

    def __init__(self, md_instance: md.Markdown, tables: TableProcessor) -> None:
        super().__init__(md_instance)
        self.tables = tables

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with blank lines cutting blocks that are too long."""
        out: list[str] = []
        count = chars = 0
        is_table = False
        for index, line in enumerate(lines):
            if not line.strip():
                count = chars = 0
                out.append(line)
                continue
            if count == 0:
                following = lines[index + 1] if index + 1 < len(lines) else ""
                is_table = self.tables.test(ET.Element("div"), line + "\n" + following)
            elif not is_table and (count >= BLOCK_LINES_MAX or chars + len(line) > BLOCK_CHARS_MAX):
                out.append("")
                count = chars = 0
            pieces = [_limit_nesting(piece) for piece in _cut_long_line(line)]
            out += pieces
            count = count + 1 if len(pieces) == 1 else 1
            chars = chars + len(line) if len(pieces) == 1 else len(pieces[-1])
        return out


class _BoundedTable(TableProcessor):
    """Tables whose test reads only the lines it needs, not the whole block every time."""

    def test(self, parent: ET.Element, block: str) -> bool:
        """Return whether the block starts with a table header (and, for one column, rows)."""
        head = block.split("\n", 2)
        if len(head) < 3:
            return bool(super().test(parent, block))
        first = head[0].strip(" ")
        border = PIPE_NONE
        if first.startswith("|"):
            border |= PIPE_LEFT
        if self.RE_END_BORDER.search(first) is not None:
            border |= PIPE_RIGHT
        self.border = border  # type: ignore[assignment]  # read by _split_row (an int in practice)
        # Only a one-column table with borders needs its other rows to be recognised.
        cells = self._split_row(first)  # type: ignore[attr-defined]
        one_column = len(cells) == 1 and bool(border)
        return bool(super().test(parent, block if one_column else head[0] + "\n" + head[1]))


class _BoundedSetext(blockprocessors.SetextHeaderProcessor):
    """Setext headings that split off two lines instead of splitting the whole block."""

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        """Turn the first two lines into a heading; put the rest back."""
        lines = blocks.pop(0).split("\n", 2)
        heading = ET.SubElement(parent, "h1" if lines[1].startswith("=") else "h2")
        heading.text = lines[0].strip()
        if len(lines) > 2:
            blocks.insert(0, lines[2])


# Markdown looks for the backticks closing a code span in all the rest of the paragraph, once
# per opening: "``a`" repeated took minutes. A code span closes within this many characters
# (1,000: inline code is a name or a command; 2,000 left "``a`" at the size limit near 1 s).
CODE_SPAN_MAX = 1000


# Looking for a shorter closing run than the opening one only matters for a few backticks.
_FALLBACK_TICKS_MAX = 16


@functools.cache
def _run_of(length: int, longer: bool = False) -> re.Pattern[str]:
    """Return a pattern for a run of exactly `length` backticks (or more, when `longer`)."""
    return re.compile(f"(?<!`)`{{{length}{',' if longer else ''}}}(?!`)")


class _Backticks(inlinepatterns.BacktickInlineProcessor):
    """Code spans whose closing backticks are looked for within CODE_SPAN_MAX characters."""

    def find_code_spans(self, start: int, text: str) -> tuple[int, int | None]:  # type: ignore[override]
        """Return where the code starts and ends (None when the backticks do not close).

        Finds what Markdown's own character-by-character scan finds, with regular expressions.
        """
        ticks = len(text) - start - len(text[start:].lstrip("`"))
        start += ticks
        window = min(len(text), start + CODE_SPAN_MAX)
        exact = _run_of(ticks).search(text, start, window)
        if exact is not None:
            return start, exact.start()
        # Markdown's fallback: the first of the longest runs, if all runs are shorter.
        if _run_of(ticks + 1, longer=True).search(text, start, window) is None:
            for length in range(min(ticks - 1, _FALLBACK_TICKS_MAX), 0, -1):
                shorter = _run_of(length).search(text, start, window)
                if shorter is not None:
                    return start - (ticks - length), shorter.start()
        # (Markdown's own scan answers so too: it goes on that far past the opening backticks.)
        return start + ticks, None


# Characters that can start an inline pattern (code, escapes, links, tags, entities, emphasis,
# line breaks, strike-through, bare addresses); text without any is left as it is.
_INLINE_SYNTAX = re.compile(r"[`\\\[\]!<>&*_\n~:@]|www", re.IGNORECASE)


class _QuickInline(InlineProcessor):
    """Inline patterns applied from a plain list, and not at all to text with no syntax."""

    def run(self, tree: ET.Element, ancestors: list[str] | None = None) -> ET.Element:
        """Snapshot the patterns once: looking each up in the registry cost a sixth of it."""
        self._patterns = list(self.inlinePatterns)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803 (Markdown's name)
        """Return the text with every inline pattern replaced by a placeholder."""
        if isinstance(data, util.AtomicString):
            return data
        if patternIndex == 0 and not _INLINE_SYNTAX.search(data):
            return data
        start = 0
        patterns = self._patterns
        while patternIndex < len(patterns):
            data, matched, start = self._InlineProcessor__applyPattern(  # type: ignore[attr-defined]
                patterns[patternIndex], data, patternIndex, start
            )
            if not matched:
                patternIndex += 1
        return data


class _LinearBlocksExtension(Extension):
    """Replace the block and inline steps whose time grows with the square of the text."""

    def extendMarkdown(self, md_instance: md.Markdown) -> None:  # noqa: N802 (Markdown's API)
        """Register the bounded steps under the names and priorities of the originals."""
        blocks = md_instance.parser.blockprocessors
        tables = _BoundedTable(md_instance.parser, blocks["table"].config)  # type: ignore[attr-defined]
        blocks.register(tables, "table", 75)
        blocks.register(_BoundedSetext(md_instance.parser), "setextheader", 60)
        # After fenced code and raw HTML are stashed (priorities 25 and 20): those are not cut.
        md_instance.preprocessors.register(_Neutralise(md_instance, tables), "neutralise", 15)
        md_instance.inlinePatterns.register(_Backticks(inlinepatterns.BACKTICK_RE), "backtick", 190)
        md_instance.treeprocessors.register(_QuickInline(md_instance), "inline", 20)


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


# An @handle links to the members page that finds the person by handle (members.by_handle);
# the page, not the renderer, decides who may see whom, so every well-formed handle links.
MENTION_PATH = "/medlemmer/@"
# Not after a letter, digit or address character (a@b.dk is an email address, not a mention),
# and only whole: never a shorter handle cut from a longer word ("@a.b@c" links nothing).
_MENTION = re.compile(
    r"(?<![\w@./+-])@([A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*)(?![\w@]|[._-][A-Za-z0-9])"
)
# A text naming more people than this is a list, not a conversation: the rest stay text (and
# the time a text full of handles takes stays small).
MENTIONS_MAX = 100
# Text inside these is left alone: a link in a link is not HTML, and code shows what is typed.
_NO_MENTIONS = frozenset({"a", "code", "pre"})


def _mention_links(text: str, budget: int) -> tuple[str, list[ET.Element]]:
    """Return the text before the first @handle, and a link (with the text after it) for each
    of at most `budget` handles."""
    matches: list[re.Match[str]] = []
    for match in _MENTION.finditer(text):
        if len(matches) >= budget:
            break
        if len(match[1]) <= HANDLE_MAX:
            matches.append(match)
    if not matches:
        return text, []
    links: list[ET.Element] = []
    ends = [match.start() for match in matches[1:]] + [len(text)]
    for match, end in zip(matches, ends, strict=True):
        link = ET.Element("a", {"class": "mention", "href": MENTION_PATH + match[1].lower()})
        link.text = match[0]
        link.tail = text[match.end() : end]
        links.append(link)
    return text[: matches[0].start()], links


class _Mentions(Treeprocessor):
    """Turn every @handle outside links and code into a link to the member's page."""

    def run(self, root: ET.Element) -> None:
        """Link the handles in every element's text and tails, up to MENTIONS_MAX in all."""
        budget = MENTIONS_MAX
        # A stack, not recursion: deeply nested lists must not exhaust Python's stack here.
        pending = [root]
        while pending and budget > 0:
            element = pending.pop()
            children: list[ET.Element] = []
            if element.text and "@" in element.text:
                element.text, links = _mention_links(element.text, budget)
                children += links
                budget -= len(links)
            for child in element:
                children.append(child)
                if child.tag not in _NO_MENTIONS:
                    pending.append(child)
                if child.tail and "@" in child.tail and budget > 0:
                    child.tail, links = _mention_links(child.tail, budget)
                    children += links
                    budget -= len(links)
            if len(children) != len(element):
                element[:] = children


class _MentionsExtension(Extension):
    """Register the mention tree processor."""

    def extendMarkdown(self, md_instance: md.Markdown) -> None:  # noqa: N802 (Markdown's API)
        """Add the processor after inline patterns and escapes are done (priority 0)."""
        md_instance.treeprocessors.register(_Mentions(md_instance), "mentions", -10)


def _build_converter() -> md.Markdown:
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
            _LinearBlocksExtension(),
            _MentionsExtension(),
        ],
        extension_configs={"pymdownx.tilde": {"subscript": False}},
        output_format="html",
    )


# Building a converter costs more than rendering a short post; each thread keeps one and resets
# it between texts (a converter holds state while it works, so threads cannot share one).
_local = threading.local()


def _converter() -> md.Markdown:
    """Return this thread's Markdown converter, reset for a new text."""
    converter: md.Markdown | None = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = _build_converter()
    return converter.reset()


def render(text: str) -> Markup:
    """Render Markdown text to sanitised HTML that is safe to print as is."""
    text = _defuse_unclosed_tags(_UNWANTED.sub("", text or ""))
    try:
        html = _converter().convert(text)
    except RecursionError:
        # A converter stopped midway keeps half its state (open lists, quotes): build anew.
        _local.converter = None
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
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)


# What Markdown would read as markup inside a line of plain text, and how to say it literally.
_LITERAL = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "<": "&lt;",
    "&": "&amp;",
}
_LITERAL_RE = re.compile("[" + re.escape("".join(_LITERAL)) + "]")


def literal(text: str) -> str:
    """Return one line of plain text (a title) as Markdown that shows it exactly as typed."""
    line = " ".join((text or "").split())
    return _LITERAL_RE.sub(lambda match: _LITERAL[match.group(0)], line)


def rendered(field: str, text: str) -> dict[str, str | int]:
    """Return the columns a Markdown field stores: `<field>_md`, `_html`, `_render_version`.

    Every Markdown field keeps its text, its HTML and the version of the rules that made the
    HTML together, so `flask rerender` can bring old HTML up to date (forum.rendering lists
    the fields). Render before the rows go into the session: rendering holds no lock.
    """
    return {
        f"{field}_md": text,
        f"{field}_html": str(render(text)),
        f"{field}_render_version": RENDER_VERSION,
    }


def set_markdown(obj: object, field: str, text: str) -> None:
    """Store `text` in `obj`'s Markdown field `field` with its HTML and render version."""
    for column, value in rendered(field, text).items():
        setattr(obj, column, value)
