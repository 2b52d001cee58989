"""The notes the system writes on an application's history, worded for each reader.

A person's note (a reason, a request, an answer) is stored as typed and shown as stored. A
note the system writes (where a draft was copied from, a possible duplicate, a reassignment,
the recordation an approval created) is stored as a key and its values in
`StatusEvent.note_words`, with its English wording in `note` for whoever reads the table; the
page words it again in its reader's language, so a reviewer reading in Chinese does not get
the English of the colleague who acted, nor a holder reading in English the Chinese of their
agent. Rows written before the column keep their text; the two fixed English notes written
by SQL (the import's, claim-next's) are recognised by their text.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from ipr_apps import i18n

WORDINGS = {
    "revises": _l("Revises %(reference)s"),
    "copied": _l("Copied from %(reference)s"),
    "renewal": _l("Renewal of the recordation, from %(reference)s"),
    "amendment": _l("Amendment of the recordation, from %(reference)s"),
    "duplicate": _l("Possible duplicate of %(references)s"),
    "reassigned": _l("Reassigned from %(before)s to %(after)s"),
    "recorded": _l("Recordation %(number)s, valid until %(until)s"),
    "claim_next": _l("Claimed as the next application in the queue"),
    "imported": _l("Imported from the previous system"),
}
DATES = frozenset({"until"})  # values stored as ISO dates, shown in the reader's format
# Notes written as fixed English text by SQL statements (services/review.py's claim-next
# UPDATE, services/import_swap.py's INSERT … SELECT), and so recognised by their text.
FIXED = {"claim next": "claim_next", "Imported from the previous system": "imported"}


class SystemNote(NamedTuple):
    key: str
    values: dict[str, str]

    @classmethod
    def of(cls, key: str, **values: object) -> SystemNote:
        stored = {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in values.items()}
        return cls(key, stored)

    def stored(self) -> dict[str, str]:
        """What `StatusEvent.note_words` holds."""
        return {"key": self.key, **self.values}

    def english(self) -> str:
        """The wording `StatusEvent.note` holds."""
        with i18n.in_language("en"):
            return self.worded()

    def worded(self) -> str:
        """In the current reader's language."""
        values = {k: _shown(k, v) for k, v in self.values.items()}
        return str(WORDINGS[self.key]) % values


def _shown(name: str, value: str) -> str:
    return i18n.format_day(date.fromisoformat(value)) if name in DATES else value


def worded(note: str | None, words: dict[str, str] | None) -> str | None:
    """An event's note for the current reader: the system's worded again, a person's as is."""
    if words and words.get("key") in WORDINGS:
        values = {k: v for k, v in words.items() if k != "key"}
        return SystemNote(words["key"], values).worded()
    if note in FIXED:
        return SystemNote(FIXED[note], {}).worded()
    return note
