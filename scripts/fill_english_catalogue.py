"""Fill the English catalogue: the source strings are English, so each msgstr is its msgid."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "forum/translations/en/LC_MESSAGES/messages.po"


def main() -> None:
    """Copy every msgid (and plural) into its empty English msgstr, and clear fuzzy flags."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    for message in catalogue:
        if not message.id:
            continue
        message.flags.discard("fuzzy")
        if isinstance(message.id, tuple | list):
            message.string = tuple(message.id)
        else:
            message.string = message.id
    with CATALOGUE.open("wb") as handle:
        write_po(handle, catalogue, omit_header=False, sort_output=True)


if __name__ == "__main__":
    main()
