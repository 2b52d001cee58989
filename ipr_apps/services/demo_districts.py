"""Demo customs districts (GACC's 4-digit customs codes: the customs districts directly under
GACC, and Shenzhen's Huanggang customs), the demo port officers, and the demo holder's general
guarantee; all idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ipr_apps.db import db
from ipr_apps.models import CustomsDistrict, Role, today
from ipr_apps.services import districts, guarantees, users

DISTRICTS = [
    ("0100", "北京海关", "Beijing Customs"),
    ("0200", "天津海关", "Tianjin Customs"),
    ("0800", "沈阳海关", "Shenyang Customs"),
    ("0900", "大连海关", "Dalian Customs"),
    ("1900", "哈尔滨海关", "Harbin Customs"),
    ("2200", "上海海关", "Shanghai Customs"),
    ("2300", "南京海关", "Nanjing Customs"),
    ("2900", "杭州海关", "Hangzhou Customs"),
    ("3100", "宁波海关", "Ningbo Customs"),
    ("3500", "福州海关", "Fuzhou Customs"),
    ("3700", "厦门海关", "Xiamen Customs"),
    ("4200", "青岛海关", "Qingdao Customs"),
    ("4700", "武汉海关", "Wuhan Customs"),
    ("5100", "广州海关", "Guangzhou Customs"),
    ("5200", "黄埔海关", "Huangpu Customs"),
    ("5300", "深圳海关", "Shenzhen Customs"),
    ("5301", "深圳皇岗海关", "Shenzhen Huanggang Customs"),
    ("5700", "拱北海关", "Gongbei Customs"),
    ("6000", "汕头海关", "Shantou Customs"),
    ("7900", "成都海关", "Chengdu Customs"),
    ("8000", "重庆海关", "Chongqing Customs"),
]
OFFICERS = [
    ("officer@example.com", "Officer Sun", "5301"),
    ("officer.shanghai@example.com", "Officer Zhou", "2200"),
]
GUARANTEE_HOLDER = "holder@example.com"  # Brightlight, the holder of BRIGHTSTAR
GUARANTEE_CNY = Decimal("500000.00")


def seed_districts() -> int:
    """Add the demo districts that are missing; returns how many were added."""
    added = 0
    for code, name_local, name_en in DISTRICTS:
        if db.session.get(CustomsDistrict, code) is None:
            districts.add_district(None, code, name_local, name_en)
            added += 1
    return added


def seed_officers(password: str) -> list[tuple[str, bool]]:
    """(email, created) for each demo officer; existing accounts are left alone."""
    made = []
    for email, name, code in OFFICERS:
        created = users.get_by_email(email) is None
        if created:
            users.create_user(email, password, Role.OFFICER, name, district_code=code)
        made.append((email, created))
    return made


def seed_guarantee(day: date | None = None) -> bool:
    """Give the demo holder a general guarantee to the end of the year, unless it has one."""
    holder = users.get_by_email(GUARANTEE_HOLDER)
    if holder is None or holder.organisation.general_guarantee_cny is not None:
        return False
    until = date((day or today()).year, 12, 31)
    guarantees.set_guarantee(None, holder.organisation_id, GUARANTEE_CNY, until)
    return True
