"""Whether a recordation's facts are too thin to screen well: what customs match declarations
against (the genuine goods' HS codes, the legitimate traders, the photos of the genuine goods)
and which of those its current facts lack. The holder's recordation page warns about them;
the API or other pages may ask the same."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ipr_apps.db import db
from ipr_apps.models import DocType, Document, Goods, Recordation, Role, Trader, User
from ipr_apps.services.recordation_access import can_view


class Missing(StrEnum):
    """A fact screening relies on, absent from the recorded facts."""

    HS_CODE = "hs_code"  # no genuine goods with an HS code
    LEGITIMATE_TRADER = "legitimate_trader"  # no named manufacturer, importer or exporter
    GOODS_PHOTO = "goods_photo"  # no current document of type "goods photo"

    @property
    def label(self) -> str:
        return str(_WORDS[self][0])

    @property
    def why(self) -> str:
        return str(_WORDS[self][1])


_WORDS = {
    Missing.HS_CODE: (
        _l("An HS code for the genuine goods"),
        _l(
            "Declarations are matched on their HS code: without one, only the mark's text can "
            "point a declaration to this recordation."
        ),
    ),
    Missing.LEGITIMATE_TRADER: (
        _l("A legitimate manufacturer, importer or exporter"),
        _l(
            "Genuine consignments from a recorded legitimate trader are cleared, and those from "
            "anyone else stand out: without one, officers cannot tell them apart."
        ),
    ),
    Missing.GOODS_PHOTO: (
        _l("A photo of the genuine goods"),
        _l(
            "Officers compare the goods they inspect with the photos: without one, they cannot "
            "recognise a fake at the border."
        ),
    ),
}


def _non_blank(column):
    return func.length(func.trim(column)) > 0


def _present(app_id) -> tuple:
    """Whether the facts application `app_id` (a value or a column) has each fact, in
    Missing's order: correlated EXISTS, so one query answers for many recordations."""
    return (
        exists().where(Goods.application_id == app_id, _non_blank(Goods.hs_code)),
        exists().where(Trader.application_id == app_id, _non_blank(Trader.name)),
        exists().where(
            Document.application_id == app_id,
            Document.doc_type == DocType.GOODS_PHOTO,
            Document.superseded_at.is_(None),
        ),
    )


def _lacking(found) -> list[Missing]:
    return [missing for missing, present in zip(Missing, found, strict=True) if not present]


def thin_facts(recordation: Recordation) -> list[Missing]:
    """What the recordation's current facts lack for screening (empty: nothing), in one query."""
    found = db.session.execute(select(*_present(recordation.facts_application_id))).one()
    return _lacking(found)


def thin_facts_of(recordation_ids: list[int]) -> dict[int, list[Missing]]:
    """thin_facts of each recordation, in one query (for a list page)."""
    if not recordation_ids:
        return {}
    stmt = select(Recordation.id, *_present(Recordation.facts_application_id)).where(
        Recordation.id.in_(recordation_ids)
    )
    return {row[0]: _lacking(row[1:]) for row in db.session.execute(stmt)}


def present_columns() -> tuple:
    """What thin_facts asks, as columns of a query that loads the recordation."""
    return _present(Recordation.facts_application_id)


def warning_for(
    recordation: Recordation, viewer: User, found: tuple | None = None
) -> list[Missing]:
    """The thin-facts warning of the recordation page: only for the holder's users and its
    agents (customs and the public register do not need it), and only while in force.
    `found`: the present_columns() values, when the page's query answered them already."""
    if viewer.role != Role.HOLDER or not recordation.status.in_force:
        return []
    if not can_view(recordation, viewer):
        return []
    return thin_facts(recordation) if found is None else _lacking(found)
