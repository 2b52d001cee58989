"""The officer's recordation search (services/case_search, GET /cases/find) and the case
list's filters (case_access.cases_of with a CaseQuery, GET /cases/)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ipr_apps.models import CaseIprType, CaseStatus, RecordationStatus, Role
from ipr_apps.models.rights import IprType
from ipr_apps.services import case_access, case_search
from ipr_apps.services.case_access import CaseQuery
from ipr_apps.services.case_search import Search
from tests.case_helpers import back_date, detain, open_case, recordation_with_goods


def numbers(page) -> list[str]:
    return [r.number for r in page.items]


def found(text=None, hs=None, ended=False, size=25) -> list[str]:
    return numbers(case_search.find(Search.parse(text, hs, ended), None, size))


@pytest.fixture
def holder(make_user):
    return make_user(Role.HOLDER, name="Holder")


def test_finds_by_the_start_of_the_mark_the_number_and_the_holder(holder):
    torch = recordation_with_goods(holder, "Brightlight", number="T2019-000101")
    other = recordation_with_goods(holder, "Shadowcap", number="T2019-000102")
    assert found("bright") == [torch.number]
    assert found("ＢＲＩＧＨＴ") == [torch.number]  # full-width and case fold like the register
    assert found("light") == []  # the start of the title, not any part of it
    assert found("t2019-00010") == [torch.number, other.number]  # in the order of the text
    assert found(holder.organisation.name_en[:12]) == [torch.number, other.number]


def test_finds_by_the_start_of_an_hs_code_of_the_genuine_goods(holder):
    torch = recordation_with_goods(holder, "Brightlight", goods=[("LED torch", "851310")])
    lamp = recordation_with_goods(holder, "Lampy", goods=[("Desk lamp", "940521"),
                                                           ("Torch", "8513900000")])  # fmt: skip
    recordation_with_goods(holder, "Socks", goods=[("Socks", "611595")])
    assert set(found(hs="8513")) == {torch.number, lamp.number}
    assert found(hs="851310") == [torch.number]
    assert found(hs="85.13 10") == [torch.number]  # dots and spaces are ignored
    assert found(hs="8514") == []
    assert found(hs="94") == [lamp.number]
    assert found("bright", hs="9405") == []  # both must match


def test_hs_code_search_on_a_prefix_of_nines(holder):
    nines = recordation_with_goods(holder, "Nines", goods=[("Antiques", "970600")])
    assert found(hs="97") == [nines.number]
    assert found(hs="99") == []
    assert case_search._successor("8519") == "852"
    assert case_search._successor("99") is None


def test_only_recordations_in_force_unless_asked(holder):
    active = recordation_with_goods(holder, "Brightlight")
    ended = recordation_with_goods(holder, "Brightstar", status=RecordationStatus.EXPIRED)
    assert found("bright") == [active.number]
    assert found("bright", ended=True) == [active.number, ended.number]


def test_an_empty_or_bad_search_finds_nothing(holder):
    recordation_with_goods(holder)
    assert found() == [] and found("   ") == []
    assert found(hs="8") == [] and found(hs="85ab") == []
    assert not Search.parse(None, "85ab", False).hs_code_valid


def test_keyset_pages_cover_every_hit_once(holder):
    made = []
    for n in range(5):  # ended ones in between are skipped without breaking the pages
        made.append(recordation_with_goods(holder, f"Bright {n}").number)
        recordation_with_goods(holder, f"Bright {n}b", status=RecordationStatus.EXPIRED)
    search = Search.parse("bright", None, False)
    seen, cursor = [], None
    while True:
        page = case_search.find(search, cursor, 2)
        seen += numbers(page)
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == made
    by_hs = Search.parse(None, "8513", False)
    first = case_search.find(by_hs, None, 3)
    rest = case_search.find(by_hs, first.next_cursor, 3)
    assert numbers(first) + numbers(rest) == list(reversed(made))  # by HS code: newest first


def test_find_page_lists_hits_with_goods_and_an_open_case_link(client, login, make_user, holder):
    active = recordation_with_goods(holder, "Brightlight", goods=[("LED torch", "851310")])
    ended = recordation_with_goods(holder, "Brightstar", status=RecordationStatus.REVOKED)
    login(make_user(Role.OFFICER))
    html = client.get("/cases/find?q=bright&ended=1").get_data(as_text=True)
    assert f'data-number="{active.number}"' in html and f'data-number="{ended.number}"' in html
    assert f"/cases/new?recordation_id={active.id}" in html
    assert f"/cases/new?recordation_id={ended.id}" not in html  # no case on an ended one
    assert 'data-testid="ended-badge">Revoked' in html
    assert "HS 851310" in html
    default = client.get("/cases/find?q=bright").get_data(as_text=True)
    assert ended.number not in default


def test_find_page_empty_states_and_help(client, login, make_user, holder):
    recordation_with_goods(holder, "Brightlight")
    login(make_user(Role.OFFICER))
    first = client.get("/cases/find")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert 'data-testid="empty-state"' in html and 'id="q-help"' in html
    none = client.get("/cases/find?q=nothing-like-it").get_data(as_text=True)
    assert "No recordation in force matches" in none
    bad = client.get("/cases/find?hs=8x").get_data(as_text=True)
    assert 'data-testid="hs-error"' in bad


# --- the case list's filters -----------------------------------------------------------


@pytest.fixture
def district_cases(make_user, holder):
    """Four cases at 5301 (awaiting, overdue, detained, on a copyright) and one at 5100."""
    officer = make_user(Role.OFFICER, district="5301")
    mark = recordation_with_goods(holder, "Brightlight")
    work = recordation_with_goods(holder, "Firmware", ipr_type=IprType.COPYRIGHT)
    awaiting = open_case(officer, mark)
    overdue = open_case(officer, mark)
    back_date(overdue, date.today() - timedelta(days=30), date.today() - timedelta(days=25))
    detained = detain(open_case(officer, mark), holder)
    copyright_case = open_case(officer, work)
    elsewhere = open_case(make_user(Role.OFFICER, district="5100"), mark)
    return {
        "officer": officer, "awaiting": awaiting, "overdue": overdue, "detained": detained,
        "copyright": copyright_case, "elsewhere": elsewhere, "work": work,
    }  # fmt: skip


def listed(user, **filters) -> set[str]:
    page = case_access.cases_of(user, None, 50, CaseQuery(**filters))
    return {case.case_number for case in page.items}


def test_case_list_filters(district_cases):
    c = district_cases
    officer = c["officer"]
    mine = {c[k].case_number for k in ("awaiting", "overdue", "detained", "copyright")}
    assert listed(officer) == mine
    assert listed(officer, status=CaseStatus.DETAINED) == {c["detained"].case_number}
    assert listed(officer, ipr_type=CaseIprType.COPYRIGHT) == {c["copyright"].case_number}
    assert listed(officer, overdue=True) == {c["overdue"].case_number}
    assert listed(officer, q=c["work"].number.lower()) == {c["copyright"].case_number}
    assert listed(officer, q=c["detained"].case_number) == {c["detained"].case_number}
    assert listed(officer, q="100%") == set()  # a wildcard is just a character


def test_case_list_page_filters_and_columns(client, login, district_cases, holder):
    c = district_cases
    login(c["officer"])
    page = client.get("/cases/?status=detained&mode=ex_officio")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-case="{c["detained"].case_number}"' in html
    assert f'data-case="{c["awaiting"].case_number}"' not in html
    assert '<th scope="col">Holder</th>' in html and '<th scope="col">Port</th>' not in html
    empty = client.get("/cases/?q=NOPE").get_data(as_text=True)
    assert "No detention cases match these filters." in empty
    holder_client = client.application.test_client()
    login(holder, to=holder_client)
    mine = holder_client.get("/cases/?overdue=1").get_data(as_text=True)
    assert f'data-case="{c["overdue"].case_number}"' in mine
    assert f'data-case="{c["awaiting"].case_number}"' not in mine
    assert '<th scope="col">Port</th>' in mine and '<th scope="col">Holder</th>' not in mine


def test_case_list_pages_keep_the_filters(app, client, login, district_cases):
    app.config["PAGE_SIZE"], size = 1, app.config["PAGE_SIZE"]
    try:
        login(district_cases["officer"])
        html = client.get("/cases/?mode=ex_officio").get_data(as_text=True)
        assert "mode=ex_officio" in html.split('rel="next"')[1].split(">")[0]
    finally:
        app.config["PAGE_SIZE"] = size
