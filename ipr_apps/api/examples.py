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

# Screening: the recordation T2021-000456 records the mark 光明灯 (Simplified), genuine goods
# under HS 8539.52, the legitimate exporter Shenzhen Brightlight Electronics Co., Ltd. and the
# known infringer Fake Lights Co (ports Shenzhen Bay, Huangpu). Line 1 declares the mark in
# Traditional script, line 2 comes from the infringer, line 3 is the holder's own exporter.
_GOODS = {"hs_code": "8539.52.00", "direction": "export", "port": "Shenzhen Bay",
          "consignee": "Lumina Distribution GmbH", "country_of_origin": "CN"}  # fmt: skip

SCREENING_EXAMPLE = {
    "threshold": 50,
    "lines": [
        {
            **_GOODS,
            "declaration_number": "531620260000123456",
            "line_number": 1,
            "description": "LED 燈泡 E27 9W",
            "brand": "光明燈",
            "consignor": "Dongguan Huaxing Trading Co., Ltd.",
            "quantity": "5000",
            "declared_value": "12500.00",
        },
        {
            **_GOODS,
            "declaration_number": "531620260000123456",
            "line_number": 2,
            "description": "LED bulbs E27, unbranded",
            "consignor": "FAKE LIGHTS CO., LTD.",
            "quantity": "20000",
            "declared_value": "18000.00",
        },
        {
            **_GOODS,
            "declaration_number": "531620260000123457",
            "line_number": 1,
            "description": "LED 灯泡 E27 9W",
            "brand": "光明灯",
            "consignor": "SHENZHEN BRIGHTLIGHT ELECTRONICS CO LTD",
            "quantity": "3000",
            "declared_value": "21000.00",
        },
    ],
}

_UNLISTED = "Neither party is among the recorded legitimate traders and licensees."
_HS = "The HS code 8539.52.00 falls under the code 8539.52 recorded for the genuine goods."
_HIT = {"recordation_id": 4567, "recordation_number": "T2021-000456", "score": 90}

SCREENING_RESPONSE_EXAMPLE = {
    "run_id": 1042,
    "threshold": 50,
    "index_version": 318,
    "lines": [
        {
            "declaration_number": "531620260000123456",
            "line_number": 1,
            "hits": [
                {
                    **_HIT,
                    "rules": ["mark", "hs_code", "unlisted_trader"],
                    "reasons": ["The brand contains the recorded mark “光明灯”.", _HS, _UNLISTED],
                }
            ],
        },
        {
            "declaration_number": "531620260000123456",
            "line_number": 2,
            "hits": [
                {
                    **_HIT,
                    "rules": ["infringer", "infringer_port", "hs_code", "unlisted_trader"],
                    "reasons": [
                        "The consignor “FAKE LIGHTS CO., LTD.” matches the recorded infringer "
                        "“Fake Lights Co”.",
                        "The port “Shenzhen Bay” is one the recorded infringer “Fake Lights Co” "
                        "uses.",
                        _HS,
                        _UNLISTED,
                    ],
                }
            ],
        },
        {"declaration_number": "531620260000123457", "line_number": 1, "hits": []},
    ],
}
