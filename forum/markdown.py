"""The one Markdown → safe HTML pipeline: Python-Markdown, then nh3 with an allow-list."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import markdown as md
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

# Bump when the rules below change; `flask rerender-posts` re-renders older posts.
RENDER_VERSION = 1

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Tags whose content is dropped with them rather than shown as text.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "svg", "math", "template"}


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
            _ImagesAsLinksExtension(),
        ],
        extension_configs={"pymdownx.tilde": {"subscript": False}},
        output_format="html",
    )


def render(text: str) -> Markup:
    """Render Markdown text to sanitised HTML that is safe to print as is."""
    html = _converter().convert(text or "")
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
