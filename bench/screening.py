"""Benchmark: screening declaration lines with the index vs a plain loop over the recordations.

Builds N synthetic recordations (a mark, genuine goods' HS codes, a legitimate importer, a
known infringer with its port) and M declaration lines (some bearing a recorded mark, some
sent by a recorded infringer, some genuine from the legitimate importer, most ordinary), then:
- screens every line with `ScreeningIndex` (Aho-Corasick over the marks, HS-prefix and
  infringer lookups): lines per second, and the time to build the index;
- screens a sample of the same lines with the same rules and scoring, the candidates found
  by a plain loop over every recordation's marks and infringers (`LoopIndex`): lines per
  second, the ratio, and whether both give the same hits on the sample.
Target (issue 14): at least 5,000 lines/s with 200,000 recordations.
Then screens the labelled set (`tests/data/screening/`) at the default threshold: precision,
recall and F1 over (line, recordation) pairs, per kind, and the first misses and false hits
(`--quality-only` prints just these, in a second).

    .venv/bin/python bench/screening.py [--recordations 200000] [--lines 100000] [--sample 200]
                                        [--shown 10] [--quality-only]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ipr_apps.screening.engine import DeclarationLine, screen
from ipr_apps.screening.index import (
    KnownInfringer,
    LegitimateTrader,
    MarkMatch,
    PartyMatch,
    RecordedFacts,
    ScreeningIndex,
    _whole_words,
    same_company,
)
from ipr_apps.screening.normalise import company_key, keyed_words
from tests import screening_set

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = ["ka", "lo", "mi", "ra", "to", "ne", "su", "vi", "da", "ze", "po", "lu", "xi", "qua"]
HS_POOL = [f"{random.Random(n).randint(300000, 969999)}" for n in range(800)]
PORTS = ["Huangpu", "Shekou", "Yantian", "Waigaoqiao", "Ningbo", "Tianjin", "Qingdao", "Xiamen"]


class LoopIndex(ScreeningIndex):
    """The same rules and scoring; the candidates found by looping over every recordation."""

    def marks_in(self, text: str | None) -> Iterator[MarkMatch]:
        key, starts = keyed_words(text)
        if not key:
            return
        for mark_key, matches in self._marks.items():
            at = key.find(mark_key)
            while at >= 0:
                if _whole_words(key, starts, at, at + len(mark_key)):
                    yield from matches
                    break
                at = key.find(mark_key, at + 1)

    def infringers_like(self, name: str | None) -> list[PartyMatch]:
        key = company_key(name)
        found: list[PartyMatch] = []
        if not key:
            return found
        for other, matches in self._infringers.items():
            score = same_company(key, other)
            if score:
                found += [m._replace(score=score) for m in matches]
        return found


def mark(rng: random.Random, n: int) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(3)).upper()
    return f"{word}{n}"  # unique, like registered marks


def company(rng: random.Random, n: int, suffix: str) -> str:
    """A made-up company name, unique by its first word (n spelt in syllables), like real
    names that differ in words rather than in one digit."""
    word = ""
    while True:
        n, digit = divmod(n, len(SYLLABLES))
        word += SYLLABLES[digit]
        if not n:
            break
    other = "".join(rng.choice(SYLLABLES) for _ in range(4))
    return f"{word.title()} {other.title()} {suffix}"


def recordations(count: int, rng: random.Random) -> list[RecordedFacts]:
    return [
        RecordedFacts(
            recordation_id=n,
            number=f"T2020-{n:06d}",
            marks=(mark(rng, n),),
            hs_codes=(rng.choice(HS_POOL),),
            traders=(LegitimateTrader(company(rng, n, "Import Co., Ltd."), "importer"),),
            infringers=(KnownInfringer(company(rng, n, "Works Limited"), (rng.choice(PORTS),)),),
        )
        for n in range(1, count + 1)
    ]


def lines(count: int, facts: list[RecordedFacts], rng: random.Random) -> list[DeclarationLine]:
    made = []
    for n in range(count):
        pick = facts[rng.randrange(len(facts))]
        kind = rng.random()
        text, brand, sender = "Assorted household goods", None, f"Trader {rng.randint(1, 10**6)}"
        if kind < 0.05:  # a recorded mark on the goods
            text, brand = f"LED lamps bearing {pick.marks[0].lower()} logo", pick.marks[0]
        elif kind < 0.08:  # sent by a recorded infringer
            sender = pick.infringers[0].name.upper().replace("LIMITED", "LTD.")
        elif kind < 0.10:  # genuine goods from the legitimate importer
            text, sender = f"{pick.marks[0]} lamps", pick.traders[0].name
        made.append(DeclarationLine(
            declaration_number=f"53012026{n // 20:010d}", line_number=n % 20 + 1,
            port=rng.choice(PORTS), direction="import", hs_code=rng.choice(HS_POOL),
            description=text, brand=brand, consignee=sender,
        ))  # fmt: skip
    return made


def timed(function, *args):
    """The result, the wall-clock seconds, and this process's CPU seconds (on a shared machine
    the CPU time is what the work cost, the wall clock also counts the other processes)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - start, time.process_time() - cpu


def hits_of(results) -> list[tuple]:
    return [tuple((h.recordation_id, h.score) for h in r.hits) for r in results]


def throughput(args: argparse.Namespace) -> None:
    rng = random.Random(14)
    facts = recordations(args.recordations, rng)
    batch = lines(args.lines, facts, rng)
    index, build, build_cpu = timed(ScreeningIndex, facts)
    results, spent, spent_cpu = timed(screen, index, batch)
    loop_index = LoopIndex(facts)
    sample = batch[: args.sample]
    loop_results, loop_spent, loop_cpu = timed(screen, loop_index, sample)
    fast, slow = len(batch) / spent, len(sample) / loop_spent
    same = hits_of(results[: args.sample]) == hits_of(loop_results)
    flagged = sum(1 for r in results if r.hits)
    print(f"recordations {args.recordations:,}; lines {args.lines:,}; index built in {build:.1f} s")
    print(f"index:      {fast:>12,.0f} lines/s  ({flagged:,} lines with hits)")
    print(f"plain loop: {slow:>12,.1f} lines/s  (on the first {len(sample):,} lines)")
    print(f"ratio index / plain loop: {fast / slow:,.0f}x; same hits on the sample: {same}")
    print(f"target >= 5,000 lines/s: {'met' if fast >= 5_000 else 'NOT met'}")
    print(
        f"per CPU second of this process: index {len(batch) / spent_cpu:,.0f} lines, plain loop "
        f"{len(sample) / loop_cpu:,.1f} lines; index built in {build_cpu:.1f} CPU s"
    )


def quality(shown: int) -> None:
    facts, labelled = screening_set.recordations(), screening_set.declarations()
    print(f"quality: {len(facts)} recorded facts ({screening_set.SET.relative_to(ROOT)})")
    for text in screening_set.report(screening_set.evaluate(facts, labelled), shown):
        print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordations", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=200, help="lines the plain loop screens")
    parser.add_argument("--shown", type=int, default=10, help="misses and false hits listed")
    parser.add_argument("--quality-only", action="store_true", help="only the labelled set")
    args = parser.parse_args()
    if not args.quality_only:
        throughput(args)
    quality(args.shown)


if __name__ == "__main__":
    main()
