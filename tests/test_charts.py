"""Statistics charts: the count axes show whole numbers only (a half application cannot occur)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from ipr_apps.models import Role
from ipr_apps.services import imports
from ipr_apps.services.import_rows import HEADER
from ipr_apps.stats.charts import count_ticks

SVG = "{http://www.w3.org/2000/svg}"
# Two approvals in 2019-H1, one in 2018-H1 and one rejection: pygal's own scale would tick 0.5.
ROWS = [
    "S-1,trademark,T1,Mark one,Chart holder,CN,2019-02-01,2019-03-01,approved,OLD-1,2029-03-01",
    "S-2,trademark,T2,Mark two,Chart holder,CN,2019-02-01,2019-03-04,approved,OLD-2,2029-03-04",
    "S-3,patent_design,P3,Design,Chart holder,DE,2018-02-01,2018-03-01,approved,OLD-3,2028-03-01",
    "S-4,copyright,,Work,Chart holder,CN,2018-02-01,2018-03-02,rejected,,",
]
ARGS = {"by": "half", "from": "2018-01-01", "to": "2019-06-30"}


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (2, [0, 1, 2]),
        (10, list(range(11))),
        (11, list(range(0, 13, 2))),
        (37, list(range(0, 41, 5))),
        (5_501, list(range(0, 6_001, 1_000))),
        (123_456, list(range(0, 140_001, 20_000))),
    ],
)
def test_count_ticks_are_whole_round_steps(top, ticks):
    assert count_ticks(top) == ticks


def _value_axis_labels(svg: str, axis: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 (our own server-rendered SVG)
    labels = []
    for group in root.iter(f"{SVG}g"):
        if f"axis {axis}" in group.get("class", ""):
            labels += [t.text for t in group.iter(f"{SVG}text") if t.text]
    return labels


@pytest.mark.parametrize(("name", "axis"), [("approvals", "y"), ("types", "x")])
def test_chart_count_axis_labels_are_integers(client, login, make_user, name, axis):
    text = "\n".join([",".join(HEADER), *ROWS]) + "\n"
    imports.import_recordations(lambda: io.StringIO(text))
    login(make_user(Role.ADMIN))

    response = client.get(f"/stats/chart/{name}.svg", query_string=ARGS)

    assert response.status_code == 200
    labels = _value_axis_labels(response.get_data(as_text=True), axis)
    assert labels == ["0", "1", "2"]  # the largest count is 2 (2019-H1, trademarks)
