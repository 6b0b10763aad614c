"""The profile (/people/<id>) is a list of sections other areas contribute: training hours
and credentials (training/), care visits received (care/), and later honours, evaluations,
grade and the reserve pool. The people area knows none of them: they register here.

The interface, for a package adding a section:

    from ..people.sections import profile_section

    @profile_section("honours", order=40)
    def _honours(viewer, person):
        '''Rendered HTML (Markup) of this section of `person`'s profile as `viewer` sees it,
        or None when there is nothing to show.'''
        return Markup(render_template("honours/_profile.html", ...))

The function is only called once the profile's own rule has let `viewer` in (the person
themselves, a leader or an admin: personnel data, never a peer's), so a section needs no
access check of its own for that; it may still show less to the person than to a leader.
Sections are drawn in `order`, then by name; registering a name again replaces it. Keep a
section to a few queries whatever the data: the profile draws every section on each view.
Nothing in a section may be a score or a ranking made from app usage (DOMAIN.md).
"""
from dataclasses import dataclass
from typing import Callable

from markupsafe import Markup


@dataclass(frozen=True)
class ProfileSection:
    name: str
    order: int
    render: Callable  # (viewer, person) -> Markup | None


_SECTIONS: dict[str, ProfileSection] = {}


def profile_section(name: str, order: int = 50):
    """Register a section of the profile: see the module's docstring."""

    def register(render: Callable) -> Callable:
        _SECTIONS[name] = ProfileSection(name, order, render)
        return render
    return register


def sections_for(viewer, person) -> list[Markup]:
    """The sections of `person`'s profile that have something for `viewer`, in order."""
    drawn = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name)):
        html = section.render(viewer, person)
        if html:
            drawn.append(Markup(html))
    return drawn
