"""The labelled screening set (`tests/data/screening/`) and how the engine scores on it.

Precision and recall count (line, recordation) pairs: a pair is expected when the line's
`expected` column names the recordation, found when the engine hits it at the threshold. Used
by `tests/test_screening_quality.py` (floors) and `bench/screening.py` (printed numbers).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ipr_apps.screening import rules
from ipr_apps.screening.engine import DeclarationLine, LineResult, screen
from ipr_apps.screening.index import (
    LICENSEE,
    KnownInfringer,
    LegitimateTrader,
    RecordedFacts,
    ScreeningIndex,
)
from ipr_apps.screening.lines import line_from

SET = Path(__file__).resolve().parent / "data" / "screening"
GENUINE_KINDS = ("genuine_legitimate_importer", "genuine_legitimate_exporter")


@dataclass(frozen=True)
class Labelled:
    line: DeclarationLine
    expected: frozenset[str]  # recordation numbers
    kind: str


def raw_recordations(path: Path = SET / "recordations.json") -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def recordations(path: Path = SET / "recordations.json") -> list[RecordedFacts]:
    """The recorded facts as `facts_of_active` reads them: the right's title is the mark."""
    data = raw_recordations(path)
    return [
        RecordedFacts(
            recordation_id=n,
            number=item["number"],
            holder_name=item["holder"],
            marks=(item["mark"],),
            hs_codes=tuple(item["hs_codes"]),
            traders=(
                *(
                    LegitimateTrader(t["name"], t["role"], t.get("name_en"))
                    for t in item["traders"]
                ),
                *(LegitimateTrader(name, LICENSEE) for name in item["licensees"]),
            ),
            infringers=tuple(
                KnownInfringer(i["name"], (i["ports"],) if i["ports"] else ())
                for i in item["infringers"]
            ),
        )
        for n, item in enumerate(data, start=1)
    ]


def declarations(path: Path = SET / "declarations.csv") -> list[Labelled]:
    """The labelled lines, each read by the page's own `line_from`."""
    with path.open(newline="", encoding="utf-8") as source:
        return [
            Labelled(
                line_from(row),
                frozenset(n for n in row["expected"].split(";") if n),
                row["kind"],
            )
            for row in csv.DictReader(source)
        ]


@dataclass
class Counts:
    lines: int = 0
    expected: int = 0  # pairs
    found: int = 0  # pairs
    correct: int = 0  # pairs both expected and found
    lines_with_hits: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.expected if self.expected else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else None


@dataclass
class Quality:
    threshold: int
    total: Counts = field(default_factory=Counts)
    kinds: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    misses: list[tuple[Labelled, str]] = field(default_factory=list)  # (line, number)
    false_hits: list[tuple[Labelled, str, int, tuple[str, ...]]] = field(default_factory=list)


def evaluate(
    facts: list[RecordedFacts], labelled: list[Labelled], threshold: int = rules.DEFAULT_THRESHOLD
) -> Quality:
    results = screen(ScreeningIndex(facts), [item.line for item in labelled], threshold)
    return compare(labelled, results, threshold)


def compare(labelled: Iterable[Labelled], results: list[LineResult], threshold: int) -> Quality:
    quality = Quality(threshold)
    for item, result in zip(labelled, results, strict=True):
        found = {hit.number: hit for hit in result.hits}
        for counts in (quality.total, quality.kinds[item.kind]):
            counts.lines += 1
            counts.expected += len(item.expected)
            counts.found += len(found)
            counts.correct += len(item.expected & found.keys())
            counts.lines_with_hits += bool(found)
        quality.misses += [(item, number) for number in sorted(item.expected - found.keys())]
        quality.false_hits += [
            (item, number, hit.score, hit.rules)
            for number, hit in sorted(found.items())
            if number not in item.expected
        ]
    return quality


def _pct(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def _describe(line: DeclarationLine) -> str:
    parts = (line.description, line.brand, line.hs_code, line.consignor, line.consignee, line.port)
    return " | ".join(part or "" for part in parts)


def report(quality: Quality, shown: int = 10) -> Iterator[str]:
    """The numbers as printed by the benchmark: overall, per kind, then the first misses and
    false hits."""
    t = quality.total
    yield (
        f"labelled set: {t.lines} lines, {t.expected} expected (line, recordation) pairs; "
        f"threshold {quality.threshold}"
    )
    yield (
        f"precision {_pct(t.precision)}  recall {_pct(t.recall)}  F1 {_pct(t.f1)}  "
        f"({t.correct} correct, {t.found - t.correct} false hits, {t.expected - t.correct} missed)"
    )
    yield f"{'kind':<30} {'lines':>5} {'exp':>4} {'found':>5} {'ok':>4} {'prec':>6} {'recall':>6}"
    for kind, c in sorted(quality.kinds.items()):
        yield (
            f"{kind:<30} {c.lines:>5} {c.expected:>4} {c.found:>5} {c.correct:>4} "
            f"{_pct(c.precision):>6} {_pct(c.recall):>6}"
        )
    yield f"misses (first {shown} of {len(quality.misses)}):"
    for item, number in quality.misses[:shown]:
        yield f"  {item.kind}: {number} not hit by {_describe(item.line)}"
    yield f"false hits (first {shown} of {len(quality.false_hits)}):"
    for item, number, score, names in quality.false_hits[:shown]:
        yield f"  {item.kind}: {number} ({score}: {', '.join(names)}) on {_describe(item.line)}"
