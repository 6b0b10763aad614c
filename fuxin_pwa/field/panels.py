"""The field home is put together from panels that other areas contribute: the incident a
person is sent to, the requests waiting on them, and whatever comes next (directives to
relay, duty, planned visits).

Each panel is rendered into the home's HTML with what the server knows at that moment, so
nothing arrives after the page has painted and pushes the 签到 button from under a thumb.
A panel that must stay fresh polls for its own box and swaps it in place (see the dispatch
banner). The field area knows no other area: they register here, and the home asks.
"""
from dataclasses import dataclass
from typing import Callable

TOP = "top"        # above the two big buttons: what needs the person now
BOTTOM = "bottom"  # under my places


@dataclass(frozen=True)
class HomePanel:
    name: str
    template: str  # rendered with `panel`: the dict its context function returned
    slot: str
    order: int
    # (user) -> dict, or None when the panel has nothing for this person. The dict may name
    # `changes_at`: the UTC moment its drawing changes with no write ("5 分钟前" becoming 6),
    # until which the drawn home may be kept (kept.py).
    context: Callable


_PANELS: dict[str, HomePanel] = {}


def home_panel(name: str, template: str, slot: str = BOTTOM, order: int = 50):
    """Register a panel: `@home_panel("requests", "requests/_home_mine.html")` on a function
    that takes the user and returns the panel's context. Registering a name again replaces it."""
    if slot not in (TOP, BOTTOM):
        raise ValueError(f"unknown home slot {slot!r}")

    def register(context: Callable) -> Callable:
        _PANELS[name] = HomePanel(name, template, slot, order, context)
        return context
    return register


@dataclass(frozen=True)
class Rendered:
    template: str
    panel: dict


def panels_for(user) -> dict[str, list[Rendered]]:
    """{slot: [panel to render, in order]} for this person's home."""
    slots: dict[str, list[Rendered]] = {TOP: [], BOTTOM: []}
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        context = panel.context(user)
        if context is not None:
            slots[panel.slot].append(Rendered(panel.template, context))
    return slots


def changes_at(slots: dict[str, list[Rendered]]):
    """The soonest moment any panel drawn changes by itself, or None."""
    return min((r.panel["changes_at"] for items in slots.values() for r in items
                if r.panel.get("changes_at") is not None), default=None)
