"""The keyboard focus is clearly visible on every interactive element, the navbar's included.

Tabbing through a few pages that hold every kind of control (skip link, brand, navbar links
and the sign-out button, hero buttons, search fields, selects, checkboxes, table links and
row buttons, focusable code blocks), each focused element must draw an outline at least
2 px wide whose colour contrasts 3:1 with the background it is drawn on (WCAG 2.1 1.4.11).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.live import DEMO_PASSWORD as PASSWORD

MAX_TABS = 60

FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.dataset.focusSeen) return null;  // round complete
  el.dataset.focusSeen = '1';
  const style = getComputedStyle(el);
  // The ring is drawn outside the element (outline-offset), on its parent's background.
  let background = 'rgb(255, 255, 255)';
  for (let p = el.parentElement; p; p = p.parentElement) {
    const colour = getComputedStyle(p).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { background = colour; break; }
  }
  const name = el.tagName.toLowerCase() + [...el.classList].map((c) => '.' + c).join('');
  return {name: name + ' "' + (el.innerText || el.value || '').trim().slice(0, 30) + '"',
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          colour: style.outlineColor, background: background};
}"""

PAGES = [
    # (account, path)
    (None, "/"),
    ("holder@example.com", "/applications/"),
    ("admin@example.com", "/admin/users/new"),
    ("admin@example.com", "/admin/holidays"),
]


def _rgb(css: str, under: str = "rgb(255, 255, 255)") -> tuple[float, ...]:
    """The colour of CSS `rgb()`/`rgba()` as drawn over the opaque colour `under`."""
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    alpha = values[3] if len(values) > 3 else 1.0
    base = _rgb(under) if alpha < 1 else (0.0, 0.0, 0.0)
    return tuple(alpha * v + (1 - alpha) * b for v, b in zip(values[:3], base, strict=True))


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(colour: str, background: str) -> float:
    """WCAG contrast ratio of `colour` (possibly translucent) drawn on `background`."""
    pair = (_luminance(_rgb(colour, background)), _luminance(_rgb(background)))
    light, dark = sorted(pair, reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula() -> None:
    assert contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)") == pytest.approx(21)
    assert contrast("rgb(146, 190, 254)", "rgb(13, 110, 253)") == pytest.approx(2.36, abs=0.01)
    # Bootstrap's navbar-dark link colour, translucent white over the old blue navbar.
    assert contrast("rgba(255, 255, 255, 0.55)", "rgb(13, 110, 253)") == pytest.approx(
        2.36, abs=0.02
    )


@pytest.mark.parametrize(("email", "path"), PAGES, ids=[path for _, path in PAGES])
def test_focus_ring_is_visible_on_every_control(
    page: Page, live_server: str, email: str | None, path: str
) -> None:
    if email:
        page.goto(f"{live_server}/auth/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_test_id("nav-user")).to_be_visible()
    page.goto(live_server + path)
    seen, failures = [], []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS)
        if focus is None:
            break  # back at the start: every control has had the focus
        seen.append(focus["name"])
        ratio = contrast(focus["colour"], focus["background"])
        if focus["style"] == "none" or focus["width"] < 2 or ratio < 3:
            failures.append(
                f"{focus['name']}: outline {focus['style']} {focus['width']}px "
                f"{focus['colour']} on {focus['background']} ({ratio:.2f}:1)"
            )
    assert len(seen) >= 5, f"the page has fewer controls than expected: {seen}"
    assert any(".nav-link" in name for name in seen), "the navbar links were never focused"
    assert failures == [], "\n".join(failures)
