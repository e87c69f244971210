"""The source document of the course, open to everyone."""

from pathlib import Path

from flask import abort, current_app, render_template

from app.content.source_article import read_article
from app.learn import bp
from app.permissions import public


@bp.route("/source")
@public
def source_article():
    """The 2010 job description the lessons quote, each passage beside the reading the course teaches."""
    article, _ = read_article(Path(current_app.config["CONTENT_DIR"]))
    if article is None:
        abort(404)
    return render_template("learn/source.html", article=article)
