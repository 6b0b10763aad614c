"""What the task-log form offers to relay at a place (field/task_log.html, static/js/relay.js).

The form draws the directives waiting at the place it opens on, as the server knows them, so
nothing is added under the person's thumb once the page has painted; relay.js keeps the offer
in step with the place picked afterwards, from the same list as the phone got it from
/api/v1/me (`directives`), offline too."""
from .services import Outstanding, outstanding_for


def waiting_at(user, place_id) -> list[Outstanding]:
    """The directives this person still has to relay at this place, soonest due first (none
    for no place: a form with no place to offer)."""
    if not isinstance(place_id, int):
        return []
    return [d for d in outstanding_for(user) if place_id in d.place_ids]
