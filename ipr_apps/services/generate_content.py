"""The generator's application content: the right (by type), genuine goods, licensees, traders,
ports, infringers and the documents' metadata (no files)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from ipr_apps.services.generate_people import CORES, WORDS, Holder, person
from ipr_apps.services.generate_time import pick
from ipr_apps.services.recordations import add_years

TYPES = (
    ("trademark", 72),
    ("copyright", 6),
    ("patent_invention", 8),
    ("patent_utility_model", 7),
    ("patent_design", 7),
)
GOODS = (
    ("Sports shoes", "640411"),
    ("Handbags", "420221"),
    ("Wrist watches", "910219"),
    ("Headphones", "851830"),
    ("Phone cases", "392690"),
    ("Lipstick", "330410"),
    ("Toy figures", "950300"),
    ("LED lamps", "940540"),
    ("T-shirts", "610910"),
    ("Power banks", "850760"),
    ("Sunglasses", "900410"),
    ("Perfume", "330300"),
)
NICE = ("9", "25", "18", "14", "3", "28", "11", "35")
WORK_TYPES = ("software", "artwork", "product design drawing", "photograph")
PORTS = (
    ("Shenzhen Huanggang", "5301"),
    ("Shanghai Pudong", "2200"),
    ("Guangzhou Baiyun", "5100"),
    ("Qingdao", "4200"),
    ("Beijing Capital", "0100"),
    ("Ningbo", "3100"),
)

RIGHT_COLUMNS = (
    "application_id",
    "registration_number",
    "title",
    "nice_classes",
    "goods_services",
    "work_type",
    "first_publication_country",
    "abstract",
    "filing_date",
    "registration_date",
    "expiry_date",
)
GOODS_COLUMNS = (
    "id",
    "application_id",
    "position",
    "name",
    "hs_code",
    "place_of_manufacture",
    "main_features",
    "price_min",
    "price_max",
    "currency",
)
LICENSEE_COLUMNS = (
    "id",
    "application_id",
    "position",
    "name",
    "name_en",
    "country",
    "scope",
    "exclusive",
    "term_from",
    "term_until",
)
TRADER_COLUMNS = (
    "id",
    "application_id",
    "position",
    "role",
    "name",
    "name_en",
    "country",
    "customs_code",
)
PORT_COLUMNS = ("id", "application_id", "position", "name", "code", "direction")
INFRINGER_COLUMNS = (
    "id",
    "application_id",
    "position",
    "name",
    "name_en",
    "role",
    "country",
    "address",
    "ports",
    "description",
)
DOCUMENT_COLUMNS = (
    "id",
    "application_id",
    "doc_type",
    "original_name",
    "stored_name",
    "content_type",
    "size_bytes",
    "sha256",
    "uploaded_by_id",
    "uploaded_at",
)


@dataclass(frozen=True)
class Right:
    ipr_type: str
    number: str | None
    title: str
    expiry: date | None


def new_right(rng: random.Random, app_id: int, filed: date, holder: Holder) -> tuple[Right, tuple]:
    """(the right's recorded facts, its ip_rights row) for a right filed on `filed`."""
    ipr_type = pick(rng, TYPES)
    brand = rng.choice(WORDS).upper() if holder.country != "CN" else rng.choice(CORES)[1].upper()
    if ipr_type == "trademark":
        registered = filed - timedelta(days=rng.randint(30, 3400))
        expiry = add_years(registered, 10)
        expiry = add_years(expiry, 10) if expiry < filed + timedelta(days=200) else expiry
        right = Right(ipr_type, f"TM-{app_id * 7 % 10**8:08d}", brand, expiry)
        return right, right_row(app_id, right, filed, registered=registered, rng=rng)
    if ipr_type == "copyright":
        title = f"{brand} {rng.choice(WORK_TYPES)} {rng.randint(1, 9)}.0"
        right = Right(ipr_type, f"{filed.year}-R-{app_id:08d}", title, None)
        return right, right_row(app_id, right, filed, rng=rng, holder=holder)
    years = 20 if ipr_type == "patent_invention" else 10
    filing = filed - timedelta(days=rng.randint(200, 300 * years))
    number = f"ZL{filing.year}{rng.randint(1, 3)}{app_id % 10**7:07d}.{app_id % 10}"
    title = (
        f"{brand} {rng.choice(GOODS)[0].lower()} {rng.choice(('housing', 'mechanism', 'design'))}"
    )
    right = Right(ipr_type, number, title, add_years(filing, years))
    return right, right_row(app_id, right, filed, filing=filing, rng=rng)


def right_row(
    app_id: int,
    right: Right,
    filed: date,
    *,
    rng: random.Random,
    holder=None,
    registered=None,
    filing=None,
) -> tuple:
    trademark, copyright = right.ipr_type == "trademark", right.ipr_type == "copyright"
    classes = ",".join(sorted(set(rng.sample(NICE, rng.randint(1, 3))), key=int))
    return (
        app_id,
        right.number,
        right.title,
        classes if trademark else None,
        "; ".join(g for g, _hs in rng.sample(GOODS, 2)) if trademark else None,
        rng.choice(WORK_TYPES) if copyright else None,
        (holder.country if holder else None) if copyright else None,
        None if trademark or copyright else f"{right.title}: as described in the granted claims.",
        filing,
        registered,
        right.expiry,
    )


def children(rng: random.Random, writer_ids, app_id: int, holder: Holder) -> dict[str, list]:
    """Goods, licensees, traders, ports and infringers of one application."""
    goods = rng.sample(GOODS, rng.randint(1, 3))
    rows: dict[str, list] = {
        "goods": [],
        "licensees": [],
        "traders": [],
        "ports": [],
        "infringers": [],
    }
    for position, (name, hs) in enumerate(goods):
        low = Decimal(rng.randint(20, 2000))
        rows["goods"].append(
            (
                writer_ids("goods"),
                app_id,
                position,
                name,
                hs,
                holder.address,
                f"Genuine {name.lower()} carry a holographic label.",
                low,
                low * 3,
                "CNY",
            )
        )
    if rng.random() < 0.3:
        for position in range(rng.randint(1, 2)):
            rows["licensees"].append(
                (
                    writer_ids("licensees"),
                    app_id,
                    position,
                    f"Licensee {rng.choice(WORDS)} Trading",
                    None,
                    "CN",
                    "Distribution in mainland China",
                    rng.random() < 0.2,
                    date(2018, 1, 1),
                    date(2030, 12, 31),
                )
            )
    for position, role in enumerate(("manufacturer", "exporter")[: rng.randint(1, 2)]):
        rows["traders"].append(
            (
                writer_ids("traders"),
                app_id,
                position,
                role,
                holder.name_local,
                holder.name_en,
                holder.country,
                f"44{app_id % 10**8:08d}",
            )
        )
    for position, (name, code) in enumerate(rng.sample(PORTS, rng.randint(1, 2))):
        rows["ports"].append((writer_ids("ports"), app_id, position, name, code, "both"))
    if rng.random() < 0.25:
        rows["infringers"].append(
            (
                writer_ids("infringers"),
                app_id,
                0,
                f"{rng.choice(WORDS)} Copy Trading",
                None,
                "exporter",
                "CN",
                "Unknown",
                "5301",
                "Sold look-alikes online",
            )
        )
    return rows


def documents(
    rng: random.Random, writer_ids, app_id: int, holder: Holder, uploaded: datetime
) -> list[tuple]:
    kinds = ["ipr_certificate", "identity_proof", "goods_photo"]
    kinds += ["power_of_attorney"] if holder.agency_id else []
    rows = []
    for kind in kinds:
        image = kind == "goods_photo"
        rows.append(
            (
                writer_ids("documents"),
                app_id,
                kind,
                f"{kind}.{'png' if image else 'pdf'}",
                f"{rng.getrandbits(128):032x}.{'png' if image else 'pdf'}",
                "image/png" if image else "application/pdf",
                rng.randint(20_000, 2_000_000),
                f"{rng.getrandbits(256):064x}",
                holder.filer_id,
                uploaded,
            )
        )
    return rows


def licensee_name(rng: random.Random) -> str:
    return f"{person(rng)} Trading"
