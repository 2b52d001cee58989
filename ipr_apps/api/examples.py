"""Request examples published in the OpenAPI document (a client can send them as they are)."""

from __future__ import annotations

from datetime import date

_FAR = date(date.today().year + 8, 12, 31).isoformat()

CREATE_EXAMPLE = {
    "ipr_type": "trademark",
    "holder": {
        "name_local": "深圳光明电子有限公司",
        "name_en": "Shenzhen Brightlight Electronics Co., Ltd.",
        "country": "CN",
        "registration_number": "91440300MA5DXXXX1K",
        "address": "88 Keji Road, Nanshan, Shenzhen",
        "legal_representative": "Zhang Min",
        "contact_person": "Li Wei",
        "email": "ip@brightlight.example",
        "phone": "+86 755 0000 0001",
    },
    "right": {
        "registration_number": "TM-32145876",
        "title": "BRIGHTLIGHT",
        "nice_classes": "9, 11",
        "goods_services": "LED lamps; light bulbs",
        "registration_date": "2018-06-01",
        "expiry_date": _FAR,
    },
    "goods": [
        {
            "name": "LED bulb",
            "hs_code": "853952",
            "place_of_manufacture": "Shenzhen",
            "main_features": "Logo moulded into the base; holographic label",
            "price_min": "10.00",
            "price_max": "20.00",
            "currency": "CNY",
        }
    ],
    "licensees": [{"name": "Bright EU GmbH", "country": "DE", "exclusive": True}],
    "infringers": [{"name": "Fake Lights Co", "country": "CN", "role": "manufacturer"}],
}

PATCH_EXAMPLE = {
    "goods": [
        {
            "name": "LED bulb",
            "hs_code": "853952",
            "place_of_manufacture": "Shenzhen",
            "main_features": "Logo moulded into the base",
        },
        {
            "name": "Desk lamp",
            "hs_code": "940521",
            "place_of_manufacture": "Dongguan",
            "main_features": "Engraved serial number",
        },
    ]
}

DECISION_EXAMPLE = {
    "outcome": "request_info",
    "reason": "Please attach the licence contract with Bright EU GmbH.",
}

REGISTER_ENTRY_EXAMPLE = {
    "number": "T2019-000123",
    "status": "active",
    "ipr_type": "trademark",
    "right_number": "TM-32145876",
    "right_title": "BRIGHTLIGHT",
    "holder_name": "深圳光明电子有限公司",
    "holder_country": "CN",
    "valid_from": "2019-03-14",
    "valid_until": "2029-03-13",
}

REGISTER_PAGE_EXAMPLE = {
    "items": [
        REGISTER_ENTRY_EXAMPLE,
        {
            **REGISTER_ENTRY_EXAMPLE,
            "number": "T2014-000042",
            "status": "expired",
            "valid_from": "2014-05-02",
            "valid_until": "2024-05-01",
        },
    ],
    "next": "WyJUMjAxOS0wMDAxMjMiXQ",
}
