"""core.files: uploads checked by type and size; downloads through the scope, audited."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ansinh.core.files import IMAGE_EXTENSIONS, file_extension, validate_upload


def test_file_extension():
    assert file_extension("Bien.Ban.PDF") == "pdf"
    assert file_extension("khong-duoi") == ""


def test_validate_upload():
    ok = SimpleUploadedFile("anh.JPG", b"x" * 10)
    validate_upload(ok, extensions=IMAGE_EXTENSIONS, max_bytes=10)
    with pytest.raises(ValidationError) as error:
        validate_upload(ok, extensions=IMAGE_EXTENSIONS, max_bytes=9)
    assert "quá lớn" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as error:
        validate_upload(
            SimpleUploadedFile("a.svg", b"<svg/>"), extensions=IMAGE_EXTENSIONS, max_bytes=100
        )
    assert "JPEG, JPG, PNG, WEBP" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        validate_upload(None, extensions=IMAGE_EXTENSIONS, max_bytes=100, field="photo")


def test_no_template_links_an_upload_by_its_media_url():
    """Uploads are reached only through scoped views: no `{{ x.file.url }}` in any template."""
    import re
    from pathlib import Path

    import ansinh

    root = Path(ansinh.__file__).resolve().parent
    pattern = re.compile(r"\{\{[^}]*\.(file|evidence|photo|document|image)\.url")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
