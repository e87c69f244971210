"""Code browser views: thin wrappers over the code-set browse and search services."""

from flask import jsonify, redirect, render_template, request, url_for

from app.codes import bp, pages
from app.codeset import browse
from app.codeset.load import current_release
from app.permissions import public


def _query() -> tuple[str, int]:
    page = request.args.get("page", 1, type=int) or 1
    return request.args.get("q", ""), min(max(page, 1), 500)


@bp.route("")
@public
def index():
    """The chapters, or the results of a search (`?q=` a code, its beginning, or words)."""
    query, page = _query()
    release = current_release()
    results = pages.found(release, query, page) if query.strip() else None
    return render_template("codes/index.html", release=release, results=results,
                           chapters=browse.chapters() if results is None else [])


@bp.route("/search.json")
@public
def search_json():
    """Search results as JSON, for the page's script to show them while the learner types."""
    query, page = _query()
    results = pages.found(current_release(), query, page, prefix=request.args.get("typing") == "1")
    return jsonify(query=results.query, mode=results.mode, total=results.total, page=results.page, pages=results.pages,
                   expanded=results.expanded,
                   hits=[{"code": hit.code, "title": hit.title, "billable": hit.billable,
                          "url": url_for("codes.entry", code=hit.code)} for hit in results.hits])


@bp.route("/<path:code>")
@public
def entry(code: str):
    """One chapter, block, category or code: title, whether billable, path, codes below, notes, 7th characters."""
    release = current_release()
    page = pages.kept_entry(release, code)
    if page is None:
        found, wanted = browse.resolve(code)
        if found is None:
            return render_template("codes/missing.html", code=wanted, release=release), 404
        if found.code != code:
            return redirect(url_for("codes.entry", code=found.code))
        page = pages.entry(release, found)
    return render_template("codes/entry.html", title=page.title, body=page.body)
