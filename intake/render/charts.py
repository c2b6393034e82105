"""Charts of the report page as SVG written here (no chart library, nothing from the internet)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

Series = tuple[str, Sequence[float | None], str]  # name, one value per category, colour
COLOURS = ("#1f5fa8", "#3c9d5d", "#e0a030", "#c0392b", "#7d5ba6")


def nice_ticks(top: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round axis ticks from 0 to at least `top` (1, 2, 2.5, 5 x 10^k steps; whole for counts)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if integer:
        step = max(1, math.ceil(step))
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def number_vi(value: float, decimals: int = 0) -> str:
    """A number the Vietnamese way: '.' between thousands, ',' before decimals."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    out = []
    for name, _, colour in series:
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14:.1f}" y="{y:.1f}" font-size="12">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return out


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series],
              fmt: Callable[[float], str] = number_vi, width: int = 760, height: int = 300,
              integer: bool = False) -> str:
    """Grouped vertical bars: one group per category (a period), one bar per series.

    `integer`: counts (whole ticks). Category labels are thinned so they never overlap.
    """
    left, right, top, bottom = 64, 12, 44, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs, _ in series for v in vs if v is not None]
    ticks = nice_ticks(max(values, default=0), integer=integer)
    ymax = ticks[-1] or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}" '
             f'font-family="Liberation Sans, Arial, sans-serif">',
             f'<text x="{left}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>']
    parts += _legend(series, left, 36)
    for t in ticks:
        y = top + plot_h - plot_h * t / ymax
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{escape(fmt(t))}</text>')
    n = max(len(categories), 1)
    slot = plot_w / n
    bar = max(1.0, slot * 0.8 / max(len(series), 1))
    label_width = 7 * max((len(c) for c in categories), default=1) + 10  # 11 px text
    label_every = max(1, math.ceil(label_width / slot))
    for i, cat in enumerate(categories):
        x0 = left + i * slot + slot * 0.1
        for j, (name, vs, colour) in enumerate(series):
            v = vs[i] if i < len(vs) else None
            if v is None:
                continue
            h = plot_h * v / ymax
            parts.append(f'<rect x="{x0 + j * bar:.1f}" y="{top + plot_h - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                         f'<title>{escape(f"{cat} — {name}: {fmt(v)}")}</title></rect>')
        if i % label_every == 0:
            cx = left + i * slot + slot / 2
            parts.append(f'<text x="{cx:.1f}" y="{top + plot_h + 16}" font-size="11" '
                         f'text-anchor="middle">{escape(cat)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
                 f'y2="{top + plot_h}" stroke="#333"/>')
    if not values:
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" '
                     f'font-size="13" text-anchor="middle" fill="#777">Không có dữ liệu</text>')
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(title: str, labels: Sequence[str], series: Sequence[Series],
               fmt: Callable[[float], str] = number_vi, width: int = 760) -> str:
    """Horizontal grouped bars: one row per agency or unit (names can be long)."""
    label_w, right, top = 260, 60, 44
    row = 10 + 12 * len(series)
    height = top + row * max(len(labels), 1) + 10
    plot_w = width - label_w - right
    values = [v for _, vs, _ in series for v in vs if v is not None]
    vmax = max(values, default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}" '
             f'font-family="Liberation Sans, Arial, sans-serif">',
             f'<text x="8" y="18" font-size="14" font-weight="bold">{escape(title)}</text>']
    parts += _legend(series, label_w, 36)
    for i, label in enumerate(labels):
        y0 = top + i * row + 5
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y0 + row / 2:.1f}" font-size="11" '
                     f'text-anchor="end">{escape(short or "(không rõ)")}</text>')
        for j, (name, vs, colour) in enumerate(series):
            v = vs[i] if i < len(vs) else None
            if v is None:
                continue
            w = plot_w * v / vmax
            y = y0 + j * 12
            parts.append(f'<rect x="{label_w}" y="{y:.1f}" width="{w:.1f}" height="10" '
                         f'fill="{colour}"><title>{escape(f"{label} — {name}: {fmt(v)}")}'
                         f'</title></rect><text x="{label_w + w + 4:.1f}" y="{y + 9:.1f}" '
                         f'font-size="10">{escape(fmt(v))}</text>')
    if not labels:
        parts.append(f'<text x="{width / 2:.1f}" y="{top + 10}" font-size="13" '
                     f'text-anchor="middle" fill="#777">Không có dữ liệu</text>')
    parts.append("</svg>")
    return "".join(parts)
