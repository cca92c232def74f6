"""The Chinese catalogue is complete and the compiled file matches it."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if "msgid" in block]


def test_every_message_is_translated_and_none_is_fuzzy():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    empty = [
        block.splitlines()[-2] if len(block.splitlines()) > 1 else block
        for block in _entries(text)
        if re.search(r'^msgstr(\[0\])? ""$', block, re.M)
        and not re.search(r'^msgstr(\[0\])? ""\n"', block, re.M)
        and 'msgid ""\nmsgstr ""' not in block
    ]
    assert not empty, f"untranslated: {empty[:5]}"


def test_the_compiled_catalogue_matches_the_source():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    source_count = len(_entries(text)) - 1  # the header
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    compiled_keys = {key if isinstance(key, str) else key[0] for key in compiled._catalog if key}
    assert len(compiled_keys) == source_count, "run `make messages` (compilemessages) after editing django.po"
