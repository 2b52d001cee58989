"""Screening declaration lines: per line, the active recordations it may infringe and why."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ipr_apps.screening import rules
from ipr_apps.screening.index import Entry, ScreeningIndex, long_enough
from ipr_apps.screening.normalise import company_key, hs_digits, text_key
from ipr_apps.screening.rules import Rule


@dataclass(frozen=True)
class DeclarationLine:
    declaration_number: str
    line_number: int
    port: str | None = None
    direction: str | None = None  # import or export
    hs_code: str | None = None
    description: str | None = None
    brand: str | None = None
    consignor: str | None = None
    consignee: str | None = None
    country_of_origin: str | None = None
    quantity: Decimal | None = None
    declared_value: Decimal | None = None


@dataclass(frozen=True)
class Hit:
    recordation_id: int
    number: str
    score: int
    reasons: tuple[str, ...]
    rules: tuple[str, ...]  # the names of the rules that matched, in the order of the reasons


@dataclass(frozen=True)
class LineResult:
    line: DeclarationLine
    hits: tuple[Hit, ...]  # highest score first


Finding = tuple[Rule, str]


def screen(
    index: ScreeningIndex,
    lines: Iterable[DeclarationLine],
    threshold: int = rules.DEFAULT_THRESHOLD,
) -> list[LineResult]:
    """Each line with the recordations that score at least `threshold` against it."""
    with_hs = rules.hs_alone_can_hit(threshold)
    return [LineResult(line, screen_line(index, line, threshold, with_hs)) for line in lines]


def screen_line(
    index: ScreeningIndex, line: DeclarationLine, threshold: int, with_hs: bool = False
) -> tuple[Hit, ...]:
    """Only the candidates found by lookups (marks, infringers, HS codes if they alone could
    hit) are scored, so the work does not grow with the number of recordations."""
    marks = _mark_findings(index, line)
    infringers = _infringer_findings(index, line)
    candidates = set(marks) | set(infringers)
    if with_hs:  # only when weights make an HS code alone enough: all its recordations
        candidates |= set(index.hs_matches(line.hs_code))
    digits = hs_digits(line.hs_code)
    hits = []
    for recordation_id in candidates:
        entry = index.entries[recordation_id]
        has_mark = recordation_id in marks
        findings = marks.get(recordation_id, []) + infringers.get(recordation_id, [])
        infringed = recordation_id in infringers
        findings += _fact_findings(entry, line, entry.hs_under(digits), has_mark, infringed)
        score = sum(rule.weight for rule, _ in findings)
        if score >= threshold:
            hits.append(_hit(entry, score, findings))
    return tuple(sorted(hits, key=lambda hit: (-hit.score, hit.number)))


def _hit(entry: Entry, score: int, findings: list[Finding]) -> Hit:
    return Hit(
        recordation_id=entry.facts.recordation_id,
        number=entry.facts.number,
        score=score,
        reasons=tuple(reason for _, reason in findings),
        rules=tuple(rule.name for rule, _ in findings),
    )


def _mark_findings(index: ScreeningIndex, line: DeclarationLine) -> dict[int, list[Finding]]:
    found: dict[int, list[Finding]] = defaultdict(list)
    seen: set[int] = set()
    for field_name, text in (("description", line.description), ("brand", line.brand)):
        for match in index.marks_in(text):
            if match.recordation_id not in seen:
                seen.add(match.recordation_id)
                reason = rules.MARK.reason.format(field=field_name, mark=match.mark)
                found[match.recordation_id].append((rules.MARK, reason))
    return found


def _parties(line: DeclarationLine) -> tuple[tuple[str, str], ...]:
    pairs = (("consignor", line.consignor), ("consignee", line.consignee))
    return tuple((party, name) for party, name in pairs if name)


def _infringer_findings(index: ScreeningIndex, line: DeclarationLine) -> dict[int, list[Finding]]:
    """The infringer rule, and the port rule for the infringer that matched."""
    found: dict[int, list[Finding]] = {}
    for party, name in _parties(line):
        for match in index.infringers_like(name):
            if match.recordation_id not in found:
                reason = rules.INFRINGER.reason.format(
                    party=party, name=name, infringer=match.recorded
                )
                port = _infringer_port(index.entries[match.recordation_id], line, match.recorded)
                found[match.recordation_id] = [(rules.INFRINGER, reason), *port]
    return found


def _fact_findings(
    entry: Entry, line: DeclarationLine, hs_recorded: str | None, has_mark: bool, infringed: bool
) -> list[Finding]:
    """The rules checked on the candidate's own facts: HS code and traders. A line with one
    of the recordation's known infringers as a party is not a genuine consignment, whoever
    the other party is."""
    findings: list[Finding] = []
    if hs_recorded:
        recorded = entry.hs_codes[hs_recorded]
        reason = rules.HS_CODE.reason.format(code=line.hs_code, recorded=recorded)
        findings.append((rules.HS_CODE, reason))
    legitimate = None if infringed else _legitimate_trader(entry, line)
    if legitimate:
        findings.append(legitimate)
    elif entry.traders and _parties(line) and (hs_recorded or has_mark):
        findings.append((rules.UNLISTED_TRADER, rules.UNLISTED_TRADER.reason))
    return findings


# The party of a line each recorded role may be: an importer receives the goods, an exporter
# sends them; a manufacturer or licensee may be either.
PARTIES_OF_ROLE = {"importer": ("consignee",), "exporter": ("consignor",)}


def _legitimate_trader(entry: Entry, line: DeclarationLine) -> Finding | None:
    """A party that *is* a recorded legitimate trader in its role: the same company key
    (legal forms, case, width, punctuation and script folded), not merely a similar name —
    a counterfeiter's look-alike name must not exempt its goods."""
    for party, name in _parties(line):
        key = company_key(name)
        for trader_key, trader in entry.traders:
            allowed = PARTIES_OF_ROLE.get(trader.role, ("consignor", "consignee"))
            if key and key == trader_key and party in allowed:
                reason = rules.LEGITIMATE_TRADER.reason.format(
                    party=party, name=name, role=trader.role, trader=trader.name
                )
                return rules.LEGITIMATE_TRADER, reason
    return None


def _infringer_port(entry: Entry, line: DeclarationLine, recorded: str) -> list[Finding]:
    """The port rule when the line's port is one the infringer named `recorded` uses."""
    port = text_key(line.port)
    for _key, infringer, ports in entry.infringers:
        if port and infringer.name == recorded and _same_port(port, ports):
            reason = rules.INFRINGER_PORT.reason.format(port=line.port, infringer=infringer.name)
            return [(rules.INFRINGER_PORT, reason)]
    return []


def _same_port(port: str, recorded: frozenset[str]) -> bool:
    """Equal keys, or a recorded port long enough to look for (3 letters, 2 Chinese
    characters) inside the line's ("Huangpu" in "Guangzhou Huangpu Port", "大连" in "大连港")."""
    return port in recorded or any(long_enough(p) and p in port for p in recorded)
