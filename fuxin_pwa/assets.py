"""Static files for slow, metered phone connections: content-hashed URLs cached for a year,
and gzip for text.

`static_url("css/app.css")` (in web.py) gives `/static/css/app.css?v=<hash of the file>`. A versioned
URL names one exact content, so it is served `immutable` and a phone never asks for it
again; a release changes the hash, hence the URL. Plain `url_for('static', ...)` keeps
working with Flask's default (`no-cache`, revalidated by ETag).

Compression is done here, in an after_request, rather than with precompressed `.gz` files:
nothing to build or forget on deploy, and the gzip of a static file is kept in memory, so
each one is compressed once per process. A reverse proxy that compresses sees
`Content-Encoding` already set and leaves the body alone.

Scripts and stylesheets are minified before that (rjsmin and rcssmin: comments and
whitespace only, nothing renamed). The sources keep their comments that say why, which are
a third of their gzipped bytes; a phone on one bar of signal never needs them. Only the
compressed answer is minified, which every browser asks for; a client that takes no gzip
gets the file as it is on disk."""
import gzip
import hashlib
import os
from functools import lru_cache

import rcssmin
import rjsmin
from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

HASH_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
GZIP_MIN_BYTES = 1024  # below this the gzip header and a round of CPU are not worth it
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript",
    "application/json", "application/manifest+json", "image/svg+xml",
})


class ContentHashes:
    """Short content hashes of the files under one folder.

    A file is read again only when its size or modification time changes, so the
    development server picks up edits and production reads each file once."""

    def __init__(self, root: str):
        self.root = root
        self._known: dict[str, tuple[tuple[int, int], str]] = {}

    def of(self, filename: str) -> str | None:
        path = safe_join(self.root, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        known = self._known.get(filename)
        if known and known[0] == key:
            return known[1]
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()[:HASH_LENGTH]
        self._known[filename] = (key, digest)
        return digest

    def files(self, suffixes: tuple[str, ...], under: str = "") -> list[str]:
        """Relative paths (with `/`) of the files ending in one of `suffixes`, sorted."""
        found = []
        for folder, _dirs, names in os.walk(os.path.join(self.root, under)):
            for name in names:
                if name.endswith(suffixes):
                    found.append(os.path.relpath(os.path.join(folder, name), self.root).replace(os.sep, "/"))
        return sorted(found)


def static_hashes() -> ContentHashes:
    return current_app.extensions["fuxin_static_hashes"]


# A licence comment (/*! … */) stays; a vendored `.min.` file is sent as its makers built it.
MINIFIERS = {"text/javascript": rjsmin.jsmin, "application/javascript": rjsmin.jsmin, "text/css": rcssmin.cssmin}


@lru_cache(maxsize=64)
def _gzip_static(body: bytes, minify_as: str | None) -> bytes:
    minify = MINIFIERS.get(minify_as)
    if minify is not None:
        body = minify(body.decode("utf-8"), keep_bang_comments=True).encode("utf-8")
    return gzip.compress(body, compresslevel=9, mtime=0)


def _wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def compress(response: Response) -> Response:
    """gzip a text response above GZIP_MIN_BYTES when the client accepts it."""
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (response.status_code != 200 or "Content-Encoding" in response.headers
            or not _wants_gzip()):
        return response
    is_static = request.endpoint == "static"
    if response.is_streamed and not is_static:
        return response  # a generator streams on purpose; buffering it would defeat that
    response.direct_passthrough = False  # a static file: read it so it can be compressed
    body = response.get_data()
    if len(body) <= GZIP_MIN_BYTES:
        return response
    minify_as = None if ".min." in request.path else response.mimetype
    response.set_data(_gzip_static(body, minify_as) if is_static
                      else gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)  # byte ranges would be of the file, not this body
    # The gzip body is not byte-identical to the file, so its ETag becomes weak; an
    # If-None-Match with it still matches (weak comparison) and answers 304.
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def cache_static(response: Response) -> Response:
    """A year, immutable, for a static URL whose `v` is the file's current hash. A stale
    `v` (an old page asking after a release) gets the new file with Flask's `no-cache`, so
    an old URL never pins new content."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    wanted = request.args.get("v")
    if wanted and wanted == static_hashes().of((request.view_args or {}).get("filename", "")):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


class StaticIsNotPersonal:
    """WSGI middleware: no `Vary: Cookie` on static files.

    Flask-Login reads the session on every request, so Flask marks every response
    `Vary: Cookie`, static files included; a browser then drops its cached copies whenever
    the session cookie changes, which it does at login, right before the first page that
    needs them. A static file is the same for everyone."""

    def __init__(self, wsgi_app, prefix: str):
        self.wsgi_app, self.prefix = wsgi_app, prefix

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(self.prefix):
            return self.wsgi_app(environ, start_response)

        def start(status, headers, exc_info=None):
            kept = []
            for name, value in headers:
                if name.lower() == "vary":
                    value = ", ".join(v.strip() for v in value.split(",") if v.strip().lower() != "cookie")
                    if not value:
                        continue
                kept.append((name, value))
            return start_response(status, kept, exc_info)

        return self.wsgi_app(environ, start)


def init_assets(app: Flask) -> None:
    app.extensions["fuxin_static_hashes"] = ContentHashes(app.static_folder)
    app.wsgi_app = StaticIsNotPersonal(app.wsgi_app, app.static_url_path + "/")

    @app.after_request
    def _static_and_gzip(response: Response) -> Response:
        return compress(cache_static(response))
