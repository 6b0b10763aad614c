"""Headers that lock the browser down, on every answer.

A page may not be framed (clickjacking), may not change its base or post a form elsewhere,
may not load plugins; the browser may not guess a type the server did not say; another
site is never told which page a person came from (the addresses hold ids of residents'
cases and requests); geolocation and the camera are the app's alone. HSTS only where the
app runs behind HTTPS (SESSION_COOKIE_SECURE=1, as the README's production settings say),
so a laptop demo on plain HTTP is never told to refuse itself.

The Content-Security-Policy allows scripts, styles and everything else from this site
alone, and nothing inline: an injected <script>, on…= handler or style does not run. The
templates hold no inline script or handler, htmx is told not to evaluate code or inject its
indicator styles (base.html's htmx-config), and tests/browser/test_csp.py walks every page
each demo login reaches and fails on any violation the browser reports. Images may also be
blob: (a photo's preview before upload) and data:."""
from flask import Flask, Response, current_app

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
       "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()",
}
HSTS = "max-age=31536000"


def init_security(app: Flask) -> None:
    @app.after_request
    def _lock_down(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if current_app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
