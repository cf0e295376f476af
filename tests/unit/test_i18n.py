"""The Danish and English catalogues hold every message of the source, translated.

The extraction is the one `make messages` runs (babel.cfg, the same keywords), except that it
walks every folder: pybabel and babel's `extract_from_dir` skip folders whose name starts with
"_" (templates/_macros) and, unless told otherwise, Jinja's extractor skips a template that
does not parse. Both once hid "Please check the form" from this test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import TemplateSyntaxError

from forum import create_app

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# The keywords of `make messages` (-k _l -k lazy_gettext -k lazy_ngettext:1,2).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
# Folders that hold no source of ours; everything else is walked, "_" folders included.
SKIPPED_FOLDERS = {"__pycache__", "node_modules", "instance", "test-results"}


def mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """Return the method map and options of babel.cfg."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        return parse_mapping_cfg(handle)


def walked(path: str) -> bool:
    """Say whether the extraction descends into a folder (the Makefile's --ignore-dirs)."""
    name = os.path.basename(path)
    return not name.startswith(".") and name not in SKIPPED_FOLDERS


def extract(root: Path) -> tuple[set[str], list[str]]:
    """Return every msgid under root and the files read; raise on a template that won't parse."""
    method_map, options_map = mapping()
    messages: set[str] = set()
    files: list[str] = []
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=KEYWORDS,
        callback=lambda filename, _method, _options: files.append(filename),
        directory_filter=walked,
    ):
        messages.add(message[0] if isinstance(message, tuple) else message)
    return messages, files


@pytest.fixture(scope="module")
def extracted() -> tuple[set[str], list[str]]:
    return extract(ROOT)


def template_files() -> list[str]:
    """Return the path, relative to templates/, of every file in templates/."""
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*") if p.is_file())


def catalogue(language: str):
    path = ROOT / "forum" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def test_every_template_compiles_in_the_apps_jinja_environment() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})
    names = sorted(app.jinja_env.list_templates())
    assert names == template_files()
    for name in names:
        app.jinja_env.get_template(name)  # raises TemplateSyntaxError with file and line


def test_extraction_reads_every_template(extracted) -> None:
    _messages, files = extracted
    read = sorted(f.removeprefix("templates/") for f in files if f.startswith("templates/"))
    assert read == template_files()
    assert "templates/_macros/forms.html" in files


def test_extraction_fails_loudly_on_a_template_that_does_not_parse(tmp_path: Path) -> None:
    (tmp_path / "templates" / "_macros").mkdir(parents=True)
    (tmp_path / "templates" / "_macros" / "broken.html").write_text(
        '{% if x %}{{ _("Lost") }}', encoding="utf-8"
    )
    with pytest.raises(TemplateSyntaxError):
        extract(tmp_path)


@pytest.mark.parametrize("language", ["da", "en"])
def test_catalogue_has_every_message_translated(language, extracted):
    messages = catalogue(language)
    source, _files = extracted
    assert "Please check the form" in source
    missing = sorted(m for m in source if m not in messages)
    assert missing == [], f"not in the {language} catalogue: {missing}"
    for message in messages:
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy in {language}: {message.id!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"empty in {language}: {message.id!r}"
