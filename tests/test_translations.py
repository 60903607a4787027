"""Every user-visible string has a Chinese translation with the same placeholders."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHOD_MAP = [("src/sojourn/**.py", "python"), ("src/sojourn/**/templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_messages() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT),
        method_map=METHOD_MAP,
        options_map={"src/sojourn/**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=KEYWORDS,
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def chinese_catalog() -> dict[str, str]:
    with (ROOT / "src/sojourn/locale/zh_CN/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.string, str) else m.string[0])
        for m in catalog
        if m.id
    }


def test_every_message_in_the_code_is_translated_into_chinese():
    catalog = chinese_catalog()
    messages = extracted_messages()
    assert "Not found" in messages and len(messages) > 50  # the extraction itself works
    missing = sorted(message for message in messages if not catalog.get(message))
    assert not missing, f"run scripts/update-translations and translate: {missing}"


def test_translations_keep_their_placeholders():
    for message, translation in chinese_catalog().items():
        assert set(PLACEHOLDER.findall(message)) == set(PLACEHOLDER.findall(translation)), message
