"""English left on a Chinese page: the catalogue's English phrases found in what a reader sees.

A page whose `<html lang>` is zh-Hans must not show a message of ours in English. The phrases
come from the zh_Hans catalogue: every msgid (and plural) whose Chinese differs, cut at its
placeholders (`%(name)s`, `{name}`), each piece kept when it has two words or more, or eight
letters or more ("Sign out", "Statistics"; not "New" or "Email", which user data may hold).
The page's text is what is rendered (hidden elements left out), plus the visible attributes a
reader or a screen reader gets (button values, placeholders, aria-label, title); `<code>` and
anything marked with another language (`lang="en"`: the language switch, Swagger UI) are left
out. Used by the browser journeys' `check(page)` and by test_every_page.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = (
    Path(__file__).resolve().parents[2]
    / "ipr_apps" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
)  # fmt: skip
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sd]|\{\w+\}")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_EDGE = " \t\n,.;:!?·—–-()（）“”\"'"
# Words that read the same in both languages (as tests/i18n_scan.NEUTRAL): a piece made of
# these only is no sign of a missing translation.
_NEUTRAL = {
    "ipr_apps", "CSV", "XLSX", "JSON", "PDF", "PNG", "JPEG", "API", "OpenAPI", "HS", "ID", "URL",
    "IPR", "GACC", "CN", "UTC", "SMTP", "ISO", "HTTP", "HTTPS", "Bearer", "TSV", "CNY", "SHA",
    "JPG", "OK", "EU", "USD", "RMB", "IP", "UUID", "Unicode", "NUL", "Authorization",
}  # fmt: skip

# What a reader of the page gets: rendered text and the visible attributes of shown elements,
# outside <code>-like elements and outside anything marked as another language than Chinese.
PAGE_TEXT_JS = """() => {
  const verbatim = 'code, pre, kbd, samp, script, style, template, noscript';
  const otherLanguage = (el) => {
    const tagged = el.closest('[lang]');
    return tagged && tagged !== document.documentElement &&
      !tagged.getAttribute('lang').toLowerCase().startsWith('zh');
  };
  const shown = (el) => el.checkVisibility({opacityProperty: false, visibilityProperty: true});
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let last = null;  // text split by <wbr> (reviewer<wbr>@example.com) is one piece of text
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(verbatim) || otherLanguage(el) || !shown(el)) continue;
    if (el === last) parts[parts.length - 1] += node.nodeValue;
    else parts.push(node.nodeValue);
    last = el;
  }
  for (const el of document.body.querySelectorAll(
      '[placeholder], [aria-label], [title], input[type=submit], input[type=button]')) {
    if (el.closest(verbatim) || otherLanguage(el) || !shown(el)) continue;
    for (const name of ['placeholder', 'aria-label', 'title']) {
      if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
    }
    if (el.matches('input[type=submit], input[type=button]')) parts.push(el.value);
  }
  return {lang: document.documentElement.lang, text: parts.join('\\n')};
}"""


def phrases_of(msgid: str) -> list[str]:
    """The pieces of one English message that must not appear on a Chinese page."""
    pieces = (piece.strip(_EDGE) for piece in _PLACEHOLDER.split(msgid))
    return [" ".join(piece.split()) for piece in pieces if _telling(piece)]


def _telling(piece: str) -> bool:
    words = [w for w in _WORD.findall(piece) if w not in _NEUTRAL]
    return len(words) >= 2 or sum(len(w) for w in words) >= 8


def catalogue_phrases(path: Path = CATALOGUE) -> frozenset[str]:
    """Every telling piece of every msgid the catalogue translates into something else."""
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    found: set[str] = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not any(strings) or set(strings) <= set(ids):  # untranslated, or the same in both
            continue
        for msgid in ids:
            found.update(phrases_of(msgid))
    return frozenset(found)


@cache
def _pattern(phrases: frozenset[str]) -> re.Pattern[str]:
    longest_first = sorted(phrases, key=len, reverse=True)
    alternatives = "|".join(re.escape(p) for p in longest_first)
    # Whole words: "Language" is not found in "Accept-Language" (a header's name, kept), nor
    # "reviewer" in reviewer@example.com (an address is data).
    return re.compile(rf"(?<![\w@.-])(?:{alternatives})(?![\w@-])", re.ASCII)


@cache
def _real_catalogue() -> frozenset[str]:
    return catalogue_phrases(CATALOGUE)


def untranslated(text: str, phrases: frozenset[str] | None = None) -> list[str]:
    """The catalogue's English phrases found in `text` (whitespace runs read as one space)."""
    phrases = _real_catalogue() if phrases is None else phrases
    if not phrases:
        return []
    flat = " ".join(text.split())
    return sorted({m.group(0) for m in _pattern(phrases).finditer(flat)})


def untranslated_on(page) -> list[str]:
    """English phrases of the catalogue shown on `page` when it is in Chinese (else [])."""
    seen = page.evaluate(PAGE_TEXT_JS)
    if not seen["lang"].lower().startswith("zh"):
        return []
    return untranslated(seen["text"])
