"""Quoting a post into a reply: its Markdown as a block quote, introduced by its author."""

from __future__ import annotations

from flask_babel import gettext as _

from forum.models import Post


def quote_intro(post: Post) -> str:
    """Return the line that introduces a quote of the post: "@handle wrote:"."""
    return _("@%(handle)s wrote:", handle=post.author.handle)


def quote_markdown(post: Post) -> str:
    """Return the post's text as a Markdown block quote under "@handle wrote:", followed by
    an empty line to write the answer on. The caller checks that the reader may quote it."""
    lines = post.body_md.strip().splitlines()
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
    return f"{quote_intro(post)}\n{quoted}\n\n"
