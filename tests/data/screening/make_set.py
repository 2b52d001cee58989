"""Writes the labelled screening set: `recordations.json` and `declarations.csv` beside this file.

    .venv/bin/python tests/data/screening/make_set.py

The recordations are written out by hand below (made-up brands, realistic facts: marks in Latin
and Chinese, some recorded in Traditional characters, HS codes of 4 to 10 digits, legitimate
traders, licensees, known infringers and the ports they use). The declaration lines are drawn
from them with a seeded random generator, one `kind` at a time; each line carries its label:
`expected`, the recordation numbers it infringes (";"-separated, empty when it infringes none).

The labels say what is true of the consignment, not what the rules can see. Some kinds are
infringing lines the rules legitimately miss (a misspelt or transliterated mark, an infringer
declaring other goods, a counterfeiter whose name is one letter from the legitimate importer's),
and some are genuine lines the rules flag (a Chinese mark inside a longer word). A legitimate
trader declared under its name in the other script is recorded with both (`name`, `name_en`),
as holders now record it. So precision and
recall measure the rules against the truth, and neither is 1.0 by construction.

The files are committed; run this again only to change the set (same seed, same files).
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 14
COLUMNS = (
    "declaration_number", "line_number", "port", "direction", "hs_code", "description", "brand",
    "consignor", "consignee", "country_of_origin", "quantity", "declared_value",
)  # fmt: skip


def rec(number, mark, goods, hs, traders=(), infringers=(), licensees=(), ipr_type="trademark",
        goods_zh=None, holder=None, plain=None):  # fmt: skip
    """One recordation: `goods` is how its goods are declared (English; `goods_zh` Chinese),
    `plain` an unbranded description of goods under the same HS code."""
    return {
        "number": number, "ipr_type": ipr_type, "holder": holder or f"{mark} holder",
        "mark": mark, "hs_codes": list(hs),
        "traders": [{"name": n, "role": r} for n, r in traders],
        "licensees": list(licensees),
        "infringers": [{"name": n, "ports": p} for n, p in infringers],
        "goods": goods, "goods_zh": goods_zh or "", "plain": plain or goods,
    }  # fmt: skip


IMP, EXP, MAN = "importer", "exporter", "manufacturer"

RECORDATIONS = [
    rec("T2019-000412", "BRIGHTSTAR", "LED bulbs", ["8539.52", "9405.21.00"],
        [("Bright Imports Ltd.", IMP), ("Dongguan Brightstar Manufacturing Co., Ltd.", MAN),
         ("Brightstar Export (HK) Limited", EXP)],
        [("Fake Lights Company Limited", "Shenzhen Bay; Huangpu")],
        ["Lumen Distribution GmbH"], goods_zh="LED灯泡", holder="Brightstar Lighting Co., Ltd.",
        plain="LED bulbs, E27, 9W, unbranded"),
    rec("T2018-002231", "NORDKAPP", "anoraks", ["6201.40", "6403.91"],
        [("Nordkapp China Trading (Shanghai) Co., Ltd.", IMP),
         ("Ningbo Fjordtex Garment Co., Ltd.", EXP)],
        [("Wenzhou Polar Peak Shoes Co., Ltd.", "Wenzhou, Ningbo")],
        holder="Nordkapp Outdoor AS", plain="men's anoraks of synthetic fibres"),
    rec("T2020-000957", "VELOCITA", "bicycle derailleurs", ["871493"],
        [("Velocita Asia Pte. Ltd.", IMP)],
        [("Tianjin Speedking Bicycle Parts Factory", "Tianjin Xingang")],
        holder="Velocita Cicli S.p.A.", plain="bicycle rear derailleurs"),
    rec("T2021-001540", "AQUAVIVA", "water filter cartridges", ["8421.21.10"],
        [("Aquaviva Water Technology (Suzhou) Co., Ltd.", MAN), ("Aquaviva Asia Ltd", EXP)],
        [("Yuyao Purewell Filter Co Ltd", "Ningbo"),
         ("Cixi Clearflow Trading Co.", "Ningbo, Shanghai")],
        holder="Aquaviva GmbH", plain="water filter cartridges, activated carbon"),
    rec("T2017-003318", "KORONA", "razor blades", ["8212.20"],
        [("Korona Blades Trading Co., Ltd.", IMP)],
        [("Linyi Sharpway Blades Co., Ltd.", "Qingdao; Lianyungang")],
        holder="Korona Blades s.r.o.", plain="double-edge safety razor blades"),
    rec("T2022-000186", "ZEPHYRA", "hair dryers", ["8516.31.00"],
        [("Zephyra Appliances (Guangzhou) Co., Ltd.", MAN)],
        [("Cixi Windy Electric Appliance Co., Ltd.", "Ningbo")],
        holder="Zephyra Ltd", goods_zh="电吹风", plain="hair dryers, 1800 W"),
    rec("T2016-004470", "TERRAFORT", "safety work boots", ["6403400010"],
        [("Terrafort Footwear Vietnam Co., Ltd.", EXP), ("Terrafort Europe B.V.", IMP)],
        [("Jinjiang Steelfoot Shoes Co., Ltd.", "Xiamen")],
        holder="Terrafort Footwear Inc.", plain="leather safety boots with metal toe-cap"),
    rec("T2021-002719", "LUMINEX", "phone cases", ["3926.90", "4202.32"],
        [("Luminex Accessories Ltd", IMP)],
        [("Shenzhen Quickcase Electronics Co., Ltd.", "Shenzhen Bay, Huangpu"),
         ("Guangzhou Mobile Mate Trading Co., Ltd.", "Guangzhou Baiyun Airport")],
        holder="Luminex Accessories Ltd", goods_zh="手机壳", plain="silicone phone cases"),
    rec("T2019-001188", "SOLENNE", "eau de parfum", ["3303.00"],
        [("Solenne Parfums Asia Pacific Pte Ltd", IMP)],
        [("Yiwu Fragrance World Co., Ltd.", "Yiwu; Ningbo")],
        holder="Solenne Parfums SA", goods_zh="香水", plain="eau de parfum, 100 ml"),
    rec("T2020-003301", "MAXGRIP", "cordless drills", ["8467.21.00.10"],
        [("Maxgrip Tools Trading (Shanghai) Co., Ltd.", IMP)],
        [("Yongkang Powerking Tools Co., Ltd.", "Ningbo")],
        holder="Maxgrip Power Tools Corp.", plain="cordless drills, 18 V"),
    rec("T2022-002045", "PIXELNOVA", "game controllers", ["9504.50"],
        [("Pixelnova Interactive HK Limited", IMP)],
        [("Shenzhen Joyplay Technology Co., Ltd.", "Shenzhen Bay")],
        holder="Pixelnova Interactive Inc.", goods_zh="游戏手柄",
        plain="wireless game controllers"),
    rec("T2018-000763", "ORO VERDE", "extra virgin olive oil", ["1509.20"],
        [("Oro Verde Import Shanghai Co Ltd", IMP), ("Oleificio Oro Verde S.r.l.", EXP)],
        [("Tianjin Goldenoil Food Co., Ltd.", "Tianjin Xingang")],
        holder="Oleificio Oro Verde S.r.l.", plain="extra virgin olive oil, 1 L bottles"),
    rec("T2020-000418", "ROYAL PANDA", "black tea", ["0902.30"],
        [("Royal Panda Tea Co., Ltd.", EXP)],
        [("Anxi Fortune Tea Trading Co.", "Xiamen")],
        holder="Royal Panda Tea Co., Ltd.", goods_zh="红茶", plain="black tea, 250 g tins"),
    rec("T2017-000935", "CASTELLO", "red wine", ["2204.21"],
        [("Castello Wines Asia Limited", IMP)],
        [("Yantai Redhill Winery Co., Ltd.", "Yantai; Qingdao")],
        holder="Castello di Sorano S.p.A.", goods_zh="红葡萄酒", plain="red wine, 750 ml bottles"),
    rec("T2019-002650", "HELIX", "ball bearings", ["8482.10"],
        [("Helix Bearing (Wuxi) Co., Ltd.", MAN)],
        [("Linqing Roundway Bearing Factory", "Qingdao")],
        holder="Helix Bearings AB", plain="deep groove ball bearings"),
    rec("T2021-000322", "NIMBUS", "running shoes", ["6404.11"],
        [("Nimbus Sports China Co., Ltd.", IMP), ("Nimbus Footwear Vietnam JSC", EXP)],
        [("Putian Flyrun Shoes Co., Ltd.", "Xiamen, Fuzhou")],
        holder="Nimbus Sports Inc.", goods_zh="跑鞋", plain="running shoes, textile uppers"),
    rec("T2022-001177", "SUNPEAK", "solar panels", ["8541.43"],
        [("Sunpeak Energy Europe GmbH", IMP)],
        [("Changzhou Brightsun PV Co., Ltd.", "Shanghai Yangshan")],
        holder="Sunpeak Solar Co., Ltd.", plain="monocrystalline solar panels 450 W"),
    rec("T2016-002219", "AUREA", "wrist watches", ["9102.11", "9101"],
        [("Aurea Horlogerie Asia Ltd", IMP)],
        [("Guangzhou Timeking Watch Co., Ltd.", "Guangzhou Baiyun Airport; Huangpu")],
        holder="Aurea Horlogerie SA", goods_zh="手表", plain="quartz wrist watches"),
    rec("T2020-002876", "TITANO", "golf clubs", ["9506.31"],
        [("Titano Golf Japan KK", IMP)],
        [("Xiamen Fairway Sports Goods Co., Ltd.", "Xiamen")],
        holder="Titano Golf Corp.", plain="golf drivers, titanium heads"),
    rec("T2021-003390", "BABYJOY", "baby feeding bottles", ["3924.10"],
        [("Babyjoy Baby Products Co., Ltd.", MAN)],
        [("Shantou Happykid Plastic Co., Ltd.", "Shantou; Shekou")],
        holder="Babyjoy Baby Products Co., Ltd.", goods_zh="奶瓶",
        plain="polypropylene feeding bottles"),
    rec("T2018-001844", "FROSTLINE", "refrigerators", ["8418.10"],
        [("Frostline Home Appliances Co., Ltd.", MAN)],
        [("Foshan Icecool Electric Co., Ltd.", "Foshan; Nansha")],
        holder="Frostline Home Appliances Co., Ltd.", plain="combined refrigerator-freezers"),
    rec("T2019-003012", "VERANO", "sunglasses", ["9004.10"],
        [("Verano Eyewear Trading Ltd", IMP)],
        [("Xiamen Sunny Optical Trading Co., Ltd.", "Xiamen; Yiwu")],
        holder="Verano Eyewear S.p.A.", goods_zh="太阳镜", plain="sunglasses, plastic frames"),
    rec("T2020-001459", "REDWOLF", "motorcycle helmets", ["6506.10"],
        [("Redwolf Moto Europe S.L.", IMP)],
        [("Jiangmen Speedhelm Co., Ltd.", "Jiangmen; Shekou")],
        holder="Redwolf Moto Inc.", plain="full-face motorcycle helmets"),
    rec("T2017-004021", "STARLINE", "ballpoint pens", ["9608.10"],
        [("Starline Stationery Co., Ltd.", MAN)],
        [("Ninghai Penworld Stationery Co., Ltd.", "Ningbo")],
        holder="Starline Stationery Co., Ltd.", plain="ballpoint pens, plastic barrels"),
    rec("T2022-003567", "K-STAR", "karaoke microphones", ["8518.10"],
        [("Kstar Audio Trading Co., Ltd.", IMP)],
        [("Enping Singmax Electroacoustic Co., Ltd.", "Jiangmen; Nansha")],
        holder="K-Star Audio Corp.", plain="wireless karaoke microphones"),
    rec("T2021-004108", "OMNIFLEX", "hydraulic hoses", ["4009.21.00"],
        [("Omniflex Hydraulics (Tianjin) Co., Ltd.", MAN)],
        [("Hengshui Flexpower Rubber Co., Ltd.", "Tianjin Xingang")],
        holder="Omniflex Hydraulics GmbH", plain="rubber hydraulic hoses, steel wire reinforced"),
    rec("T2019-000851", "SNOWLOTUS", "down jackets", ["6201.93"],
        [("Xinjiang Xuelian Apparel Co., Ltd.", EXP)],
        [("Shishi Xuelian Garment Factory", "Xiamen")],
        holder="新疆雪莲服饰有限公司", plain="men's down jackets, polyester shell"),
    rec("T2019-000852", "雪莲", "down jackets", ["6201.93"],
        [("新疆雪莲服饰有限公司", EXP)],
        [("石狮市雪蓮服装厂", "厦门")],
        holder="新疆雪莲服饰有限公司", goods_zh="羽绒服",
        plain="men's down jackets, polyester shell"),
    rec("T2018-003305", "光明燈", "table lamps", ["9405"],
        [("光明灯饰(中山)有限公司", MAN), ("Guangming Lighting Trading Co., Ltd.", EXP)],
        [("中山古镇亮点灯具厂", "中山; 黄埔")],
        holder="光明燈飾股份有限公司", goods_zh="台灯", plain="table lamps, metal"),
    rec("T2020-000712", "龍騰", "fireworks", ["3604.10"],
        [("浏阳龙腾烟花集团有限公司", MAN)],
        [("醴陵市鞭炮烟花厂", "长沙; 北海")],
        holder="龍騰煙花集團", goods_zh="烟花", plain="display fireworks"),
    rec("T2021-000266", "金鹰", "car tyres", ["4011.10"],
        [("山东金鹰轮胎有限公司", MAN), ("Golden Eagle Tyre Import Ltd", IMP)],
        [("广饶县鹰王轮胎厂", "青岛")],
        holder="山东金鹰轮胎有限公司", goods_zh="轿车轮胎", plain="radial car tyres 205/55R16"),
    rec("T2016-001903", "瑞福祥", "silk fabric", ["5007.20"],
        [("北京瑞福祥绸布店有限责任公司", MAN)],
        [("绍兴柯桥仿真丝绸有限公司", "宁波")],
        holder="北京瑞福祥绸布店有限责任公司", goods_zh="真丝面料", plain="woven silk fabric"),
    rec("T2017-002288", "百灵", "harmonicas", ["9205.90"],
        [("上海百灵乐器有限公司", MAN)],
        [("天津口琴乐器厂", "天津新港")],
        holder="上海百灵乐器有限公司", goods_zh="口琴", plain="harmonicas"),
    rec("T2019-004417", "华韵", "porcelain tea sets", ["6911.10"],
        [("景德镇华韵瓷业有限公司", MAN)],
        [("潮州枫溪仿瓷厂", "汕头; 厦门")],
        holder="景德镇华韵瓷业有限公司", goods_zh="瓷茶具", plain="porcelain tea sets"),
    rec("T2020-004032", "天工", "kitchen knives", ["8211.91"],
        [("阳江天工刀具有限公司", MAN)],
        [("阳江市利刃五金厂", "阳江; 黄埔")],
        holder="阳江天工刀具有限公司", goods_zh="菜刀", plain="stainless steel kitchen knives"),
    rec("T2018-000219", "福满楼", "mooncakes", ["1905.90.00"],
        [("广州福满楼食品有限公司", MAN)],
        [("东莞市佳饼食品厂", "东莞; 黄埔")],
        holder="广州福满楼食品有限公司", goods_zh="月饼", plain="mooncakes, lotus seed paste"),
    rec("T2021-001761", "翔鶴", "canvas sneakers", ["6404.19"],
        [("上海翔鹤鞋业有限公司", MAN)],
        [("晋江市飞鹤鞋厂", "厦门; 泉州")],
        holder="上海翔鶴鞋業有限公司", goods_zh="帆布鞋", plain="canvas sneakers, rubber soles"),
    rec("T2019-001336", "青瓷坊", "celadon vases", ["6913.90"],
        [("龙泉青瓷坊文化有限公司", MAN)],
        [("龙泉市仿古瓷厂", "宁波")],
        holder="龙泉青瓷坊文化有限公司", goods_zh="青瓷花瓶", plain="ceramic vases"),
    rec("T2022-000904", "極光", "wireless earphones", ["8518.30.00"],
        [("极光声学科技(深圳)有限公司", MAN), ("Aurora Acoustics HK Ltd", EXP)],
        [("深圳市耳霸电子有限公司", "深圳湾; 蛇口")],
        holder="極光聲學股份有限公司", goods_zh="无线耳机", plain="wireless earphones"),
    rec("T2020-002201", "长城", "motor oil", ["2710.19.91"],
        [("长城润滑油(天津)有限公司", MAN)],
        [("河北仿冒润滑油厂", "天津新港")],
        holder="长城润滑油有限公司", goods_zh="机油", plain="engine oil, 4 L"),
    rec("T2021-000047", "金龙", "rice", ["1006.30"],
        [("益海金龙粮油有限公司", MAN)],
        [("五常米业贸易商行", "大连")],
        holder="益海金龙粮油有限公司", goods_zh="大米", plain="milled rice, 10 kg bags"),
    rec("T2018-004150", "MOONBEAM", "night lights", ["9405.49", "853952"],
        [("Moonbeam Kids Ltd", IMP)],
        [("Ningbo Starry Night Lighting Co., Ltd.", "Ningbo")],
        holder="Moonbeam Kids Ltd", plain="plug-in night lights"),
    rec("C2020-000088", "Panda Pals", "plush toys", ["9503.00"],
        [("Panda Pals Licensing Ltd", IMP), ("Dongguan Softtoy Manufacturing Co., Ltd.", MAN)],
        [("Yiwu Happy Toys Co., Ltd.", "Yiwu; Ningbo")],
        ["Shanghai Kidsworld Trading Co., Ltd."], ipr_type="copyright",
        holder="Panda Pals Studio Ltd", goods_zh="毛绒玩具", plain="plush toys, stuffed"),
    rec("C2021-000140", "Captain Comet", "printed T-shirts", ["6109.10"],
        [("Comet Comics Merchandise Ltd", IMP)],
        [("Guangzhou Printking Garment Co., Ltd.", "Guangzhou Baiyun Airport")],
        ipr_type="copyright", holder="Comet Comics Inc.", plain="cotton T-shirts, printed"),
    rec("P2021-000301", "Self-heating lunch box", "self-heating lunch boxes", ["8516.79"],
        [("Warmbox Technology Co., Ltd.", MAN)],
        [("Cixi Hotmeal Appliance Co., Ltd.", "Ningbo")],
        ipr_type="patent_utility_model", holder="Warmbox Technology Co., Ltd.",
        plain="electric lunch boxes"),
    rec("P2020-000977", "Quick-release bicycle hub", "bicycle hubs", ["8714.93.10"],
        [("Velocita Asia Pte. Ltd.", IMP)],
        [("Hebei Swiftcycle Hub Factory", "Tianjin Xingang")],
        ipr_type="patent_invention", holder="Velocita Cicli S.p.A.", plain="bicycle hubs"),
    rec("T2022-004480", "GLACIA", "bottled mineral water", ["2201.10"],
        [("Glacia Waters Import Co., Ltd.", IMP)], [],
        holder="Glacia Waters AG", plain="mineral water, 500 ml"),
    rec("T2017-000330", "DRAGONFLY", "drones", ["8806.22"], [],
        [("Shenzhen Skyfake UAV Co., Ltd.", "Shenzhen Bay; Shekou")],
        holder="Dragonfly Robotics Inc.", plain="camera drones, under 250 g"),
    rec("T2023-000051", "VIVO VERDE", "garden hoses", ["3917.32"],
        [("Vivo Verde Garden Products Ltd", IMP)],
        [("Yuyao Gardenpro Plastic Co., Ltd.", "Ningbo")],
        holder="Vivo Verde Garden Products Ltd", plain="PVC garden hoses, 20 m"),
]  # fmt: skip

BY_NUMBER = {r["number"]: r for r in RECORDATIONS}
# Legitimate traders recorded with their names in both scripts (the holder filled in "Name in
# English"), by recordation: (the name declarations are drawn from, its other-script name).
# recordations.json carries them as `name` (own script) and `name_en`.
OTHER_NAMES = {
    "T2018-002231": (
        "Nordkapp China Trading (Shanghai) Co., Ltd.", "诺德卡普中国贸易(上海)有限公司"
    ),
    "T2021-000266": ("山东金鹰轮胎有限公司", "Shandong Golden Eagle Tyre Co Ltd"),
    "T2019-000852": ("新疆雪莲服饰有限公司", "Xinjiang Snow Lotus Apparel Co., Ltd."),
    "T2020-004032": ("阳江天工刀具有限公司", "Yangjiang Tiangong Knives Co., Ltd."),
}  # fmt: skip


def _role_of(recordation: dict, name: str) -> str:
    return next(t["role"] for t in recordation["traders"] if t["name"] == name)


def _with_both_names(recordation: dict) -> list[dict]:
    """The recordation's traders as recorded: own script in `name`, English in `name_en`."""
    named, other = OTHER_NAMES.get(recordation["number"], (None, None))
    traders = []
    for trader in recordation["traders"]:
        if trader["name"] == named:
            local, english = (other, named) if is_chinese(other) else (named, other)
            trader = {"name": local, "name_en": english, "role": trader["role"]}
        traders.append(trader)
    return traders


PORTS = [
    "Shenzhen Bay", "Huangpu", "Shekou", "Yantian", "Nansha", "Ningbo", "Shanghai Waigaoqiao",
    "Shanghai Yangshan", "Tianjin Xingang", "Qingdao", "Xiamen", "Dalian",
    "Guangzhou Baiyun Airport", "Yiwu", "Fuzhou", "Lianyungang",
]  # fmt: skip
ORDINARY_TRADERS = [
    "Hamburg Handelshaus GmbH", "Pacific Rim Traders Pty Ltd", "Osaka Shoji KK",
    "Atlas Import Export LLC", "Golden Bridge Trading Co., Ltd.", "Sino-Euro Supply Chain Ltd",
    "Blue Harbour Logistics Ltd", "Mercado Global S.A.", "Nordic Goods AB", "Lagos Trade Hub Ltd",
    "Dubai Express Trading LLC", "Zhejiang Everbright Import & Export Co., Ltd.",
    "Jiangsu Sunrise Textiles Co., Ltd.", "Qingdao Haida Foods Co., Ltd.", "Rotterdam Cargo B.V.",
    "Santos Comercial Ltda", "Mumbai Overseas Pvt Ltd", "杭州万通进出口有限公司",
    "深圳市华通供应链有限公司", "上海远洋贸易有限公司", "Baltic Wholesale UAB",
    "Warsaw Retail Sp. z o.o.",
]  # fmt: skip
ORDINARY_GOODS = [
    ("cotton socks", "6115.95"), ("ceramic floor tiles", "6907.21"), ("frozen shrimp", "0306.17"),
    ("steel screws", "7318.15"), ("polyester yarn", "5402.33"), ("office chairs", "9401.30"),
    ("wooden chopsticks", "4419.90"), ("glass jars", "7010.90"), ("plastic buckets", "3924.90"),
    ("cardboard boxes", "4819.10"), ("tomato paste", "2002.90"), ("umbrellas", "6601.91"),
    ("copper wire", "7408.11"), ("laptop bags", "4202.12"), ("yoga mats", "9506.91"),
    ("USB cables", "8544.42"), ("aluminium foil", "7607.11"), ("garden chairs", "9401.79"),
    ("纯棉毛巾", "6302.60"), ("不锈钢保温杯", "9617.00"), ("竹制砧板", "4419.12"),
]  # fmt: skip
LEGAL_TAIL = re.compile(
    r"[ ,.]*\b(co\b[ .,]*ltd|company limited|limited|ltd|co)\.?$", re.IGNORECASE
)
COUNTRIES = ["CN", "VN", "TR", "IN", "BD", "TH", "MY", "ID", "DE", "IT", "US", "JP", "KR"]


def full_width(text: str) -> str:
    """ASCII letters and digits in their full-width forms (spaces as ideographic spaces)."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


def is_chinese(mark: str) -> bool:
    return any(not ch.isascii() for ch in mark)


def to_simplified(text: str) -> str:
    from opencc import OpenCC

    return OpenCC("t2s").convert(text)


def to_traditional(text: str) -> str:
    from opencc import OpenCC

    return OpenCC("s2t").convert(text)


class Maker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict] = []
        self.declaration = 0

    # Helpers

    def pick(self, items):
        return self.rng.choice(items)

    def recordation(self, chinese: bool | None = None, with_traders=True, with_infringers=True):
        pool = [
            r for r in RECORDATIONS
            if (chinese is None or is_chinese(r["mark"]) == chinese)
            and (r["traders"] or not with_traders)
            and (r["infringers"] or not with_infringers)
            and not r["ipr_type"].startswith("patent")
        ]  # fmt: skip
        return self.pick(pool)

    def trader(self) -> str:
        return self.pick(ORDINARY_TRADERS)

    def other_port(self, r) -> str:
        used = " ".join(i["ports"] for i in r["infringers"]).lower()
        return self.pick([p for p in PORTS if p.split()[0].lower() not in used])

    def other_hs(self, r) -> str:
        recorded = {c.replace(".", "")[:4] for c in r["hs_codes"]}
        return self.pick([c for _, c in ORDINARY_GOODS if c.replace(".", "")[:4] not in recorded])

    def hs_under(self, r) -> str:
        """A declared code (8 or 10 digits, as written on declarations) under a recorded one."""
        code = self.pick(r["hs_codes"]).replace(".", "")
        tail = "".join(self.pick("0123456789") for _ in range(10 - len(code)))
        digits = (code + tail)[: max(len(code), self.pick((8, 10)))]
        return f"{digits[:4]}.{digits[4:6]}.{digits[6:]}" if self.rng.random() < 0.5 else digits

    def add(self, kind: str, expected: list[str], **fields) -> None:
        self.declaration += 1
        fields.setdefault("consignor", self.trader())
        fields.setdefault("consignee", self.trader())
        quantity = self.rng.choice((12, 48, 100, 240, 500, 1200, 5000, 20000))
        row = {
            "declaration_number": f"5{self.rng.randint(100, 999)}2026{self.declaration:010d}",
            "line_number": self.rng.randint(1, 12),
            "port": fields.pop("port", None) or self.pick(PORTS),
            "direction": fields.pop("direction", "import"),
            "country_of_origin": self.pick(COUNTRIES),
            "quantity": quantity,
            "declared_value": f"{quantity * self.rng.uniform(0.3, 40):.2f}",
            **fields,
        }
        row["expected"] = ";".join(expected)
        row["kind"] = kind
        self.rows.append({name: row.get(name) or "" for name in (*COLUMNS, "expected", "kind")})

    # Infringing lines the rules are meant to find

    def counterfeit_mark(self) -> None:
        """A Latin mark as declared (any case), on the goods or in the brand column."""
        r = self.recordation(chinese=False)
        mark = self.pick((r["mark"], r["mark"].title(), r["mark"].lower()))
        hs = self.hs_under(r) if self.rng.random() < 0.7 else self.other_hs(r)
        if self.rng.random() < 0.5:
            self.add("counterfeit_mark", [r["number"]], description=f"{r['goods']} {mark}",
                     brand="", hs_code=hs)  # fmt: skip
        else:
            self.add("counterfeit_mark", [r["number"]], description=r["goods"], brand=mark,
                     hs_code=hs)  # fmt: skip

    def punctuated_mark(self) -> None:
        """The mark split by a hyphen, space, dot or in quotes ("BRIGHT-STAR", "Oro-Verde")."""
        r = self.recordation(chinese=False)
        mark = r["mark"].replace(" ", "").replace("-", "")
        cut = len(mark) // 2
        sep = self.pick(("-", " ", ".", "·"))
        shown = self.pick((f"{mark[:cut]}{sep}{mark[cut:]}", f'"{r["mark"]}"', f"({r['mark']})"))
        self.add("punctuated_mark", [r["number"]], description=f"{r['goods']}, brand {shown}",
                 hs_code=self.hs_under(r))  # fmt: skip

    def full_width_mark(self) -> None:
        r = self.recordation(chinese=False)
        self.add("full_width", [r["number"]], description=r["goods"],
                 brand=full_width(r["mark"]), hs_code=self.hs_under(r))  # fmt: skip

    def chinese_mark(self) -> None:
        """A Chinese mark in the script it was recorded in, inside running Chinese text."""
        r = self.recordation(chinese=True)
        text = f"{self.pick(('进口', '出口', ''))}{r['mark']}牌{r['goods_zh']}"
        self.add("chinese_mark", [r["number"]], description=text, hs_code=self.hs_under(r))

    def traditional_script(self) -> None:
        """A Chinese mark declared in the other script than the one recorded."""
        r = self.recordation(chinese=True)
        mark = r["mark"]
        other = to_simplified(mark) if to_simplified(mark) != mark else to_traditional(mark)
        if other == mark:  # no character differs between the scripts: choose another
            return self.traditional_script()
        goods = to_traditional(r["goods_zh"])
        if self.rng.random() < 0.5:
            self.add("traditional_script", [r["number"]], description=f"{other}{goods}",
                     hs_code=self.hs_under(r))  # fmt: skip
        else:
            self.add("traditional_script", [r["number"]], description=goods, brand=other,
                     hs_code=self.other_hs(r))  # fmt: skip
        return None

    def infringer_hs(self) -> None:
        """A recorded infringer (its name written another way) ships goods under the code."""
        r = self.recordation()
        infringer = self.pick(r["infringers"])["name"]
        self.add("infringer_hs", [r["number"]], description=r["plain"],
                 hs_code=self.hs_under(r), consignor=self.variant(infringer),
                 port=self.other_port(r))  # fmt: skip

    def infringer_port(self) -> None:
        """A recorded infringer, through a port it is known to use, goods vaguely declared."""
        r = self.recordation()
        infringer = self.pick(r["infringers"])
        port = self.pick([p.strip() for p in infringer["ports"].replace(";", ",").split(",")])
        self.add("infringer_port", [r["number"]], description=self.pick(
            ("spare parts", "samples, no commercial value", "assorted goods", "配件", "样品")),
            hs_code=self.other_hs(r), consignor=self.variant(infringer["name"]),
            port=self.port_as_declared(port))  # fmt: skip

    def port_as_declared(self, port: str) -> str:
        """A recorded port as a declaration names it: as recorded, or with "Port" (港)."""
        if self.rng.random() < 0.7:
            return port
        return f"{port}港" if is_chinese(port) else f"{port} Port"

    def variant(self, name: str) -> str:
        """The same company, written as declarants write it."""
        if is_chinese(name):
            return self.pick((name, to_traditional(name), name.replace("有限公司", "")))
        base = LEGAL_TAIL.sub("", name)
        return self.pick((
            name, name.upper(), f"{base} CO LTD", f"{base} Company Limited", f"{base}, Ltd",
            base.upper().replace(" ", "  "),
        ))  # fmt: skip

    def multiple_marks(self) -> None:
        one, other = self.rng.sample(
            [r for r in RECORDATIONS if not r["ipr_type"].startswith("patent")], 2
        )
        self.add("multiple_marks", [one["number"], other["number"]],
                 description=f"{one['mark']} {one['goods']} and {other['mark']} {other['goods']}",
                 hs_code=self.hs_under(one))  # fmt: skip

    # Infringing lines the rules miss (they keep recall honest)

    MISSPELT = {
        "BRIGHTSTAR": "BRIGHTSTARR", "NORDKAPP": "NORDKAP", "VELOCITA": "VELOCCITA",
        "AQUAVIVA": "AQUA-VIVVA", "ZEPHYRA": "ZEPHIRA", "TERRAFORT": "TERRAF0RT",
        "LUMINEX": "LUMlNEX", "SOLENNE": "SOLLENNE", "MAXGRIP": "MAXGRlP", "PIXELNOVA": "PIXELNOUA",
        "NIMBUS": "NlMBUS", "AUREA": "AURAE", "REDWOLF": "REDW0LF", "BABYJOY": "BABYJOI",
    }  # fmt: skip

    def misspelt_mark(self) -> None:
        """A counterfeit mark one letter off ("0" for "O", "l" for "I", a doubled letter)."""
        number, shown = self.pick(sorted(self.MISSPELT.items()))
        r = next(r for r in RECORDATIONS if r["mark"] == number)
        self.add("misspelt_mark", [r["number"]], description=r["goods"], brand=shown,
                 hs_code=self.hs_under(r))  # fmt: skip

    PINYIN = {
        "雪莲": "XUELIAN",
        "光明燈": "GUANGMING",
        "龍騰": "LONGTENG",
        "金鹰": "JINYING",
        "华韵": "HUAYUN",
        "天工": "TIANGONG",
        "翔鶴": "XIANGHE",
        "福满楼": "FUMANLOU",
    }

    def transliterated_mark(self) -> None:
        """A Chinese mark declared in pinyin: the same mark to a buyer, other letters to us."""
        mark, shown = self.pick(sorted(self.PINYIN.items()))
        r = next(r for r in RECORDATIONS if r["mark"] == mark)
        self.add("transliterated_mark", [r["number"]], description=r["goods"], brand=shown,
                 hs_code=self.hs_under(r))  # fmt: skip

    def infringer_only(self) -> None:
        """A recorded infringer declares the goods under another code, through another port:
        it still infringes (the goods are the recorded ones), but nothing recorded matches
        beyond the infringer."""
        r = self.recordation(chinese=False)
        self.add("infringer_only", [r["number"]], description=r["plain"],
                 hs_code=self.other_hs(r), port=self.other_port(r),
                 consignor=self.variant(self.pick(r["infringers"])["name"]))  # fmt: skip

    LOOKALIKES = {  # a counterfeiter named one letter from the legitimate importer
        "T2019-000412": "Bright Import Ltd.", "T2021-002719": "Luminex Accesories Ltd",
        "T2019-003012": "Verano Eyewear Tradings Ltd", "T2018-004150": "Moonbeam Kid Ltd",
    }  # fmt: skip

    def lookalike_legitimate_trader(self) -> None:
        number, name = self.pick(sorted(self.LOOKALIKES.items()))
        r = BY_NUMBER[number]
        self.add("lookalike_legitimate_trader", [number], description=f"{r['mark']} {r['goods']}",
                 hs_code=self.hs_under(r), consignee=name)  # fmt: skip

    # Genuine or unrelated lines (must not be hits)

    def genuine_legitimate_importer(self) -> None:
        """Genuine goods (mark, recorded HS code) imported by a recorded legitimate importer or
        manufacturer, its name written another way."""
        r = self.pick([r for r in RECORDATIONS if any(t["role"] != EXP for t in r["traders"])])
        trader = self.pick([t["name"] for t in r["traders"] if t["role"] != EXP])
        mark = r["mark"] if self.rng.random() < 0.6 else full_width(r["mark"])
        goods = r["goods_zh"] if is_chinese(r["mark"]) and r["goods_zh"] else r["goods"]
        self.add("genuine_legitimate_importer", [], description=f"{mark} {goods}", brand=mark,
                 hs_code=self.hs_under(r), consignee=self.variant(trader),
                 port=self.pick(PORTS))  # fmt: skip

    def genuine_legitimate_exporter(self) -> None:
        """Genuine goods exported by a recorded legitimate exporter or manufacturer."""
        r = self.pick([r for r in RECORDATIONS if any(t["role"] != IMP for t in r["traders"])])
        trader = self.pick([t["name"] for t in r["traders"] if t["role"] != IMP])
        self.add("genuine_legitimate_exporter", [], direction="export",
                 description=f"{r['mark']} {r['goods_zh'] or r['goods']}",
                 hs_code=self.hs_under(r), consignor=self.variant(trader))  # fmt: skip

    def genuine_unrelated(self) -> None:
        goods, code = self.pick(ORDINARY_GOODS)
        self.add("genuine_unrelated", [], description=goods, hs_code=code,
                 brand=self.pick(("", "", "NO BRAND", "无品牌", "OEM")))  # fmt: skip

    def same_hs_unbranded(self) -> None:
        """Unbranded goods under a recorded code from ordinary traders: the code alone is not
        a reason (thousands of genuine consignments share it)."""
        r = self.recordation(with_infringers=False)
        self.add("same_hs_unbranded", [], description=r["plain"], hs_code=self.hs_under(r),
                 brand=self.pick(("", "NO BRAND", "OEM")))  # fmt: skip

    NEAR_LATIN = [  # a mark inside a longer word, or a different word sharing its letters
        ("BRIGHTSTARLIGHT", "Christmas decorations"), ("Nordkapper", "fishing lines"),
        ("KORONAVIRUS TEST KITS", "diagnostic kits"), ("Helixon", "drill bits"),
        ("STARLINER", "camping tents"), ("Aureate", "gift wrapping paper"),
        ("Castellon", "ceramic tiles"), ("Verandah", "garden furniture"),
        ("TITANOX", "paint pigments"), ("Moonbeams", "scented candles"),
        ("SunPeaks", "hiking poles"), ("OmniFlexo", "printing plates"),
        ("Glaciar", "ice cube trays"), ("Dragonflyer", "kites"), ("Maxgripper", "work gloves"),
    ]  # fmt: skip

    def near_miss_brand(self) -> None:
        brand, goods = self.pick(self.NEAR_LATIN)
        self.add("near_miss_brand", [], description=f"{goods}, {brand}", brand=brand,
                 hs_code=self.pick(ORDINARY_GOODS)[1])  # fmt: skip

    NEAR_CHINESE = [  # a Chinese mark inside another word or phrase: the rules cannot tell
        ("龙腾虎跃图案窗帘", "6303.92"), ("百灵鸟造型风铃", "8306.29"),
        ("天工开物图书", "4901.99"), ("长城造型积木", "9503.00"),
        ("金龙鱼造型钥匙扣", "7117.19"), ("颜色：极光绿 运动水壶", "9617.00"),
    ]  # fmt: skip

    def near_miss_chinese(self) -> None:
        text, code = self.pick(self.NEAR_CHINESE)
        self.add("near_miss_chinese", [], description=text, hs_code=code)

    NEAR_COMPANIES = [  # (a different company, whose name is close to a recorded infringer's)
        ("T2018-002231", "Wenzhou Polar Park Shoes Co., Ltd."),  # one letter apart by deletions
        ("T2019-000412", "Fame Lights Co., Ltd."),
        ("T2020-003301", "Yongkang Powerking Tool Co., Ltd."),  # a sister firm, other goods
        ("T2019-001188", "Yiwu Fragrance Garden Co., Ltd."),  # shares words only
        ("T2021-002719", "Shenzhen Quickcast Metal Co., Ltd."),
        ("T2016-002219", "Guangzhou Timeline Logistics Co., Ltd."),
    ]  # fmt: skip

    def near_miss_company(self) -> None:
        """A different company whose name is close to a recorded infringer's, shipping other
        goods through that infringer's port."""
        number, name = self.pick(self.NEAR_COMPANIES)
        r = BY_NUMBER[number]
        port = r["infringers"][0]["ports"].replace(";", ",").split(",")[0].strip()
        goods, code = self.pick(ORDINARY_GOODS)
        self.add(
            "near_miss_company", [], description=goods, hs_code=code, consignor=name, port=port
        )

    def infringer_other_goods(self) -> None:
        """A recorded infringer ships goods that are not the recorded ones, through another
        port: a trader is not an infringer in everything it ships."""
        r = self.recordation()
        goods, code = self.pick(ORDINARY_GOODS)
        self.add("infringer_other_goods", [], description=goods, hs_code=code,
                 consignor=self.variant(self.pick(r["infringers"])["name"]),
                 port=self.other_port(r))  # fmt: skip

    def genuine_licensee(self) -> None:
        """Genuine goods imported by a recorded licensee (licensees are not screened as
        legitimate traders: the rules flag these)."""
        r = self.pick([r for r in RECORDATIONS if r["licensees"]])
        self.add("genuine_licensee", [], description=f"{r['mark']} {r['goods']}",
                 hs_code=self.hs_under(r), consignee=self.pick(r["licensees"]))  # fmt: skip

    OTHER_LANGUAGE = {number: other for number, (_name, other) in OTHER_NAMES.items()}

    def genuine_trader_other_language(self) -> None:
        """A legitimate trader declared under its name in the other script, in its role (an
        exporter sends the goods)."""
        number, name = self.pick(sorted(self.OTHER_LANGUAGE.items()))
        r = BY_NUMBER[number]
        party = "consignor" if _role_of(r, OTHER_NAMES[number][0]) == EXP else "consignee"
        self.add("genuine_trader_other_language", [], description=f"{r['mark']} {r['goods']}",
                 hs_code=self.hs_under(r), **{party: name},
                 **({"direction": "export"} if party == "consignor" else {}))  # fmt: skip


# How many lines of each kind, in the order they are drawn.
PLAN: list[tuple[Callable[[Maker], None], int]] = [
    (Maker.counterfeit_mark, 70), (Maker.punctuated_mark, 20), (Maker.full_width_mark, 20),
    (Maker.chinese_mark, 20), (Maker.traditional_script, 30), (Maker.infringer_hs, 25),
    (Maker.infringer_port, 20), (Maker.multiple_marks, 8), (Maker.misspelt_mark, 12),
    (Maker.transliterated_mark, 8), (Maker.infringer_only, 10),
    (Maker.lookalike_legitimate_trader, 5), (Maker.genuine_legitimate_importer, 50),
    (Maker.genuine_legitimate_exporter, 20), (Maker.genuine_unrelated, 60),
    (Maker.same_hs_unbranded, 25), (Maker.near_miss_brand, 15), (Maker.near_miss_chinese, 6),
    (Maker.near_miss_company, 8), (Maker.infringer_other_goods, 10), (Maker.genuine_licensee, 4),
    (Maker.genuine_trader_other_language, 4),
]  # fmt: skip


def main() -> None:
    maker = Maker(random.Random(SEED))  # noqa: S311 (a repeatable draw, not a secret)
    for draw, count in PLAN:
        for _ in range(count):
            draw(maker)
    maker.rng.shuffle(maker.rows)
    facts = [{**{k: v for k, v in r.items() if k not in ("goods", "goods_zh", "plain")},
              "traders": _with_both_names(r)} for r in RECORDATIONS]  # fmt: skip
    (HERE / "recordations.json").write_text(
        json.dumps(facts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    with (HERE / "declarations.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=[*COLUMNS, "expected", "kind"])
        writer.writeheader()
        writer.writerows(maker.rows)
    print(f"{len(RECORDATIONS)} recordations, {len(maker.rows)} declaration lines")


if __name__ == "__main__":
    main()
