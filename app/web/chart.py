"""The dashboard's weekly chart as plain SVG shapes, computed here and drawn by a template."""

from __future__ import annotations

from dataclasses import dataclass

from app.claims.activity import Week

SERIES = (("opened", "Opened"), ("flagged", "Flagged overdue"), ("resolved", "Resolved"))
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 40


@dataclass(frozen=True)
class Bar:
    series: str
    x: float
    y: float
    width: float
    height: float
    value: int
    week: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]
    ticks: list[tuple[float, int]]
    baseline: float


def nice_step(value: int) -> int:
    """The smallest 1, 2 or 5 x 10^n at or above `value`: gridlines at round numbers."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def weekly_chart(weeks: list[Week]) -> Chart:
    """Grouped bars: one group per week, one bar per series, on a shared 0-based scale."""
    highest = max((getattr(w, key) for w in weeks for key, _ in SERIES), default=0)
    step = nice_step(max(1, -(-highest // 4)))  # four gridlines above zero
    top = 4 * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_w / max(len(weeks), 1)
    bar_w = group * 0.8 / len(SERIES)
    bars, labels = [], []
    for i, week in enumerate(weeks):
        x0 = LEFT + i * group + group * 0.1
        for j, (key, _) in enumerate(SERIES):
            value = getattr(week, key)
            h = plot_h * value / top
            bars.append(Bar(key, x0 + j * bar_w, TOP + plot_h - h, bar_w - 1, h, value, week.label))
        labels.append((LEFT + i * group + group / 2, week.label))
    ticks = [(TOP + plot_h - plot_h * k / 4, step * k) for k in range(5)]
    return Chart(WIDTH, HEIGHT, bars, labels, ticks, TOP + plot_h)
