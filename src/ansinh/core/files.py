"""Uploaded files: checked on the way in, served only through the user's scope on the way out.

Uploads (supervision documents, communication materials, photos of community models) live
under MEDIA_ROOT, which is never published: `MEDIA_URL` is not routed and a deployment must not
serve it. Every download goes through a view that calls `scoped_file_response`, so a file is
reachable exactly when its owning record is (out of scope: 404, like every page), and each
download leaves a *view* audit event.

    @login_required
    def document_download(request, pk):
        return scoped_file_response(request, SupervisionDocument.objects, pk=pk)
"""

from __future__ import annotations

import mimetypes

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from .audit import audit_view
from .scoping import get_scoped_or_404

DOCUMENT_EXTENSIONS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt"})
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp"})
# Only these are ever shown inline (in an <img>); everything else is a download, so an
# uploaded file can never run as a page of this site.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def file_extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def validate_upload(file, *, extensions, max_bytes: int, field: str = "file") -> None:
    """Refuse a file of another type or larger than `max_bytes` (message in Vietnamese)."""
    if file is None:
        raise ValidationError({field: _("Vui lòng chọn tệp.")})
    if file_extension(file.name or "") not in extensions:
        allowed = ", ".join(sorted(extensions)).upper()
        raise ValidationError(
            {
                field: _("Định dạng tệp không được chấp nhận (chỉ nhận %(allowed)s).")
                % {"allowed": allowed}
            }
        )
    if file.size > max_bytes:
        megabytes = max_bytes // (1024 * 1024)
        raise ValidationError({field: _("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": megabytes}})


def scoped_file_response(
    request, queryset, *, pk: int, field: str = "file", action: str = "view", audit: bool = True
) -> FileResponse:
    """The file in `field` of the object `pk` of `queryset`, if `request.user` may see the
    object for `action`; otherwise 404. Images are served inline, anything else as an
    attachment; responses are never cached by shared caches."""
    obj = get_scoped_or_404(queryset, request.user, action, pk=pk)
    stored = getattr(obj, field)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    if audit:
        audit_view(actor=request.user, obj=obj)
    name = stored.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


__all__ = [
    "DOCUMENT_EXTENSIONS",
    "IMAGE_EXTENSIONS",
    "file_extension",
    "scoped_file_response",
    "validate_upload",
]
