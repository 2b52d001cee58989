"""Reading rendered pages in tests: which inputs are marked invalid, what the summary lists."""

from __future__ import annotations

import re

_INPUT = re.compile(r"<(?:input|select|textarea)\b[^>]*>")


def input_tags(html: str) -> dict[str, str]:
    """Every input, select and textarea tag by its id."""
    found = {}
    for tag in _INPUT.findall(html):
        match = re.search(r'\bid="([^"]+)"', tag)
        if match:
            found[match.group(1)] = tag
    return found


def invalid_fields(html: str) -> set[str]:
    """The ids of the inputs marked invalid (errors shown beside them)."""
    return {field_id for field_id, tag in input_tags(html).items() if "is-invalid" in tag}


def summary_links(html: str) -> list[str]:
    """The targets (#ids) of the error summary's links, in order."""
    start = html.find('data-testid="error-summary"')
    if start < 0:
        return []
    box = html[start : html.find("</div>", start)]
    return re.findall(r'<a class="alert-link" href="#([^"]+)"', box)
