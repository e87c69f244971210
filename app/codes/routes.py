"""Code browser views: thin wrappers over the code-set browse and search services."""

from flask import jsonify, redirect, render_template, request, url_for
from markupsafe import Markup

from app.codes import bp
from app.codeset import browse
from app.codeset.load import current_release
from app.codeset.search import Results, search
from app.extensions import db
from app.kept import Kept
from app.models import CodeRelease
from app.permissions import public

# The code set changes only when another release is loaded: search results and code pages are made once per release
# and kept (a few hundred of each; never changed once made).
_results = Kept(256)


def _query() -> tuple[str, int]:
    page = request.args.get("page", 1, type=int) or 1
    return request.args.get("q", ""), min(max(page, 1), 500)


def _release_key(release: CodeRelease | None) -> tuple | None:
    """What the code set in force is known by: its database, release and load time (None: no code set loaded)."""
    return (str(db.engine.url), release.id, release.loaded_at) if release else None


def _found(release: CodeRelease | None, query: str, page: int, prefix: bool = False) -> Results:
    """The search's results, kept per release."""
    key = _release_key(release)
    if key is None:
        return search(query, page, prefix)
    return _results.get_or((*key, query, page, prefix), lambda: search(query, page, prefix))


@bp.route("")
@public
def index():
    """The chapters, or the results of a search (`?q=` a code, its beginning, or words)."""
    query, page = _query()
    release = current_release()
    results = _found(release, query, page) if query.strip() else None
    return render_template("codes/index.html", release=release, results=results,
                           chapters=browse.chapters() if results is None else [])


@bp.route("/search.json")
@public
def search_json():
    """Search results as JSON, for the page's script to show them while the learner types."""
    query, page = _query()
    results = _found(current_release(), query, page, prefix=request.args.get("typing") == "1")
    return jsonify(query=results.query, mode=results.mode, total=results.total, page=results.page, pages=results.pages,
                   expanded=results.expanded,
                   hits=[{"code": hit.code, "title": hit.title, "billable": hit.billable,
                          "url": url_for("codes.entry", code=hit.code)} for hit in results.hits])


# A code page's body: at most 128 of up to 16,000 characters, so a worker keeps no more than about 4 MB of them.
_bodies = Kept(128)
KEPT_LENGTH = 16_000


@bp.route("/<path:code>")
@public
def entry(code: str):
    """One chapter, block, category or code: title, whether billable, path, codes below, notes, 7th characters."""
    release = current_release()
    release_key = _release_key(release)
    key = (*release_key, code) if release_key else None
    kept = _bodies.get(key) if key else None
    if kept is None:
        found, wanted = browse.resolve(code)
        if found is None:
            return render_template("codes/missing.html", code=wanted, release=release), 404
        if found.code != code:
            return redirect(url_for("codes.entry", code=found.code))
        page = browse.page(found)
        title = f"{found.code} {found.title}"
        kept = (title, Markup(render_template("codes/_entry_body.html", page=page)))  # nosec B704 - an autoescaped template
        if key and len(kept[1]) <= KEPT_LENGTH:
            _bodies.put(key, kept)
    return render_template("codes/entry.html", title=kept[0], body=kept[1])
