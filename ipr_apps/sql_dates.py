"""Date arithmetic in SQL that both databases understand (SQLite keeps dates as ISO text)."""

from __future__ import annotations

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _ShiftedDay(FunctionElement):
    """A date column or expression moved by `days` (a class constant, part of the SQL)."""

    type = Date()
    inherit_cache = True
    days = 0


class day_after(_ShiftedDay):  # lower case: used like a SQL function
    inherit_cache = True
    days = 1


class day_before(_ShiftedDay):  # lower case: used like a SQL function
    inherit_cache = True
    days = -1


def _date_plus_integer(element, compiler, **kw) -> str:
    return f"({compiler.process(element.clauses, **kw)} {element.days:+d})"


def _sqlite_date_modifier(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '{element.days:+d} day')"


for _shifted in (day_after, day_before):
    compiles(_shifted)(_date_plus_integer)  # PostgreSQL: date ± integer is a date
    compiles(_shifted, "sqlite")(_sqlite_date_modifier)


class month_start(FunctionElement):  # lower case: used like a SQL function
    """The first day of the month of a date or timestamp expression, as a date."""

    type = Date()
    inherit_cache = True


@compiles(month_start)
def _month_start(element, compiler, **kw) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _sqlite_month_start(element, compiler, **kw) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"
