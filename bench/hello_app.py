"""The ceiling bench/throughput.py measures against: a bare Flask "hello", served by the same
gunicorn settings as the app (`gunicorn -c gunicorn.conf.py bench.hello_app:app`)."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
