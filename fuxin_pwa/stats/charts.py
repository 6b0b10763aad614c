"""Charts as inline SVG drawn on the server: no script, no library, readable offline and in
print. Each bar carries a <title> (the browser shows it on hover, a screen reader reads it),
the figure has a title and a description, and the page shows the same numbers in a table
below, which is what a screen reader user or a printout relies on."""
import math
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

TREND_W, TREND_H = 720, 260
PAD_L, PAD_R, PAD_T, PAD_B = 44, 8, 12, 42


@dataclass
class Series:
    label: str
    css: str  # class of its bars: the colours live in stats.css
    values: list


def nice_max(value: float) -> int:
    """The top of the axis: 1, 2 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(int(step * power) for step in (1, 2, 5, 10) if step * power >= value)


def _ticks(top: int) -> list[int]:
    """Whole-number gridlines from 0 to `top`: four or five steps where they divide evenly."""
    for steps in (4, 5, 2, 1):
        if top % steps == 0:
            return list(range(0, top + 1, top // steps))
    return [0, top]


def _svg_open(width, height, title, desc, css) -> list[str]:
    return [f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{css}-title {css}-desc" preserveAspectRatio="xMidYMid meet" '
            f'xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{css}-title">{escape(title)}</title>',
            f'<desc id="{css}-desc">{escape(desc)}</desc>']


def trend_chart(labels: list[str], series: list[Series], title: str, desc: str, bar_title: str) -> Markup:
    """Grouped vertical bars, one group per month. `bar_title` is a format string with
    {label}, {series} and {value}, e.g. "2025-04 签到 12"."""
    top = nice_max(max([v for s in series for v in s.values] or [0]))
    plot_w, plot_h = TREND_W - PAD_L - PAD_R, TREND_H - PAD_T - PAD_B
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    out = _svg_open(TREND_W, TREND_H, title, desc, "chart-trend")
    for tick in _ticks(top):
        y = PAD_T + plot_h - plot_h * tick / top
        out.append(f'<line class="grid" x1="{PAD_L}" x2="{TREND_W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick" x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for i, label in enumerate(labels):
        x0 = PAD_L + group_w * i + group_w * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / top
            x, y = x0 + bar_w * j, PAD_T + plot_h - h
            text = bar_title.format(label=label, series=s.label, value=value)
            out.append(f'<rect class="bar {s.css}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                       f'height="{max(h, 0):.1f}"><title>{escape(text)}</title></rect>')
        # Month number under every group; the year under the first month and each January.
        month = label[5:7].lstrip("0")
        cx = PAD_L + group_w * (i + 0.5)
        out.append(f'<text class="tick" x="{cx:.1f}" y="{TREND_H - PAD_B + 16}" '
                   f'text-anchor="middle">{month}</text>')
        if i == 0 or month == "1":
            out.append(f'<text class="tick year" x="{cx:.1f}" y="{TREND_H - PAD_B + 32}" '
                       f'text-anchor="middle">{escape(label[:4])}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def bar_list_chart(items: list[tuple[str, int]], title: str, desc: str, bar_title: str,
                   css: str = "chart-kinds") -> Markup:
    """Horizontal bars, one per item (a task kind), its name on the left and its count at the end."""
    row_h, label_w, value_w, width = 30, 96, 56, 720
    height = PAD_T + row_h * max(len(items), 1) + 8
    top = max([n for _label, n in items] or [0]) or 1
    plot_w = width - label_w - value_w
    out = _svg_open(width, height, title, desc, css)
    for i, (label, n) in enumerate(items):
        y = PAD_T + row_h * i
        w = plot_w * n / top
        text = bar_title.format(label=label, value=n)
        out.append(f'<text class="label" x="{label_w - 8}" y="{y + 19}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect class="bar bar-kind" x="{label_w}" y="{y + 5}" width="{max(w, 0):.1f}" '
                   f'height="{row_h - 10}"><title>{escape(text)}</title></rect>')
        out.append(f'<text class="value" x="{label_w + w + 6:.1f}" y="{y + 19}">{n}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def format_duration(seconds: float | None) -> str:
    """A median time to close as a leader reads it: hours under two days, else days."""
    if seconds is None:
        return "—"
    hours = seconds / 3600
    if hours < 48:
        return _("%(n)s 小时", n=f"{hours:.1f}")
    return _("%(n)s 天", n=f"{hours / 24:.1f}")


def report_charts(report) -> dict:
    """The page's two charts: the monthly trend of check-ins and task logs, and task logs by kind."""
    labels = [m.key for m in report.months]
    trend = trend_chart(
        labels,
        [Series(_("签到"), "bar-checkins", [m.checkins for m in report.months]),
         Series(_("工作记录"), "bar-logs", [m.task_logs for m in report.months])],
        title=_("每月签到与工作记录"),
        desc=_("按月的签到次数和工作记录条数，数据见下表"),
        bar_title=_("{label} {series}：{value}"))
    kinds = bar_list_chart(
        [(k.label, k.total) for k in report.kinds],
        title=_("工作记录按类型"),
        desc=_("所选时间内各类型工作记录的条数，数据见下表"),
        bar_title=_("{label}：{value} 条"))
    return {"trend": trend, "kinds": kinds}
