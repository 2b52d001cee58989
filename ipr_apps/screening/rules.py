"""The screening rules and their weights, as data: what each adds to a line's score and why.

A line is scored against each candidate recordation (one whose mark appears in the line or
whose recorded infringer is a party to it). The score is the sum of the weights of the rules
that matched; a recordation is a hit when the score reaches the threshold.

| rule              | weight | matches when                                                      |
|-------------------|-------:|-------------------------------------------------------------------|
| mark              |    +50 | the recorded mark/title appears in the description or brand       |
| hs_code           |    +25 | the line's HS code falls under a code recorded for genuine goods  |
| infringer         |    +40 | the consignor or consignee is a recorded known infringer          |
| unlisted_trader   |    +15 | neither party is a recorded legitimate trader (see below)         |
| infringer_port    |    +10 | the port is one the matched infringer is known to use             |
| legitimate_trader |   −150 | a party is a recorded legitimate trader or licensee in its role   |
|                   |        | (importer = consignee, exporter = consignor; the same company     |
|                   |        | key, not a similar name), and no known infringer is a party       |

With the default threshold of 50: the mark alone is a hit; an HS code alone (25, or 40 with an
unlisted trader) is not; a known infringer (40) is a hit with the HS code or the port. A genuine
consignment from a recorded legitimate importer or exporter never is (−150 outweighs every
other rule together). `unlisted_trader` counts only when the mark or HS code matched, the line
names a consignor or consignee, and the recordation records at least one legitimate trader
(otherwise the absence says nothing).
"""

from __future__ import annotations

from typing import NamedTuple


class Rule(NamedTuple):
    name: str
    weight: int
    reason: str  # a str.format template: the plain-words sentence shown to the officer


MARK = Rule("mark", 50, "The {field} contains the recorded mark “{mark}”.")
HS_CODE = Rule(
    "hs_code",
    25,
    "The HS code {code} falls under the code {recorded} recorded for the genuine goods.",
)
INFRINGER = Rule(
    "infringer", 40, "The {party} “{name}” matches the recorded infringer “{infringer}”."
)
UNLISTED_TRADER = Rule(
    "unlisted_trader",
    15,
    "Neither party is among the recorded legitimate traders and licensees.",
)
INFRINGER_PORT = Rule(
    "infringer_port", 10, "The port “{port}” is one the recorded infringer “{infringer}” uses."
)
LEGITIMATE_TRADER = Rule(
    "legitimate_trader", -150, "The {party} “{name}” is the recorded legitimate {role} “{trader}”."
)

RULES: tuple[Rule, ...] = (
    MARK,
    HS_CODE,
    INFRINGER,
    UNLISTED_TRADER,
    INFRINGER_PORT,
    LEGITIMATE_TRADER,
)

DEFAULT_THRESHOLD = 50
# RapidFuzz ratio (0–100) at which two company keys (normalise.company_key) are the same company.
COMPANY_MATCH = 90
# Marks shorter than this (in text_key characters) are not screened: they would match anywhere.
MIN_MARK_LATIN = 3
MIN_MARK_CJK = 2
# HS code prefixes compared, in digits: a recorded code counts at its own length among these.
HS_LENGTHS = (4, 6, 8, 10)


def hs_alone_can_hit(threshold: int) -> bool:
    """Whether a recordation matched only by its HS code could reach `threshold` (with the
    default weights it cannot, so the engine need not score every recordation of a code); the
    port rule needs a matched infringer, so it cannot add to an HS-only match."""
    return HS_CODE.weight + UNLISTED_TRADER.weight >= threshold
