"""/api/v1/applications: file, upload, submit, withdraw, revise, claim, release and decide."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest.fields import Upload
from marshmallow import Schema
from marshmallow import ValidationError as MarshmallowError

from ipr_apps.api.auth import api_user, token_required
from ipr_apps.api.examples import CREATE_EXAMPLE, DECISION_EXAMPLE, PATCH_EXAMPLE
from ipr_apps.api.parsing import Blueprint
from ipr_apps.api.schemas import (
    ApplicationCreateSchema,
    ApplicationPageSchema,
    ApplicationPatchSchema,
    ApplicationSchema,
    DecisionInSchema,
    DocumentSchema,
    ListQuerySchema,
    SubmitSchema,
    UploadSchema,
    error_documenter,
)
from ipr_apps.errors import ValidationError
from ipr_apps.models import Application, Role
from ipr_apps.services import documents, filing, listings, review, revise
from ipr_apps.services.access import get_application
from ipr_apps.services.content import CHILDREN, children_dicts, holder_dict, right_dict

# The OpenAPI document is for developers and stays in English (so do the descriptions below).
DESCRIPTION = "Applications for recordation and their workflow."
blp = Blueprint("applications", __name__, url_prefix="/api/v1/applications",
                description=DESCRIPTION)  # fmt: skip
ANY = (Role.HOLDER, Role.REVIEWER, Role.ADMIN)  # officers' tokens: 403


class _RequiredUpload(Upload):
    """An upload whose "missing" message is worded when it is raised (reader's language):
    marshmallow wants plain strings in `error_messages`."""

    def make_error(self, key: str, **kwargs) -> MarshmallowError:
        if key == "required":
            return MarshmallowError(
                _("Choose a file to upload: send it as the multipart field 'file'.")
            )
        return super().make_error(key, **kwargs)


class FileSchema(Schema):
    file = _RequiredUpload(required=True)


class DocumentUploadSchema(UploadSchema):
    """The upload's whole multipart body, for the document only: webargs reads `doc_type`
    (form) and `file` (files) with two schemas, and flask-smorest would document only the last."""

    file = Upload(required=True, metadata={"description": "PDF, JPEG or PNG, ≤ 10 MB"})


MULTIPART = "multipart/form-data"


ERRORS = {
    400: "Malformed request (the body is not valid JSON).",
    401: "No valid bearer token.", 403: "Your role may not do this.",
    404: "No such application (or not yours).", 409: "Not allowed in the current state.",
    413: "Request body or upload too large.", 422: "Invalid input (`fields` says which).",
}  # fmt: skip
documented = error_documenter(blp, ERRORS)


def to_api(application: Application) -> dict:
    recordation = application.recordation
    return {
        **{c: getattr(application, c) for c in ("id", "reference", "ipr_type", "status",
                                                 "duplicate_flag", "created_at", "due_on",
                                                 "first_submitted_at", "decided_at")},
        "holder": holder_dict(application),
        "right": right_dict(application),
        **{name: children_dicts(application, name) for name in CHILDREN},
        "revises_id": application.revises_id,
        "recordation_number": recordation.number if recordation else None,
        "valid_until": recordation.valid_until if recordation else None,
        "decision": application.decision,
        "information_requests": application.information_requests,
        "kind": application.kind,
    }  # fmt: skip


@blp.route("", methods=["POST"])
@token_required(Role.HOLDER)
@blp.arguments(ApplicationCreateSchema, example=CREATE_EXAMPLE)
@blp.response(201, ApplicationSchema)
@documented(400, 401, 403, 413, 422)
def create(data: dict):
    """Create a draft (holder or agent); only `ipr_type` is required."""
    ipr_type = data.pop("ipr_type")
    holder_org_id = data.pop("holder_org_id", None)
    return to_api(filing.create_draft(api_user(), ipr_type, data, holder_org_id))


@blp.route("", methods=["GET"])
@token_required(*ANY)
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, ApplicationPageSchema)
@documented(401, 403, 422)
def list_applications(query: dict):
    """Your applications (holders) or all of them (reviewers, admins), newest first."""
    page = listings.api_page(api_user(), query.get("status"), query.get("ipr_type"),
                             query.get("cursor"), query["limit"])  # fmt: skip
    return {"items": [to_api(a) for a in page.items], "next": page.next_cursor}


@blp.route("/<int:application_id>", methods=["GET"])
@token_required(*ANY)
@blp.response(200, ApplicationSchema)
@documented(401, 403, 404)
def get(application_id: int):
    """The full application, with its decision and recordation once decided."""
    return to_api(get_application(api_user(), application_id))


@blp.route("/<int:application_id>", methods=["PATCH"])
@token_required(Role.HOLDER)
@blp.arguments(ApplicationPatchSchema, example=PATCH_EXAMPLE)
@blp.response(200, ApplicationSchema)
@documented(400, 401, 403, 404, 409, 413, 422)
def patch(data: dict, application_id: int):
    """Change a draft (or an application whose information was requested)."""
    return to_api(filing.update_draft(api_user(), application_id, data))


@blp.route("/<int:application_id>/documents", methods=["POST"])
@token_required(Role.HOLDER)
@blp.arguments(UploadSchema, location="form")
@blp.arguments(FileSchema, location="files")
@blp.doc(requestBody={"required": True, "content": {MULTIPART: {"schema": DocumentUploadSchema}}})
@blp.response(201, DocumentSchema)
@documented(401, 403, 404, 409, 413, 422)
def upload(form: dict, files: dict, application_id: int):
    """Attach a PDF, JPEG or PNG (≤ 10 MB, ≤ 20 per application).

    The file is parsed whole: a PDF that is encrypted, holds JavaScript or embedded files, or
    has data after its end, and an image that does not decode or has data after its end, is
    refused with 422 and a message in `fields.file`. Images are stored re-encoded, without
    EXIF metadata. The stored name ends in the type found in the content."""
    upload = files["file"]
    return documents.attach(api_user(), application_id, form["doc_type"], upload, upload.filename)


@blp.route("/<int:application_id>/documents", methods=["GET"])
@token_required(*ANY)
@blp.response(200, DocumentSchema(many=True))
@documented(401, 403, 404)
def list_documents(application_id: int):
    """The documents attached to the application."""
    return documents.list_for(api_user(), application_id)


@blp.route("/<int:application_id>/submit", methods=["POST"])
@token_required(Role.HOLDER)
@blp.arguments(SubmitSchema, required=False)
@blp.response(200, ApplicationSchema)
@documented(400, 401, 403, 404, 409, 413, 422)
def submit(data: dict | None, application_id: int):
    """Submit (or resubmit after an information request, with `response`)."""
    response = (data or {}).get("response")
    return to_api(filing.submit(api_user(), application_id, response=response).application)


@blp.route("/<int:application_id>/withdraw", methods=["POST"])
@token_required(Role.HOLDER)
@blp.response(200, ApplicationSchema)
@documented(401, 403, 404, 409)
def withdraw(application_id: int):
    """Withdraw an application that is not decided yet."""
    return to_api(filing.withdraw(api_user(), application_id))


@blp.route("/<int:application_id>/revise", methods=["POST"], endpoint="revise")
@token_required(Role.HOLDER)
@blp.response(201, ApplicationSchema)
@documented(401, 403, 404, 409)
def revise_again(application_id: int):
    """Revise and file again: a new draft copying a rejected or withdrawn application.

    Everything it filed is copied (documents as new files), of the same kind and for the same
    recordation; `revises_id` links the new draft to it. 409 when the application is not
    rejected or withdrawn, when a renewal or amendment's recordation is no longer in force,
    or (code `revision_exists`) while an earlier revision of it is open or approved."""
    return to_api(revise.revise(api_user(), application_id))


@blp.route("/<int:application_id>/claim", methods=["POST"])
@token_required(Role.REVIEWER)
@blp.response(200, ApplicationSchema)
@documented(401, 403, 404, 409)
def claim(application_id: int):
    """Claim an unclaimed application (409 when another reviewer was faster)."""
    return to_api(review.claim(api_user(), application_id))


@blp.route("/<int:application_id>/release", methods=["POST"])
@token_required(Role.REVIEWER, Role.ADMIN)
@blp.response(200, ApplicationSchema)
@documented(401, 403, 404, 409)
def release(application_id: int):
    """Put a claimed application back in the unclaimed queue."""
    return to_api(review.release(api_user(), application_id))


@blp.route("/<int:application_id>/decision", methods=["POST"])
@token_required(Role.REVIEWER)
@blp.arguments(DecisionInSchema, example=DECISION_EXAMPLE)
@blp.response(200, ApplicationSchema)
@documented(400, 401, 403, 404, 409, 413, 422)
def decide(data: dict, application_id: int):
    """Approve, reject (reason + reason_codes) or request information (reason) — claimant only."""
    try:
        return to_api(_decide(api_user(), application_id, data))
    except ValidationError as error:  # the services call the reason `message`
        if "message" in error.fields:
            error.fields["reason"] = error.fields.pop("message")
        raise


def _decide(user, application_id: int, data: dict):
    outcome, reason = data["outcome"], data.get("reason") or ""
    if outcome == "approve":
        return review.approve(user, application_id)
    if outcome == "reject":
        return review.reject(user, application_id, data.get("reason_codes") or [], reason)
    return review.request_info(user, application_id, reason, data.get("reply_by"))
