"""Comparison keys for screening: one form for marks, company names and HS codes."""

from __future__ import annotations

import re
import unicodedata

from opencc import OpenCC

# One converter for the process: OpenCC's Traditional → Simplified table (a maintained one).
_T2S = OpenCC("t2s")

# Legal forms dropped from company names before they are compared, as data. Latin forms are
# whole words after dots are removed ("Co., Ltd." → "co ltd", "S.A." → "sa"), dropped from the
# end (suffixes) or the start (prefixes) of the name, repeatedly ("Company Limited"), but never
# the last word left ("The Trading Co" keeps "trading").
# Chinese forms are Simplified (names are converted first) and dropped from the end, longest first.
LEGAL_SUFFIXES: frozenset[str] = frozenset(
    {
        "co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation",
        "llc", "llp", "lp", "plc", "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa",
        "bv", "nv", "oy", "ab", "as", "pte", "pty", "bhd", "sdn", "kk", "jsc", "pjsc",
        "group", "holdings",
    }
)  # fmt: skip
LEGAL_PREFIXES: frozenset[str] = frozenset({"the", "pt", "ooo", "oao", "zao", "cv"})
CHINESE_SUFFIXES: tuple[str, ...] = (
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
    "株式会社", "商行", "厂",
)  # fmt: skip

_PUNCTUATION = re.compile(r"[^\w]+")


def _fold(text: str) -> str:
    """NFKC (full-width → half-width), case-folded in every script, Traditional → Simplified."""
    return _T2S.convert(unicodedata.normalize("NFKC", text).casefold())


def text_key(text: str | None) -> str:
    """Only the letters, digits and CJK characters of `text`, folded: "Bright-Star",
    "BRIGHT STAR" and "ＢＲＩＧＨＴＳＴＡＲ" all give "brightstar"; "燈" gives "灯"."""
    if not text:
        return ""
    return "".join(ch for ch in _fold(text) if ch.isalnum())


def keyed_words(text: str | None) -> tuple[str, frozenset[int]]:
    """`text_key(text)` and the positions in it where a word starts: after a space or
    punctuation, and between a letter and a digit ("Star2000" → "star" | "2000")."""
    key: list[str] = []
    starts: set[int] = set()
    previous = ""
    for ch in _fold(text or ""):
        if not ch.isalnum():
            previous = ""
            continue
        if not previous or previous.isdigit() != ch.isdigit():
            starts.add(len(key))
        key.append(ch)
        previous = ch
    return "".join(key), frozenset(starts)


def company_key(name: str | None) -> str:
    """`text_key` of a company name without its legal form: "Fake Lights Company Limited" and
    "FAKE LIGHTS CO., LTD" both give "fakelights"."""
    if not name:
        return ""
    words = _PUNCTUATION.sub(" ", _fold(name).replace(".", "")).split()
    while len(words) > 1 and (words[-1] in LEGAL_SUFFIXES or words[-1] in CHINESE_SUFFIXES):
        words.pop()  # a Chinese form is a word of its own after a bracket: "光明(中山)有限公司"
    while len(words) > 1 and words[0] in LEGAL_PREFIXES:
        words.pop(0)
    if words:
        words[-1] = _strip_chinese_suffix(words[-1])
    return text_key("".join(words))


def _strip_chinese_suffix(word: str) -> str:
    stripped = True
    while stripped and word:
        stripped = False
        for suffix in CHINESE_SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix):
                word, stripped = word[: -len(suffix)], True
                break
    return word


def hs_digits(code: str | None) -> str:
    """The digits of an HS code as written: "9405.21.00" and "９４０５ ２１ ００" both give
    "94052100"."""
    if not code:
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", code) if ch.isdigit())
