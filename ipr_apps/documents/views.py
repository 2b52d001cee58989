"""Document routes: thin wrappers around services.documents, which does every check."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, Response, abort, flash, redirect, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ipr_apps.documents.forms import MarkImageForm, UploadForm
from ipr_apps.errors import DomainError, NotFound
from ipr_apps.models import Role
from ipr_apps.security import role_required
from ipr_apps.services import documents
from ipr_apps.services.access import get_application
from ipr_apps.services.document_names import name_for

bp = Blueprint("documents", __name__)
SIGNED_IN = (Role.HOLDER, Role.REVIEWER, Role.ADMIN)
T = TypeVar("T")

# A stored file runs no scripts. Images are shown by <img> and never framed; a PDF may be
# framed by our own pages only (the review page's viewer), nowhere else.
IMAGE_CSP = "default-src 'none'; img-src 'self'; sandbox"
PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
# Only these types (recognised by content at upload) are ever shown in the browser.
INLINE_CSP = {"image/jpeg": IMAGE_CSP, "image/png": IMAGE_CSP, "application/pdf": PDF_CSP}


@bp.app_context_processor
def _panel_helpers() -> dict:
    """What templates/documents/_panel.html needs besides the application."""
    return {
        "document_upload_form": lambda: UploadForm(formdata=None),
        "mark_image_form": lambda: MarkImageForm(formdata=None),
        "missing_documents": documents.missing_for,
        "earlier_documents": lambda application: documents.earlier_for(current_user, application),
        "document_limit": documents.limit,
        "human_size": documents.human_size,
    }


@bp.post("/applications/<int:application_id>/documents")
@role_required(*SIGNED_IN)
def upload(application_id: int):
    _or_404(lambda: get_application(current_user, application_id))
    form = UploadForm()
    if _valid(form):
        _attempt(
            lambda: documents.attach(
                current_user, application_id, form.doc_type.data, form.file.data,
                form.file.data.filename,
            ),
            _l("Document attached."),
        )  # fmt: skip
    return _back_to(application_id)


@bp.post("/applications/<int:application_id>/mark-image")
@role_required(*SIGNED_IN)
def mark_image(application_id: int):
    _or_404(lambda: get_application(current_user, application_id))
    form = MarkImageForm()
    if _valid(form):
        _attempt(
            lambda: documents.set_mark_image(
                current_user, application_id, form.file.data, form.file.data.filename
            ),
            _l("Mark image saved."),
        )
    return _back_to(application_id)


@bp.get("/documents/<int:document_id>")
@role_required(*SIGNED_IN, Role.OFFICER)  # officers: the mark images of recordations only
def download(document_id: int):
    document, path = _or_404(lambda: documents.get_for_download(current_user, document_id))
    csp = INLINE_CSP.get(document.content_type)
    response: Response = send_file(
        path,
        mimetype=document.content_type if csp else "application/octet-stream",
        as_attachment=csp is None or request.args.get("download") == "1",
        download_name=name_for(document.original_name, document.content_type),
        etag=document.sha256,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = csp or "default-src 'none'; sandbox"
    if csp == PDF_CSP:
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.post("/documents/<int:document_id>/delete")
@role_required(*SIGNED_IN)
def delete(document_id: int):
    application_id = _or_404(lambda: documents.get(current_user, document_id)).application_id
    _attempt(lambda: documents.remove(current_user, document_id), _l("Document removed."))
    return _back_to(application_id)


def _or_404(load: Callable[[], T]) -> T:
    try:
        return load()
    except NotFound:
        abort(404)


def _valid(form) -> bool:
    if form.validate():
        return True
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "danger")
    return False


def _attempt(action: Callable[[], object], success) -> None:
    """Run one service call: flash its outcome; 404 when the actor may not see the object."""
    try:
        action()
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(str(success), "success")


def _back_to(application_id: int):
    """Back where the form was: the application's page when it says so (`back=show`, a name,
    never a URL), else owners to the form (where the panel is) and staff to the read-only page."""
    from_page = request.form.get("back") == "show"
    endpoint = (
        "filing.edit" if current_user.role == Role.HOLDER and not from_page else "filing.show"
    )
    return redirect(url_for(endpoint, application_id=application_id))
