"""The Chinese catalogue's quality: complete, not fuzzy, up to date with the sources, placeholders
kept, the glossary's terms used; and no English left unwrapped in templates or Python."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests import i18n_scan

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "ipr_apps" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
GLOSSARY = ROOT / "docs" / "glossary.md"
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3), "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2),
    "_ln": (1, 2),
}  # fmt: skip
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%\((\w+)\)d|%[sd]|\{\{?\s*\w+\s*\}?\}")


@cache
def catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="zh_Hans")


def messages():
    return [m for m in catalogue() if m.id]


def msgid(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def test_no_message_is_empty_or_fuzzy():
    bad = [msgid(m) for m in messages() if m.fuzzy or not all(s.strip() for s in strings(m))]
    assert bad == [], f"{len(bad)} untranslated or fuzzy: {bad[:20]}"


@cache
def extracted_ids() -> set[str]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_catalogue_holds_every_message_of_the_sources():
    """Run `make translations` and translate what it adds when this fails."""
    missing = sorted(extracted_ids() - {msgid(m) for m in messages()})
    assert missing == [], f"{len(missing)} not in the catalogue: {missing[:20]}"


def test_catalogue_has_no_leftover_messages():
    leftover = sorted({msgid(m) for m in messages()} - extracted_ids())
    assert leftover == [], f"{len(leftover)} no longer in the sources: {leftover[:20]}"


def test_translations_keep_every_placeholder():
    def names(text: str) -> list[str]:
        return sorted(match.group(0).replace(" ", "") for match in _PLACEHOLDER.finditer(text))

    broken = [
        msgid(m)
        for m in messages()
        for s in strings(m)
        if s
        and names(s) != names(msgid(m))
        and not (isinstance(m.id, tuple) and names(s) == names(m.id[1]))
    ]
    assert broken == []


def test_chinese_translations_are_chinese():
    """A msgstr copied from the English (or left in English) is not a translation; codes and
    names that read the same in both languages are listed in i18n_scan.NEUTRAL."""

    def reads_english(text: str) -> bool:  # not "the API", "in %(number)s"
        words = i18n_scan.english_words(_PLACEHOLDER.sub("", text))
        return len(words) >= 2 or any(len(w) >= 4 for w in words)

    english = [
        msgid(m)
        for m in messages()
        if reads_english(msgid(m)) and not any(re.search(r"[\u4e00-\u9fff]", s) for s in strings(m))
    ]
    assert english == []


def glossary_rows() -> list[tuple[str, str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[2] == "yes":
            rows.append((cells[0], cells[1]))
    return rows


def _english_pattern(term: str) -> re.Pattern:
    variants = [v.strip() for v in re.split(r"/|\(.*?\)", term) if v.strip()]
    return re.compile(r"\b(" + "|".join(re.escape(v) for v in variants) + r")\b", re.I)


def test_glossary_has_the_gacc_terms():
    glossary = GLOSSARY.read_text(encoding="utf-8")
    for word in ("知识产权海关保护备案", "备案号", "权利人", "代理人", "补正", "核准", "驳回",
                 "续展", "变更", "撤销", "扣留", "批次", "货值"):  # fmt: skip
        assert f"| {word}" in glossary or f"{word} |" in glossary or f"/ {word}" in glossary, word
    assert "注销" in glossary


@pytest.mark.parametrize(("english", "chinese"), glossary_rows())
def test_glossary_terms_are_used(english, chinese):
    """Where a message says the term in English, its Chinese says the glossary's word."""
    pattern = _english_pattern(english)
    words = [w.strip() for w in re.split(r"[/（(]", chinese) if w.strip(" )）")]
    wrong = [
        msgid(m)
        for m in messages()
        if pattern.search(_PLACEHOLDER.sub("", msgid(m)))
        and not any(w in s for s in strings(m) for w in words)
    ]
    assert wrong == [], f"{english} → {chinese} missing in: {wrong[:10]}"


def test_nothing_is_left_unwrapped():
    """Templates and Python hand every user-facing sentence to Flask-Babel
    (`python -m tests.i18n_scan` lists what is left)."""
    assert i18n_scan.all_findings() == []


def test_scanner_finds_unwrapped_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<h1>{{ _("Wrapped") }}</h1><p title="Plain title">Plain text</p><code>column_name</code>'
        "{% trans %}Also wrapped{% endtrans %}{{ 'Change' if x else 'Record' }}",
        encoding="utf-8",
    )
    code = tmp_path / "views.py"
    code.write_text('flash("Saved the form.")\nflash(_("Wrapped."))\n', encoding="utf-8")
    from ipr_apps import create_app

    env = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).jinja_env
    i18n_scan.ROOT = tmp_path  # findings are named relative to ROOT
    try:
        found = i18n_scan.template_findings(env, page) + i18n_scan.python_findings(code)
    finally:
        i18n_scan.ROOT = ROOT
    text = "\n".join(found)
    assert "Plain title" in text and "Plain text" in text and "'Change'" in text
    assert "Saved the form." in text
    assert "Wrapped" not in text and "column_name" not in text and "Also wrapped" not in text


def test_plural_blocks_count_with_count():
    """`{% trans day=…, count=n %}…{% pluralize %}` counts with its FIRST variable (the day):
    English never notices, Chinese gettext refuses a non-number (a 500 on the edit page of
    an application awaiting information). Every plural block must count with `count`."""
    trans = re.compile(r"\{%-?\s*trans\b([^%]*)%\}(.*?)\{%-?\s*endtrans\s*-?%\}", re.S)
    wrong = []
    for path in sorted((ROOT / "templates").rglob("*.*")):
        for match in trans.finditer(path.read_text(encoding="utf-8")):
            plural = re.search(r"\{%-?\s*pluralize\s*(\w*)\s*-?%\}", match.group(2))
            if not plural:
                continue
            names = re.findall(r"(?:^|,)\s*(\w+)\s*(?:=|,|$)", match.group(1).strip())
            if (plural.group(1) or (names[0] if names else "")) != "count":
                wrong.append(f"{path.relative_to(ROOT)}: {match.group(1).strip()}")
    assert wrong == []


# Dates are Chinese words on a Chinese page (2027年3月31日, 2027年3月31日 09:00): they sit in
# the sentence without spaces, as in 有效期至2027年3月31日. Spaces stay beside Latin letters and
# digits (references, codes, counts), and beside dates shown as ISO or as a format's name.
_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_DATE = r"%\((?:day|until|opens|closes|expiry|start|end|reply_by|confirm_by|moment)\)s"
_SPACED_DATE = re.compile(rf"{_CJK} {_DATE}|{_DATE} {_CJK}")
NOT_DATES = (  # msgids whose placeholder is an ISO date, or a format or a column's name
    "Calendar day %(day)s",  # the security log's target, the key admins search with
    "%(day)s is before %(column)s %(other)s",  # an import's value, as the file has it
    "%(decision)s is %(approved)s or %(rejected)s; dates are %(day)s;",  # the import's help
    "%(opened)s is %(day)s;",
)


def test_chinese_dates_have_no_spaces_around_them():
    spaced = [
        msgid(m)
        for m in messages()
        if not msgid(m).startswith(NOT_DATES) and any(_SPACED_DATE.search(s) for s in strings(m))
    ]
    assert spaced == []
