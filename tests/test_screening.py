"""Risk screening (issue 14): normalised keys, each rule, the index and the loader."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from ipr_apps.db import db
from ipr_apps.models import (
    Goods,
    Infringer,
    Licensee,
    RecordationStatus,
    Status,
    Trader,
    TraderRole,
)
from ipr_apps.screening import rules
from ipr_apps.screening.engine import DeclarationLine, screen
from ipr_apps.screening.index import (
    KnownInfringer,
    LegitimateTrader,
    RecordedFacts,
    ScreeningIndex,
    facts_of_active,
)
from ipr_apps.screening.normalise import company_key, hs_digits, text_key
from tests.factories import recordation_row

BRIGHTSTAR = RecordedFacts(
    recordation_id=1,
    number="T2020-000001",
    holder_name="Brightstar Lighting Co., Ltd.",
    marks=("BRIGHTSTAR",),
    hs_codes=("8539.52",),
    traders=(LegitimateTrader("Bright Imports Ltd.", "importer"),),
    infringers=(KnownInfringer("Fake Lights Company Limited", ("Shenzhen Bay; Huangpu",)),),
)
GUANGMING = RecordedFacts(
    recordation_id=2, number="T2021-000002", marks=("光明燈",), hs_codes=("9405",)
)
OTHER = RecordedFacts(recordation_id=3, number="T2022-000003", marks=("Moonbeam",))


def line(**fields) -> DeclarationLine:
    return DeclarationLine(declaration_number="531620260000000001", line_number=1, **fields)


def hits(*lines: DeclarationLine, facts=(BRIGHTSTAR, GUANGMING, OTHER), threshold=50):
    results = screen(ScreeningIndex(facts), lines, threshold)
    return [result.hits for result in results]


def only_hit(**fields):
    (found,) = hits(line(**fields))
    assert len(found) == 1, found
    return found[0]


# Keys


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("BRIGHTSTAR", "ＢＲＩＧＨＴＳＴＡＲ"),
        ("Bright-Star", "BRIGHT STAR"),
        ("bright.star!", "Bright　Star"),
        ("光明燈", "光明灯"),
        ("海關", "海关"),
    ],
)
def test_text_key_folds_width_case_punctuation_and_script(one, other):
    assert text_key(one) == text_key(other) != ""


def test_text_key_keeps_letters_digits_and_cjk():
    assert text_key("LED-9 燈泡 (x2)") == "led9灯泡x2"
    assert text_key(None) == text_key("  -- ") == ""


@pytest.mark.parametrize(
    "name",
    [
        "Fake Lights Company Limited",
        "FAKE LIGHTS CO., LTD",
        "Fake Lights Co. Ltd.",
        "fake lights ltd",
        "FAKE LIGHTS Inc.",
        "Fake Lights GmbH",
        "Fake Lights S.A.",
        "The Fake Lights Corp",
    ],
)
def test_company_key_drops_legal_forms(name):
    assert company_key(name) == "fakelights"


def test_company_key_drops_chinese_legal_forms_in_either_script():
    assert company_key("深圳假燈股份有限公司") == company_key("深圳假灯有限公司") == "深圳假灯"
    assert company_key("光明集团") == "光明"


def test_company_key_drops_a_chinese_legal_form_after_a_bracketed_place():
    full = company_key("长城润滑油(天津)有限公司")
    assert full == company_key("长城润滑油（天津）") == company_key("長城潤滑油(天津)股份有限公司")
    assert full == "长城润滑油天津"


def test_company_key_keeps_a_name_made_only_of_legal_words():
    assert company_key("The Trading Co") == "trading"
    assert company_key("Limited") == "limited"


def test_hs_digits():
    assert hs_digits("9405.21.00") == hs_digits("９４０５ ２１ ００") == "94052100"
    assert hs_digits(None) == ""


# Rules


def test_rules_are_data_with_unique_names_and_a_sentence_each():
    names = [rule.name for rule in rules.RULES]
    assert len(set(names)) == len(names) == 6
    assert all(rule.reason.endswith(".") for rule in rules.RULES)
    assert rules.LEGITIMATE_TRADER.weight < -sum(r.weight for r in rules.RULES if r.weight > 0)


def test_the_mark_in_the_description_is_a_hit_with_its_reason():
    hit = only_hit(description="LED bulbs, Bright-Star brand")
    assert (hit.recordation_id, hit.number, hit.score) == (1, "T2020-000001", 50)
    assert hit.reasons == ("The description contains the recorded mark “BRIGHTSTAR”.",)


def test_the_mark_in_the_brand_in_full_width_forms():
    hit = only_hit(brand="ＢＲＩＧＨＴ ＳＴＡＲ", description="bulbs")
    assert hit.rules == ("mark",)
    assert hit.reasons == ("The brand contains the recorded mark “BRIGHTSTAR”.",)


def test_a_traditional_mark_matches_a_simplified_description():
    hit = only_hit(description="光明灯 台灯", hs_code="9405.21.00")
    assert hit.recordation_id == 2
    assert hit.rules == ("mark", "hs_code")
    assert hit.score == 75
    assert "The HS code 9405.21.00 falls under the code 9405" in hit.reasons[1]


def test_the_hs_code_alone_is_not_a_hit_but_adds_to_the_mark():
    assert hits(line(hs_code="8539520000", description="LED bulbs")) == [()]
    hit = only_hit(hs_code="8539520000", description="BRIGHTSTAR bulbs", consignee="X Ltd")
    assert hit.rules == ("mark", "hs_code", "unlisted_trader")
    assert hit.score == 90
    assert hit.reasons[2] == (
        "Neither party is among the recorded legitimate traders and licensees."
    )


@pytest.mark.parametrize(("code", "under"), [("85395200", True), ("853951", False), ("85", False)])
def test_hs_prefix_match(code, under):
    index = ScreeningIndex([BRIGHTSTAR])
    assert (1 in index.hs_matches(code)) is under


def test_a_known_infringer_with_legal_form_variants_and_the_hs_code():
    hit = only_hit(consignor="FAKE LIGHTS CO., LTD", hs_code="853952", description="bulbs")
    assert hit.rules == ("infringer", "hs_code", "unlisted_trader")
    assert hit.reasons[0] == (
        "The consignor “FAKE LIGHTS CO., LTD” matches the recorded infringer "
        "“Fake Lights Company Limited”."
    )


def test_a_near_miss_of_an_infringer_name_still_matches():
    index = ScreeningIndex([BRIGHTSTAR])
    for near_miss in ("Fake Lightss Co", "Fkae Lights Ltd", "Fake Lihgts", "Fake Light Co"):
        assert [m.recordation_id for m in index.infringers_like(near_miss)] == [1], near_miss
    assert index.infringers_like("Fake Li Co") == []
    assert index.infringers_like("Real Lamps Ltd") == []


def test_the_infringer_alone_is_not_a_hit_but_its_port_makes_it_one():
    assert hits(line(consignee="Fake Lights Ltd", description="shoes")) == [()]
    hit = only_hit(consignee="Fake Lights Ltd", description="shoes", port="HUANGPU")
    assert hit.rules == ("infringer", "infringer_port")
    assert hit.reasons[1] == (
        "The port “HUANGPU” is one the recorded infringer “Fake Lights Company Limited” uses."
    )


def test_the_port_counts_only_with_the_matched_infringer():
    lone = line(hs_code="853952", port="Shenzhen Bay", consignee="Someone Ltd", description="x")
    assert hits(lone) == [()]
    assert rules.hs_alone_can_hit(rules.DEFAULT_THRESHOLD) is False


def test_the_recorded_legitimate_importer_is_never_a_hit():
    genuine = line(
        description="BRIGHTSTAR LED bulbs", brand="BrightStar", hs_code="8539520000",
        consignee="BRIGHT IMPORTS LIMITED", port="Shenzhen Bay",
    )  # fmt: skip
    assert hits(genuine) == [()]
    (results,) = hits(genuine, threshold=-1000)
    assert "legitimate_trader" in results[0].rules
    assert (
        "The consignee “BRIGHT IMPORTS LIMITED” is the recorded legitimate importer "
        "“Bright Imports Ltd.”." in results[0].reasons
    )


GENUINE_GOODS = {"description": "BRIGHTSTAR LED bulbs", "hs_code": "8539520000"}


@pytest.mark.parametrize(
    "lookalike", ["Bright Import Ltd", "Brite Imports Ltd", "Bright Imports Trading Ltd"]
)
def test_a_name_merely_like_the_legitimate_importer_exempts_nothing(lookalike):
    """Counterfeiters borrow look-alike names: only the same company (legal form, case,
    punctuation folded) is the legitimate importer; a similar one is an unlisted trader."""
    hit = only_hit(consignee=lookalike, **GENUINE_GOODS)
    assert hit.rules == ("mark", "hs_code", "unlisted_trader")


def test_the_legitimate_importer_is_exempt_only_as_the_consignee():
    """An importer receives the genuine goods; sending them out as the consignor is not the
    recorded role (a recorded exporter, in turn, only as the consignor)."""
    hit = only_hit(consignor="Bright Imports Ltd.", consignee="Somebody GmbH", **GENUINE_GOODS)
    assert hit.rules == ("mark", "hs_code", "unlisted_trader")


def test_goods_from_a_known_infringer_are_not_genuine_whoever_receives_them():
    hit = only_hit(
        consignor="Fake Lights Co., Ltd.", consignee="Bright Imports Ltd.", **GENUINE_GOODS
    )
    assert hit.rules == ("mark", "infringer", "hs_code", "unlisted_trader")


def test_unlisted_trader_counts_only_where_traders_are_recorded():
    hit = only_hit(description="光明灯", consignee="Anyone Ltd")
    assert hit.rules == ("mark",)


def test_a_line_with_no_match_has_no_hits():
    assert hits(line(description="cotton socks", hs_code="6115", consignor="Socks Ltd")) == [()]
    assert hits(line()) == [()]


def test_hits_are_sorted_by_score_and_the_threshold_filters():
    both = line(description="BRIGHTSTAR and MOONBEAM lamps", hs_code="85395200", consignor="Y")
    (found,) = hits(both)
    assert [(h.number, h.score) for h in found] == [("T2020-000001", 90), ("T2022-000003", 50)]
    assert [h.number for h in hits(both, threshold=60)[0]] == ["T2020-000001"]


@pytest.mark.parametrize(
    ("description", "found"),
    [
        ("Bright lamps", True),
        ("BRIGHT-STAR lamps", True),
        ("Brightness lamps", False),
        ("Bright2000 lamps", True),
        ("TheBright lamps", False),
        ("光明Bright灯", True),
    ],
)
def test_latin_marks_match_whole_words_only(description, found):
    bright = RecordedFacts(recordation_id=7, number="T7", marks=("Bright",))
    assert bool(hits(line(description=description), facts=[bright])[0]) is found


def test_chinese_marks_match_inside_running_text():
    hit = only_hit(description="进口光明燈泡一批")
    assert hit.recordation_id == 2


def test_short_marks_are_not_screened():
    tiny = RecordedFacts(recordation_id=9, number="T1", marks=("AB",))
    assert hits(line(description="AB lamps"), facts=[tiny]) == [()]


def test_only_candidate_recordations_are_scored():
    many = [
        RecordedFacts(i, f"T{i}", marks=(f"mark{i:05d}",), hs_codes=("8539",)) for i in range(3000)
    ]
    index = ScreeningIndex(many)
    (result,) = screen(index, [line(description="MARK01234 bulbs", hs_code="85395200")])
    assert [h.number for h in result.hits] == ["T1234"]


# The loader


def _recorded(make_application, holder, title, status=RecordationStatus.ACTIVE):
    application = make_application(holder, Status.APPROVED)
    application.right.title = title
    db.session.add_all(
        [
            Goods(application_id=application.id, position=0, name="LED bulb", hs_code="8539.52"),
            Goods(application_id=application.id, position=1, name="Lamp", hs_code="940521"),
            Trader(application_id=application.id, role=TraderRole.IMPORTER, name="Bright Imp Ltd"),
            Infringer(
                application_id=application.id, name="Fake Lights Co", ports="Shenzhen Bay, Huangpu"
            ),
        ]
    )
    row = recordation_row(application, status=status)
    db.session.commit()
    return row


def test_facts_of_active_reads_the_recorded_facts(make_user, make_application):
    holder = make_user()
    row = _recorded(make_application, holder, "BRIGHTSTAR")
    (facts,) = facts_of_active(db.session)
    assert facts == RecordedFacts(
        recordation_id=row.id,
        number=row.number,
        holder_name=row.holder_name,
        marks=("BRIGHTSTAR",),
        hs_codes=("8539.52", "940521"),
        traders=(LegitimateTrader("Bright Imp Ltd", "importer"),),
        infringers=(KnownInfringer("Fake Lights Co", ("Shenzhen Bay, Huangpu",)),),
    )
    index = ScreeningIndex([facts])
    (result,) = screen(
        index,
        [line(description="bright star bulbs", port="Huangpu", consignor="FAKE LIGHTS CO., LTD.")],
    )
    assert [(h.recordation_id, h.rules) for h in result.hits] == [
        (row.id, ("mark", "infringer", "infringer_port", "unlisted_trader"))
    ]


@pytest.mark.parametrize(
    "status", [RecordationStatus.CANCELLED, RecordationStatus.EXPIRED, RecordationStatus.REVOKED]
)
def test_recordations_no_longer_in_force_are_not_loaded(make_user, make_application, status):
    holder = make_user()
    active = _recorded(make_application, holder, "BRIGHTSTAR")
    _recorded(make_application, holder, "MOONBEAM", status=status)
    assert [f.recordation_id for f in facts_of_active(db.session)] == [active.id]


def test_the_current_facts_are_those_of_the_latest_approved_application(
    make_user, make_application
):
    holder = make_user()
    row = _recorded(make_application, holder, "BRIGHTSTAR")
    amended = make_application(holder, Status.APPROVED)
    amended.right.title = "BRIGHTSTAR PRO"
    db.session.add(Goods(application_id=amended.id, name="Torch", hs_code="851310"))
    row.facts_application_id = amended.id
    db.session.commit()
    (facts,) = facts_of_active(db.session)
    assert (facts.marks, facts.hs_codes, facts.traders) == (("BRIGHTSTAR PRO",), ("851310",), ())


def test_the_loader_runs_four_queries_however_many_recordations(make_user, make_application):
    holder = make_user()
    for title in ("BRIGHTSTAR", "MOONBEAM", "光明燈"):
        _recorded(make_application, holder, title)
    statements = []

    def count(*args):
        statements.append(args[2])

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        loaded = facts_of_active(db.session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(loaded) == 3
    assert len(statements) == 4


def test_a_low_threshold_lets_the_hs_code_and_an_unlisted_trader_hit():
    (found,) = hits(line(hs_code="85395200", consignee="X Ltd"), threshold=40)
    assert [(h.number, h.rules, h.score) for h in found] == [
        ("T2020-000001", ("hs_code", "unlisted_trader"), 40)
    ]


def test_a_recorded_licensee_is_a_legitimate_party(make_user, make_application):
    """A licensee imports genuine goods: read with the traders (role "licensee") and, as a
    party to a line, never a hit; the loader still runs four queries."""
    holder = make_user()
    row = _recorded(make_application, holder, "BRIGHTSTAR")
    db.session.add(Licensee(application_id=row.facts_application_id, name="Bright EU GmbH"))
    db.session.commit()
    (facts,) = facts_of_active(db.session)
    assert facts.traders == (
        LegitimateTrader("Bright Imp Ltd", "importer"),
        LegitimateTrader("Bright EU GmbH", "licensee"),
    )
    index = ScreeningIndex([facts])
    genuine = line(description="BRIGHTSTAR bulbs", hs_code="853952", consignee="BRIGHT EU GMBH")
    (result,) = screen(index, [genuine])
    assert result.hits == ()
