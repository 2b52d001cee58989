# ruff: noqa: S311  (demo data, not secrets)
"""A demo history of detention cases for seed-demo, in the CSV of `import-cases`: the seed's
half years exactly (H1 2019: 6,241 batches, 23.81 million items worth 78.73 million yuan, up
1.5% and 100.7% on H1 2018), the other half years from 2018 on at about a tenth of that
volume (each its own) so that seeding stays quick. Rows are the same for a month whenever
they are generated."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from decimal import Decimal

from ipr_apps.services.demo_history import months, split

SEED = "ipr-demo-cases"
HEADER = (
    "case_number", "opened_on", "port_code", "channel", "direction", "mode", "ipr_type",
    "recordation_number", "goods", "hs_code", "items", "value_cny", "outcome",
)  # fmt: skip
# (batches, items, value in yuan) of the half years the press release gives or implies.
PUBLISHED = {
    (2018, 1): (6_149, 11_863_478, Decimal("61_402_517.35")),
    (2019, 1): (6_241, 23_810_000, Decimal("78_730_000.00")),
}
SCALE = 0.1  # the other half years, from H1 2018's figures
VOLUME_SPREAD = (0.8, 1.25)  # … each times a factor of this range
MONTH_WEIGHTS = (0.9, 0.7, 1.0, 1.1, 1.1, 1.2)
PORTS = (("5301", 5), ("5316", 4), ("2200", 4), ("4200", 3), ("0100", 2), ("5100", 3),
         ("2300", 2), ("7900", 1))  # fmt: skip
CHANNELS = (("express", 5), ("post", 3), ("freight", 2), ("cross_border_ecommerce", 3),
            ("passenger", 1), ("other", 1))  # fmt: skip
TYPES = (("trademark", 90), ("patent", 6), ("copyright", 4))
GOODS = (("Footwear", "640399"), ("Handbags", "420221"), ("Watches", "910219"),
         ("Headphones", "851830"), ("Phone cases", "392690"), ("Cosmetics", "330499"),
         ("Toys", "950300"), ("LED lamps", "940540"))  # fmt: skip
OUTCOMES = (("confiscated", 80), ("released", 6), ("transferred_to_police", 4),
            ("court_order", 3), ("withdrawn_by_holder", 2), ("", 5))  # fmt: skip


def half_totals(year: int, half: int) -> tuple[int, int, Decimal]:
    """(batches, items, value) opened in the half year, as generated."""
    if (year, half) in PUBLISHED:
        return PUBLISHED[year, half]
    batches, items, value = PUBLISHED[2018, 1]
    # Each half year its own volume (the same on every run), so that the demo's year-on-year
    # sentences move ("up 8.2%") rather than read "unchanged" half year after half year.
    scale = SCALE * random.Random(f"{SEED}-{year}-H{half}-volume").uniform(*VOLUME_SPREAD)
    return (
        round(batches * scale),
        round(items * scale),
        (value * Decimal(scale)).quantize(Decimal("0.01")),
    )


def _month_totals(month: date) -> tuple[int, int, int]:
    """(batches, items, value in fen) opened in `month`: its share of the half year."""
    half = 1 if month.month <= 6 else 2
    batches, items, value = half_totals(month.year, half)
    rng = random.Random(f"{SEED}-{month.year}-H{half}")
    weights = [w * rng.uniform(0.9, 1.1) for w in MONTH_WEIGHTS]
    index = (month.month - 1) % 6
    return tuple(split(int(total), weights)[index] for total in (batches, items, value * 100))


def _pick(rng: random.Random, table) -> str:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def month_rows(month: date) -> list[list[str]]:
    """The cases opened in `month`: items and value split over them (sums exact)."""
    batches, items, fen = _month_totals(month)
    rng = random.Random(f"{SEED}-{month:%Y-%m}")
    sizes = [rng.paretovariate(1.3) for _ in range(batches)]
    counts = split(items, sizes)
    values = split(fen, [s * rng.uniform(0.5, 1.5) for s in sizes])
    days = [month + timedelta(days=d) for d in range(28)]
    rows = []
    for n in range(batches):
        port = _pick(rng, PORTS)
        goods, hs_code = rng.choice(GOODS)
        rows.append([
            f"DEMO-C{month:%Y%m}-{n + 1:05d}", rng.choice(days).isoformat(), port,
            _pick(rng, CHANNELS), "import" if rng.random() < 0.3 else "export",
            "ex_officio" if rng.random() < 0.95 else "on_application", _pick(rng, TYPES), "",
            goods, hs_code, str(counts[n]), f"{Decimal(values[n]) / 100:.2f}", _pick(rng, OUTCOMES),
        ])  # fmt: skip
    return rows


def seed(until: date | None = None) -> int:
    """Import the history through import-cases' own path (idempotent: stored cases are
    skipped, months ended since the last run are added); returns the cases imported."""
    from ipr_apps.models import today
    from ipr_apps.services import case_imports

    text = csv_text(until or today())
    return case_imports.import_cases(lambda: io.StringIO(text)).imported


def csv_text(until: date) -> str:
    """Every month of the history up to the last month ended before `until`, with the header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for month in months(until):
        writer.writerows(month_rows(month))
    return out.getvalue()
