"""Uploads in the admin are size- and type-checked, with a message instead of an error page.
(The CSV import's own checks are in tests/cohorts/test_csv_import.py.)"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model


def png(size=(40, 30), mode="RGB"):
    buffer = io.BytesIO()
    PILImage.new(mode, size).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_image(admin_client, name, content):
    return admin_client.post(
        reverse("wagtailimages:add"), {"title": "Portrait", "file": SimpleUploadedFile(name, content)}
    )


def errors(response):
    return " ".join(str(error) for error in response.context["form"].errors.get("file", []))


@pytest.fixture
def english_admin(admin_client, consultant):
    consultant.language = "en"  # the consultant reads the admin in German otherwise
    consultant.save(update_fields=["language"])
    return admin_client


@pytest.mark.django_db
def test_a_small_photo_is_accepted(english_admin):
    response = upload_image(english_admin, "portrait.png", png())

    assert response.status_code == 302
    assert get_image_model().objects.filter(title="Portrait").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # SVG can carry script: not an image type we take.
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "Not a supported"),
        ("page.html", b"<html><script>alert(1)</script></html>", "Not a supported"),
        ("portrait.png", b"<html><script>alert(1)</script></html>", "Not a valid .png image"),
        # A GIF named .png: the content decides, not the name.
        ("portrait.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "does not match the file format"),
    ],
)
def test_files_that_are_not_the_images_they_claim_are_refused(english_admin, name, content, message):
    response = upload_image(english_admin, name, content)

    assert response.status_code == 200
    assert message in errors(response)
    assert not get_image_model().objects.exists()


@pytest.mark.django_db
def test_a_file_over_ten_megabytes_is_refused(english_admin):
    response = upload_image(english_admin, "huge.png", png() + b"\0" * (10 * 1024 * 1024))

    assert response.status_code == 200
    assert "This file is too big" in errors(response)
    assert not get_image_model().objects.exists()


@pytest.mark.django_db
def test_a_decompression_bomb_is_refused_before_it_is_decoded(english_admin):
    # 48 million one-bit pixels: a few kilobytes on disk, hundreds of megabytes once decoded.
    bomb = png(size=(8000, 6000), mode="1")
    assert len(bomb) < 100_000

    response = upload_image(english_admin, "bomb.png", bomb)

    assert response.status_code == 200
    assert "too many pixels" in errors(response)
    assert not get_image_model().objects.exists()


@pytest.mark.django_db
def test_documents_take_office_and_text_files_but_nothing_a_browser_would_run(english_admin):
    def upload_document(name, content):
        return english_admin.post(
            reverse("wagtaildocs:add"), {"title": name, "file": SimpleUploadedFile(name, content)}
        )

    assert upload_document("handout.pdf", b"%PDF-1.4\n%%EOF\n").status_code == 302
    refused = upload_document("handout.html", b"<script>alert(1)</script>")
    assert refused.status_code == 200
    assert "File extension" in " ".join(str(e) for e in refused.context["form"].errors.get("file", []))
