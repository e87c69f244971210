"""Admin views of the audit trail: the filtered page and its CSV export."""

from flask import Response, render_template, request
from flask_login import current_user

from app.admin import bp
from app.permissions import roles_required
from app.services import audit, audit_log, exports

PAGE_SIZE = 50
FILTERS = ("action", "person", "start", "end")


def _filters() -> dict[str, str]:
    """The page's filters from the query string, each cut to 100 characters."""
    return {key: request.args.get(key, "").strip()[:100] for key in FILTERS}


@bp.route("/audit")
@roles_required("admin")
def audit_trail():
    """The audit trail, newest first, filtered by action (chosen from those recorded), person and dates."""
    filters = _filters()
    page = audit_log.page(request.args.get("page", 1, type=int), PAGE_SIZE, **filters)
    people = audit_log.names([e.actor_id for e in page.items] + [e.subject_id for e in page.items])
    return render_template("admin/audit.html", page=page, filters=filters, people=people,
                           groups=audit_log.action_groups(audit_log.actions()), export_max=audit_log.EXPORT_MAX,
                           export_filters={key: value for key, value in filters.items() if value})


@bp.route("/audit.csv")
@roles_required("admin")
def audit_csv():
    """The events matching the page's filters (every page, newest first) as CSV; the export is itself audited."""
    filters = _filters()
    audit.record("audit.export", current_user, target="audit", events=min(audit_log.count(**filters), audit_log.EXPORT_MAX),
                 filters={key: value for key, value in filters.items() if value})
    # Read inside the request, so the rows come from the request's own transaction and session.
    lines = list(exports.csv_lines(audit_log.EXPORT_HEADER, audit_log.export_rows(**filters)))
    return Response(lines, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'})
