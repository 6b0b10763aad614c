"""The outbox page: what this device still has to send.

A shell for anyone, logged in or not: the records are in the phone's IndexedDB and never on
the server until they sync, so the page carries no one's data and a person whose session
ended can still see, fix and export what they saved. static/js/outbox-page.js draws it."""
from ..web import render
from . import bp


@bp.get("/outbox")
def outbox():
    """待同步: queued, failed and refused records on this device, and the last synced."""
    return render("pwa/outbox.html")
