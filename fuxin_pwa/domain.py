"""Errors of the domain: services and access helpers raise them, the web layer answers them
(errors/ turns NotFound into the 404 page, or JSON for API callers), so the rules can be
used from the CLI, the importer and the sync alike without knowing about HTTP."""

ID_MAX = 2 ** 31 - 1  # the largest id an INTEGER column holds (PostgreSQL refuses more)


def an_id(value) -> int:
    """An id some column can hold, or ValueError: never a lookup the database refuses. Also
    for request.args.get(name, type=an_id), where a ValueError gives the default."""
    number = int(value)
    if not 0 < number <= ID_MAX:
        raise ValueError(value)
    return number


class DomainError(Exception):
    """A rule of the domain refused something."""


class NotFound(DomainError):
    """Not there, or not this person's to see: said the same way, so that a resident's
    household or case is never confirmed to exist to someone outside its places."""
