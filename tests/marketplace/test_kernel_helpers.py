"""The kernel's shared helpers: upload checks, made-up identifiers, error messages for views."""

import datetime as dt
import hashlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.cn import ric, uscc

from marketplace import uploads
from marketplace.feedback import error_messages, error_text
from marketplace.identifiers import make_resident_id, make_uscc

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def refusal(*args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        uploads.check_upload(*args, **kwargs)
    return exc.value


def test_the_content_decides_the_type_not_the_name():
    checked = uploads.check_upload(SimpleUploadedFile("scan.exe", PNG), uploads.PDF_OR_IMAGE, keep_data=True)
    assert (checked.content_type, checked.ext, checked.size) == ("image/png", "png", len(PNG))
    assert checked.sha256 == hashlib.sha256(PNG).hexdigest() and checked.data == PNG
    error = refusal(SimpleUploadedFile("licence.pdf", b"<html><script>"), uploads.PDF_OR_IMAGE)
    assert error.code == "type" and "只接受 PDF、JPEG 或 PNG" in error.messages[0] and "only PDF" in error.messages[0]


def test_kept_names_must_match_the_content():
    checked = uploads.check_upload(SimpleUploadedFile("dir/成果.PDF", PDF), uploads.PDF_IMAGE_OR_ZIP, match_name=True)
    assert checked.meta() == {"name": "成果.PDF", "content_type": "application/pdf", "size": len(PDF),
                              "sha256": hashlib.sha256(PDF).hexdigest()}
    assert checked.data is None
    assert refusal(SimpleUploadedFile("成果.png", PDF), uploads.PDF_IMAGE_OR_ZIP, match_name=True).code == "extension"


def test_size_and_emptiness(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    assert refusal(SimpleUploadedFile("a.pdf", PDF + b"0" * 2000), uploads.PDF_ONLY).code == "size"
    assert refusal(SimpleUploadedFile("a.pdf", b""), uploads.PDF_ONLY).code == "empty"
    assert refusal(None, uploads.PDF_ONLY).code == "required"


def test_pdf_check_for_contracts():
    assert uploads.check_pdf(SimpleUploadedFile("c.pdf", b"\n " + PDF)).content_type == "application/pdf"
    assert "不是PDF" in refusal(SimpleUploadedFile("c.pdf", b"GIF89a"), uploads.PDF_ONLY).messages[0]
    with pytest.raises(ValidationError, match="PDF"):
        uploads.check_pdf(SimpleUploadedFile("c.docx", PDF))


def test_made_up_identifiers_are_valid_and_reproducible():
    assert make_uscc(1) == make_uscc(1) == "91330482MA0000001" + uscc.calc_check_digit("91330482MA0000001")
    assert make_uscc(7, "330402", "92", series="MB").startswith("92330402MB0000007")
    for serial in range(1, 200):
        code = make_uscc(serial)
        assert uscc.calc_check_digit(code[:17]) == code[17]
        rid = make_resident_id(serial, birth=dt.date(1975, 6, 15))
        assert rid.startswith("33048219750615") and ric.calc_check_digit(rid) == rid[-1]
    assert make_resident_id(3) == make_resident_id(3, "330482", "19800101")


class _Form(forms.Form):
    name = forms.CharField(label="名称")


def test_error_messages_of_a_refusal_and_of_a_form():
    error = ValidationError(["甲 / a", "乙 / b"])
    assert error_messages(error) == ["甲 / a", "乙 / b"]
    assert error_text(error) == "甲 / a; 乙 / b"
    form = _Form(data={})
    assert not form.is_valid()
    assert error_messages(form) == ["名称：" + str(form.errors["name"][0])]
