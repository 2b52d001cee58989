"""Server-side SVG charts (pygal) for the dashboard: no script, no network access.

pygal embeds a configuration <script> even with `js=[]` and comments naming its website;
an XML filter removes both, so the SVG is static markup plus one <style> element.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from itertools import count

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from ipr_apps.i18n import format_number
from ipr_apps.services import dashboard, stats
from ipr_apps.stats.forms import Selection

# pygal appends a legacy sys.meta_path finder (for its map plugins, unused here) that has no
# find_spec(): on Python 3.11 every failed import anywhere then raises an ImportWarning.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#0d6efd", "#adb5bd", "#198754", "#dc3545", "#6f42c1"),
    # CJK families after the Latin ones, so Chinese titles and legends render everywhere
    font_family=(
        "system-ui, -apple-system, 'Segoe UI', Roboto, 'PingFang SC', 'Hiragino Sans GB', "
        "'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', "
        "sans-serif"
    ),
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
)
# the SVG carries its own <style>; nothing else may load or run
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
MAX_X_LABELS = 24
MAX_COUNT_TICKS = 10


def _static_only(root):
    """XML filter: drop <script> elements and comments anywhere in the tree."""
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def count_ticks(top: int, most: int = MAX_COUNT_TICKS) -> list[int]:
    """Whole-number axis ticks from 0 to at least `top`, in steps of 1, 2 or 5 × 10ⁿ.

    pygal's own scale would put ticks at 0.5 for small counts, which cannot occur.
    """
    top = max(top, 1)
    step = next(s for s in _steps() if -(-top // s) <= most)
    return list(range(0, -(-top // step) * step + 1, step))


def _steps() -> Iterator[int]:
    for power in count():
        for mantissa in (1, 2, 5):
            yield mantissa * 10**power


def _count_format(value: float) -> str:
    return format_number(round(value))


def _chart(kind: Callable, title: str, counts: list[int], **options):
    """A chart of counts: its value axis shows whole numbers only."""
    chart = kind(
        js=[], disable_xml_declaration=True, style=STYLE, title=title, width=900, height=380,
        include_x_axis=True, no_data_text=_("No data"),
        y_labels=count_ticks(max(counts, default=0)),
        value_formatter=_count_format, **options,
    )  # fmt: skip
    chart.add_xml_filter(_static_only)
    return chart


def _label_room(labels: list[str]) -> int:
    """The left margin for axis labels: pygal measures text as Latin letters (about 0.6 em
    each), so Chinese labels (1 em a character) were cut at the chart's edge."""
    wide = max((sum(1 for c in label if "\u3400" <= c <= "\u9fff") for label in labels), default=0)
    return 20 + 6 * wide  # pygal's own margin, plus the width it misses


def approvals(selection: Selection) -> str:
    """Approved per period, the same period a year earlier beside it."""
    rows = stats.rows(selection.by, selection.start, selection.end, recordations=False)
    labels = [r["period"] for r in rows]
    every = -(-len(labels) // MAX_X_LABELS)
    approved, previous = [r["approved"] for r in rows], [r["approved_prev_year"] for r in rows]
    chart = _chart(
        pygal.Bar, _("Applications approved per %(period)s", period=selection.by.noun),
        approved + previous, x_label_rotation=45 if len(labels) > 8 else 0,
        x_labels_major_every=every, show_minor_x_labels=every == 1, legend_at_bottom=True,
    )  # fmt: skip
    chart.x_labels = labels
    chart.add(_("Approved"), approved)
    chart.add(_("Same period a year earlier"), previous)
    return chart.render(is_unicode=True)


def types(selection: Selection) -> str:
    """Approvals in the selected periods by right type."""
    totals = dashboard.type_totals(
        stats.rows(selection.by, selection.start, selection.end, "ipr_type", recordations=False)
    )
    approved = [t.approved for t in totals]
    labels = [t.ipr_type.label for t in totals]
    chart = _chart(
        pygal.HorizontalBar,
        _("Applications approved by right type"),
        approved,
        show_legend=False,
        margin_left=_label_room(labels),
    )
    chart.x_labels = labels
    chart.add(_("Approved"), approved)
    return chart.render(is_unicode=True)


CHARTS: dict[str, Callable[[Selection], str]] = {"approvals": approvals, "types": types}
