"""Entry point for `flask run` and gunicorn (`gunicorn wsgi:app`)."""
from fuxin_pwa import create_app

app = create_app()
