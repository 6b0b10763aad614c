"""Service worker, manifest, offline and install pages: the installable shell.

The rules of what is cached live in the worker (sw.js) and what it is built from in
shell.py; these views only serve them."""
import json

import click
from flask import current_app, request

from ..web import render
from . import bp, shell

IOS_DEVICES = ("iPhone", "iPad", "iPod")


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest; revalidated on each fetch so new icons are seen at once."""
    body = json.dumps(shell.manifest(), ensure_ascii=False)
    response = current_app.response_class(body, mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """At the root so its scope is the whole app; `no-cache` so a release is seen on the
    next visit, not when a cached copy expires."""
    response = current_app.response_class(shell.worker_script(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """What a page never opened before shows with no signal (the worker keeps a copy)."""
    return render("pwa/offline.html", pages=shell.offline_pages())


@bp.get("/install")
def install():
    """How to put the app on the home screen, for the phone the person holds."""
    agent = request.user_agent.string
    return render("pwa/install.html", in_wechat="MicroMessenger" in agent,
                  on_ios=any(device in agent for device in IOS_DEVICES))


@bp.cli.command("icons")
@click.option("--font", help="A CJK font file (default: Noto Serif CJK Bold, else fontconfig).")
def make_icons(font):
    """Draw the app's icons into static/icons/ (commit the PNGs)."""
    from .icons import write_icons

    for name, size in write_icons(f"{current_app.static_folder}/icons", font):
        click.echo(f"{name}: {size} bytes")
