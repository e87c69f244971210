"""The ceiling of this stack: a bare Flask app serving a 10 KB template page and a one-row SQLite insert."""

import os
import sqlite3

from flask import Flask, render_template_string

PAGE = "<!doctype html><html><head><title>{{ title }}</title></head><body>{% for n in rows %}<p>{{ n }} {{ text }}</p>{% endfor %}</body></html>"
TEXT = "Medical billing and coding ceiling page text, the same length as a lesson paragraph."


def create_app() -> Flask:
    """The bare app: GET /page (about 10 KB of HTML) and POST /insert (one row, one transaction)."""
    app = Flask(__name__)
    database = os.environ["CEILING_DATABASE"]

    @app.get("/page")
    def page():
        return render_template_string(PAGE, title="Ceiling", rows=range(110), text=TEXT)

    @app.post("/insert")
    def insert():
        connection = sqlite3.connect(database, timeout=10, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO hits (note) VALUES (?)", ("hit",))
            connection.execute("COMMIT")
        finally:
            connection.close()
        return "", 204

    return app
