# ruff: noqa: S311  (generated data, not secrets)
"""The generator's people: holder organisations (domestic names in both scripts, foreign ones),
agencies and their mandates, holder, agent and staff accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from ipr_apps.services.generate_write import Writer

CITIES = (
    ("深圳", "Shenzhen"),
    ("上海", "Shanghai"),
    ("广州", "Guangzhou"),
    ("杭州", "Hangzhou"),
    ("北京", "Beijing"),
    ("宁波", "Ningbo"),
    ("苏州", "Suzhou"),
    ("东莞", "Dongguan"),
    ("厦门", "Xiamen"),
    ("青岛", "Qingdao"),
    ("成都", "Chengdu"),
    ("武汉", "Wuhan"),
)
CORES = (
    ("光明", "Guangming"),
    ("华强", "Huaqiang"),
    ("海达", "Haida"),
    ("金龙", "Jinlong"),
    ("天宇", "Tianyu"),
    ("新源", "Xinyuan"),
    ("宏图", "Hongtu"),
    ("恒信", "Hengxin"),
    ("瑞丰", "Ruifeng"),
    ("长城", "Changcheng"),
    ("东方", "Dongfang"),
    ("锦绣", "Jinxiu"),
    ("星辰", "Xingchen"),
    ("百川", "Baichuan"),
    ("凯达", "Kaida"),
    ("美华", "Meihua"),
    ("永安", "Yongan"),
    ("嘉禾", "Jiahe"),
    ("安泰", "Antai"),
    ("鼎盛", "Dingsheng"),
)
INDUSTRIES = (
    ("电子", "Electronics"),
    ("科技", "Technology"),
    ("服饰", "Apparel"),
    ("照明", "Lighting"),
    ("玩具", "Toys"),
    ("实业", "Industrial"),
    ("体育用品", "Sporting Goods"),
    ("化妆品", "Cosmetics"),
    ("箱包", "Bags"),
    ("精密机械", "Precision Machinery"),
)
FOREIGN = (
    ("US", "Inc.", "New York"),
    ("DE", "GmbH", "München"),
    ("JP", "K.K.", "Tokyo"),
    ("FR", "S.A.S.", "Paris"),
    ("IT", "S.p.A.", "Milano"),
    ("GB", "Ltd.", "London"),
    ("KR", "Co., Ltd.", "Seoul"),
    ("CH", "AG", "Zürich"),
    ("NL", "B.V.", "Amsterdam"),
    ("SE", "AB", "Stockholm"),
)
WORDS = (
    "Aurora",
    "Nordic",
    "Summit",
    "Atlas",
    "Vertex",
    "Orion",
    "Helix",
    "Lumen",
    "Apex",
    "Zenith",
    "Cobalt",
    "Granite",
    "Harbor",
    "Meridian",
    "Pioneer",
    "Quantum",
    "Solstice",
    "Titan",
    "Willow",
    "Crescent",
)
TRADES = (
    "Sportswear",
    "Audio",
    "Optics",
    "Motors",
    "Labs",
    "Foods",
    "Cosmetics",
    "Instruments",
    "Design",
    "Textiles",
    "Pharma",
    "Robotics",
)
SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu")
GIVEN = ("Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Tao", "Hui", "Jun", "Xin")
DOMESTIC_SHARE = 0.62
AGENT_SHARE = 0.35  # holders that file through an agency

ORG_COLUMNS = (
    "id",
    "kind",
    "name_local",
    "name_en",
    "country",
    "registration_number",
    "address",
    "legal_representative",
    "contact_person",
    "email",
    "phone",
    "created_at",
    "updated_at",
)
USER_COLUMNS = (
    "id",
    "email",
    "password_hash",
    "name",
    "role",
    "organisation_id",
    "district_code",
    "active",
    "created_at",
    "email_confirmed_at",
)
MANDATE_COLUMNS = ("id", "agency_id", "holder_id", "granted_at")


@dataclass(frozen=True)
class Holder:
    """What an application copies into its holder section, and who files it."""

    org_id: int
    name_local: str
    name_en: str | None
    country: str
    registration_number: str
    address: str
    representative: str
    contact: str
    email: str
    phone: str
    agency_id: int | None
    filer_id: int  # the holder's user, or its agency's


@dataclass
class People:
    holders: list[Holder]
    reviewers: list[int]
    admins: list[int]
    officers: dict[str, int]  # district code → an officer's user id


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


def _domestic(rng: random.Random, k: int) -> tuple[str, str | None, str, str, str]:
    city, core, core2, trade = (
        rng.choice(CITIES),
        rng.choice(CORES),
        rng.choice(CORES),
        rng.choice(INDUSTRIES),
    )
    local = f"{city[0]}{core[0]}{core2[0]}{trade[0]}有限公司"
    english = f"{city[1]} {core[1]}{core2[1].lower()} {trade[1]} Co., Ltd."
    return local, english, "CN", f"9144{k:010d}X", f"{rng.randint(1, 999)} Keji Road, {city[1]}"


def _foreign(rng: random.Random, k: int) -> tuple[str, str | None, str, str, str]:
    country, form, city = rng.choice(FOREIGN)
    name = f"{rng.choice(WORDS)} {rng.choice(TRADES)} {form}"
    return name, name, country, f"REG-{country}-{k:08d}", f"{rng.randint(1, 300)} Main St, {city}"


def org_row(org_id: int, kind: str, facts: tuple, rng: random.Random, when: datetime) -> tuple:
    local, english, country, number, address = facts
    slug = f"org{org_id}"
    return (
        org_id,
        kind,
        local,
        english,
        country,
        number,
        address,
        person(rng),
        person(rng),
        f"ip@{slug}.example",
        f"+86 755 {org_id % 10**8:08d}",
        when,
        when,
    )


def add_people(
    writer: Writer,
    seed: int,
    run: int,
    count: int,
    password_hash: str,
    districts: list[str],
    start: datetime,
) -> People:
    """Holders (count/20), agencies (count/1000) with their mandates, and every account."""
    n_holders, n_agencies = max(3, count // 20), max(2, count // 1000)
    rng = random.Random(f"{seed}-{run}-people")
    agency_ids = writer.ids("organisations", n_agencies)
    holder_ids = writer.ids("organisations", n_holders)
    orgs = [org_row(a, "agency", _agency_facts(rng, a), rng, start) for a in agency_ids]
    facts = [(_domestic if rng.random() < DOMESTIC_SHARE else _foreign)(rng, h) for h in holder_ids]
    orgs += [org_row(h, "holder", f, rng, start) for h, f in zip(holder_ids, facts, strict=True)]
    writer.write("organisations", ORG_COLUMNS, orgs)
    users: list[tuple] = []

    def account(kind: str, key: object, name: str, role: str, org=None, district=None) -> int:
        (user_id,) = writer.ids("users", 1)
        email = f"{kind}-{run}-{key}@generated.example"
        users.append((user_id, email, password_hash, name, role, org, district, True, start, start))
        return user_id

    agent_users = {
        a: account("agent", i, person(rng), "holder", a) for i, a in enumerate(agency_ids)
    }
    holders = []
    mandates = []
    for i, (org, row) in enumerate(zip(holder_ids, orgs[n_agencies:], strict=True)):
        user = account("holder", i, row[8], "holder", org)
        agency = agency_ids[(i * 7919) % n_agencies] if rng.random() < AGENT_SHARE else None
        if agency is not None:
            mandates.append((writer.ids("agent_mandates", 1)[0], agency, org, start))
        holders.append(Holder(org, *row[2:11], agency, agent_users[agency] if agency else user))
    reviewers = [
        account("reviewer", i, person(rng), "reviewer") for i in range(max(3, count // 20000))
    ]
    admins = [account("admin", i, person(rng), "admin") for i in range(2)]
    officers = {
        code: account("officer", code, person(rng), "officer", district=code) for code in districts
    }
    writer.write("users", USER_COLUMNS, users)
    writer.write("agent_mandates", MANDATE_COLUMNS, mandates)
    return People(holders, reviewers, admins, officers)


def _agency_facts(rng: random.Random, org_id: int) -> tuple:
    city, core = rng.choice(CITIES), rng.choice(CORES)
    return (
        f"{city[0]}{core[0]}知识产权代理有限公司",
        f"{city[1]} {core[1]} IP Agency Co., Ltd.",
        "CN",
        f"9111{org_id:010d}A",
        f"{rng.randint(1, 99)} Zhongguancun Street, {city[1]}",
    )
