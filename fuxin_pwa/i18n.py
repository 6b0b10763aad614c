"""Languages: Chinese (zh_CN, the source language and default) and English.

The Chinese text is the msgid, so zh_CN needs no catalog and can never show an untranslated
English string; fuxin_pwa/translations/en/LC_MESSAGES/messages.po translates it to English.
`?lang=en` (or `?lang=zh_CN`) on any URL switches, and the choice is kept in the session.

In Python: `lazy_gettext as _l` for what is made at import time (form labels, validator
messages, label dicts), `gettext as _` inside request code. In templates: `{{ _('…') }}`."""
import functools
from urllib.parse import urlencode

from babel import support
from flask import Flask, Request, g, has_request_context, request, session
from flask_babel import force_locale, get_locale, gettext
from wtforms.i18n import messages_path

LANGUAGES = ("zh_CN", "en")
DEFAULT = "zh_CN"
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}  # each in its own language: never translated


def select_locale() -> str:
    """zh_CN unless the person chose English (?lang=en, remembered in the session)."""
    if not has_request_context():  # the CLI, or a test reading a label between requests
        return DEFAULT
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    return session.get("lang", DEFAULT)


def is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def zh(text) -> str:
    """The Chinese text of a label (its msgid) whatever the language of the request: what
    import files are written in and what is stored in the database."""
    with force_locale(DEFAULT):
        return str(text)


def join_list(items) -> str:
    """万科社区、盐场社区 in Chinese; 'A, B' in English."""
    return gettext("、").join(str(item) for item in items)


def lang_url(code: str) -> str:
    """This page in another language: the same path and query, with lang= set."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return request.path + "?" + urlencode(args, doseq=True)


@functools.cache
def _wtforms_catalog(locale: str):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class I18nRequest(Request):
    """Flask-WTF reads WTForms' own messages (a field's default label, a built-in validator's
    message) from `request.wtforms_translations`, and when it finds none there loads the
    catalog from disk again: once for every request that builds a form, a millisecond each
    of a sync. Here the attribute is the catalog of the request's language, read once a
    process."""

    @functools.cached_property
    def wtforms_translations(self):
        return _wtforms_catalog(str(get_locale()))


def init_i18n(app: Flask) -> None:
    app.request_class = I18nRequest
    @app.before_request
    def _choose_language():
        # Remember ?lang= even on a request that translates nothing (a redirect to login),
        # and forget the language worked out for an earlier request: Flask-Babel keeps it
        # on `g`, which a test client (or any code that pushes one app context around
        # several requests) shares between requests.
        g.pop("_flask_babel", None)
        wanted = request.args.get("lang")
        if wanted in LANGUAGES:  # only then: reading the session would add Vary: Cookie to every answer
            session["lang"] = wanted

    @app.teardown_request
    def _forget_language(_exc=None):
        g.pop("_flask_babel", None)

    app.jinja_env.globals.update(lang_url=lang_url, language_names=LANGUAGE_NAMES, is_english=is_english, zh=zh)
