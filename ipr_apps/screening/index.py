"""The screening index: recorded facts arranged so a line is screened by lookups, not a loop."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import ahocorasick
from rapidfuzz import fuzz
from sqlalchemy import Select, String, cast, literal, select, union_all
from sqlalchemy.orm import Session

from ipr_apps.models import (
    Goods,
    Infringer,
    IpRight,
    Licensee,
    Recordation,
    RecordationStatus,
    Trader,
)
from ipr_apps.screening import rules
from ipr_apps.screening.normalise import company_key, hs_digits, keyed_words, text_key

# How a recorded infringer's free-text "Ports used" is split into ports.
PORT_SEPARATORS = re.compile(r"[,;，；、/\n]+")


class LegitimateTrader(NamedTuple):
    name: str
    role: str  # manufacturer, importer, exporter, or licensee (a licensee's goods are genuine)
    name_en: str | None = None  # its name in English, when recorded in another script too

    def names(self) -> tuple[str, ...]:
        return _names(self.name, self.name_en)


class KnownInfringer(NamedTuple):
    name: str
    ports: tuple[str, ...] = ()
    name_en: str | None = None

    def names(self) -> tuple[str, ...]:
        return _names(self.name, self.name_en)


def _names(name: str, name_en: str | None) -> tuple[str, ...]:
    """A party's recorded names: declarations name it in either script."""
    return (name, name_en) if name_en and name_en.strip() and name_en != name else (name,)


@dataclass(frozen=True)
class RecordedFacts:
    """What screening needs of one active recordation's current facts."""

    recordation_id: int
    number: str
    holder_name: str = ""
    marks: tuple[str, ...] = ()
    hs_codes: tuple[str, ...] = ()
    traders: tuple[LegitimateTrader, ...] = ()
    infringers: tuple[KnownInfringer, ...] = ()


class MarkMatch(NamedTuple):
    recordation_id: int
    mark: str  # as recorded


class PartyMatch(NamedTuple):
    recordation_id: int
    recorded: str  # the recorded name that matched
    score: float


@dataclass
class Entry:
    """One recordation's facts in comparable form (keys computed once, at build time)."""

    facts: RecordedFacts
    hs_codes: dict[str, str] = field(default_factory=dict)  # digits → as recorded
    traders: list[tuple[str, LegitimateTrader]] = field(default_factory=list)
    infringers: list[tuple[str, KnownInfringer, frozenset[str]]] = field(default_factory=list)

    def hs_under(self, digits: str) -> str | None:
        """The recorded code (digits) that an HS code's `digits` fall under, longest first."""
        for length in reversed(rules.HS_LENGTHS):
            if len(digits) >= length and digits[:length] in self.hs_codes:
                return digits[:length]
        return None


def long_enough(key: str) -> bool:
    """Whether a mark's (or port's) key is long enough to be looked for inside other text:
    3 Latin letters or digits, 2 Chinese characters ("大连" is a port, "ab" is anything)."""
    cjk = any(not ch.isascii() for ch in key)
    return len(key) >= (rules.MIN_MARK_CJK if cjk else rules.MIN_MARK_LATIN)


def port_keys(ports: Iterable[str]) -> frozenset[str]:
    """The text keys of ports, each recorded text split at commas, semicolons and slashes."""
    parts = (part for text in ports for part in PORT_SEPARATORS.split(text or ""))
    return frozenset(key for key in map(text_key, parts) if key)


class ScreeningIndex:
    """Built once from the recorded facts; rebuilt (a new index) when recordations change."""

    def __init__(self, facts: Iterable[RecordedFacts]) -> None:
        self.entries: dict[int, Entry] = {}
        self._marks: dict[str, list[MarkMatch]] = defaultdict(list)
        self._hs: dict[str, set[int]] = defaultdict(set)
        self._infringers: dict[str, list[PartyMatch]] = defaultdict(list)
        self._near: dict[int, list[str]] = defaultdict(list)  # hash of a one-deletion variant
        for item in facts:
            self._add(item)
        self._automaton = self._build_automaton()

    def __len__(self) -> int:
        return len(self.entries)

    def _add(self, facts: RecordedFacts) -> None:
        entry = Entry(facts)
        self.entries[facts.recordation_id] = entry
        for mark in facts.marks:
            key = text_key(mark)
            if long_enough(key):
                self._marks[key].append(MarkMatch(facts.recordation_id, mark))
        for code in facts.hs_codes:
            digits = hs_digits(code)[: max(rules.HS_LENGTHS)]
            if len(digits) in rules.HS_LENGTHS:
                entry.hs_codes[digits] = code
                self._hs[digits].add(facts.recordation_id)
        # Each recorded name of a party is a key of its own, the party as named so: a reason
        # quotes the recorded name the declared one matched.
        entry.traders = [
            (key, trader._replace(name=name))
            for trader in facts.traders
            for name in trader.names()
            if (key := company_key(name))
        ]
        for infringer in facts.infringers:
            ports = port_keys(infringer.ports)
            for name in infringer.names():
                key = company_key(name)
                if key:
                    entry.infringers.append((key, infringer._replace(name=name), ports))
                    self._add_infringer(key, PartyMatch(facts.recordation_id, name, 100))

    def _add_infringer(self, key: str, match: PartyMatch) -> None:
        self._infringers[key].append(match)
        if len(self._infringers[key]) == 1:
            for variant in _deletions(key):
                self._near[hash(variant)].append(key)

    def _build_automaton(self) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        for key, matches in self._marks.items():
            automaton.add_word(key, (key, tuple(matches)))
        if len(automaton):
            automaton.make_automaton()
        return automaton

    def marks_in(self, text: str | None) -> Iterator[MarkMatch]:
        """Every recorded mark whose key occurs in the key of `text` (one automaton pass), a
        Latin mark only as whole words ("BRIGHT" is in "Bright lamps", not in "Brightness")."""
        key, starts = keyed_words(text)
        if not key or not len(self._automaton):
            return
        for end, (mark_key, matches) in self._automaton.iter(key):
            if _whole_words(key, starts, end + 1 - len(mark_key), end + 1):
                yield from matches

    def hs_matches(self, code: str | None) -> dict[int, str]:
        """The recordations with a recorded code that `code` falls under → that code's digits."""
        digits = hs_digits(code)
        found: dict[int, str] = {}
        for length in rules.HS_LENGTHS:
            if len(digits) >= length:
                for recordation_id in self._hs.get(digits[:length], ()):
                    found[recordation_id] = digits[:length]
        return found

    def infringers_like(self, name: str | None) -> list[PartyMatch]:
        """Recorded infringers whose company key is the same as `name`'s, or close: one
        character apart (found by their one-deletion variants, as SymSpell does) and a
        RapidFuzz ratio ≥ COMPANY_MATCH."""
        key = company_key(name)
        if not key:
            return []
        found = list(self._infringers.get(key, ()))
        near = {other for v in _deletions(key) for other in self._near.get(hash(v), ())}
        for other in near - {key}:
            score = fuzz.ratio(key, other, score_cutoff=rules.COMPANY_MATCH)
            if score:
                found += [m._replace(score=score) for m in self._infringers[other]]
        return found


def _whole_words(key: str, starts: frozenset[int], start: int, stop: int) -> bool:
    """Whether key[start:stop] begins and ends at word edges; Chinese has no spaces, so every
    edge next to a CJK character counts."""
    return _edge(key, starts, start) and _edge(key, starts, stop)


def _edge(key: str, starts: frozenset[int], at: int) -> bool:
    if at in (0, len(key)) or at in starts:
        return True
    return not (key[at - 1].isascii() and key[at].isascii())


def _deletions(key: str) -> set[str]:
    """The key itself and each string made by deleting one of its characters. Two keys one
    substitution, insertion, deletion or swap apart share one of these."""
    return {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}


def same_company(key: str, other_key: str) -> float:
    """The RapidFuzz ratio of two company keys when it reaches COMPANY_MATCH, else 0."""
    if key == other_key:
        return 100.0
    return fuzz.ratio(key, other_key, score_cutoff=rules.COMPANY_MATCH)


def facts_of_active(session: Session) -> list[RecordedFacts]:
    """The current facts of every active recordation, in four set-based queries (the
    recordations with their right's title, then their goods, traders and infringers)."""
    active = (
        select(Recordation.id, Recordation.facts_application_id)
        .where(Recordation.status == RecordationStatus.ACTIVE)
        .subquery()
    )
    heads = session.execute(
        select(Recordation.id, Recordation.number, Recordation.holder_name, IpRight.title)
        .join(active, active.c.id == Recordation.id)
        .outerjoin(IpRight, IpRight.application_id == Recordation.facts_application_id)
        .order_by(Recordation.id)
    ).all()
    hs_codes = _grouped(session, _children(active, Goods, Goods.hs_code))
    traders = _grouped(session, _legitimate_parties(active))
    infringers = _grouped(
        session, _children(active, Infringer, Infringer.name, Infringer.ports, Infringer.name_en)
    )
    return [
        RecordedFacts(
            recordation_id=rid,
            number=number,
            holder_name=holder or "",
            marks=(title,) if title else (),
            hs_codes=tuple(code for (code,) in hs_codes.get(rid, ()) if code),
            traders=tuple(
                LegitimateTrader(name, str(role), name_en)
                for name, role, name_en in traders.get(rid, ())
                if name
            ),
            infringers=tuple(
                KnownInfringer(name, (ports,) if ports else (), name_en)
                for name, ports, name_en in infringers.get(rid, ())
                if name
            ),
        )
        for rid, number, holder, title in heads
    ]


def _children(active, model, *columns) -> Select:
    """`columns` of `model`'s rows on the facts application of each active recordation."""
    return (
        select(active.c.id, *columns)
        .join(active, active.c.facts_application_id == model.application_id)
        .order_by(active.c.id, model.position, model.id)
    )


LICENSEE = "licensee"


def _legitimate_parties(active) -> Select:
    """The recorded legitimate traders, then the licensees (role "licensee"), in one query."""
    parties = union_all(
        _unordered(active, Trader, literal(0).label("kind"), cast(Trader.role, String)),
        _unordered(active, Licensee, literal(1).label("kind"), literal(LICENSEE, String)),
    ).subquery()
    c = parties.c
    return select(c.id, c.name, c.role, c.name_en).order_by(c.id, c.kind, c.position, c.child_id)


def _unordered(active, model, kind, role) -> Select:
    return select(
        active.c.id, model.name.label("name"), role.label("role"), kind,
        model.position.label("position"), model.id.label("child_id"),
        model.name_en.label("name_en"),
    ).join(active, active.c.facts_application_id == model.application_id)  # fmt: skip


def _grouped(session: Session, query: Select) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for recordation_id, *values in session.execute(query):
        grouped[recordation_id].append(tuple(values))
    return grouped
