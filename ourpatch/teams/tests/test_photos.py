"""Photo uploads: checked, resized, stripped of EXIF, shown with alt text."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from ourpatch.accounts.factories import StaffProfileFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.geography.factories import NeighbourhoodFactory
from ourpatch.teams.factories import TeamMemberFactory


def _jpeg(width=800, height=600, with_gps=True) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    if with_gps:
        exif[0x8825] = {2: (53.0, 48.0, 0.0), 4: (1.0, 32.0, 0.0)}  # GPSInfo: where it was taken
        exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    area = NeighbourhoodFactory()
    member = TeamMemberFactory(force=area.force, neighbourhoods=[area], name="Sam Patel")
    sergeant = StaffProfileFactory(
        role=StaffRole.SERGEANT, force=area.force, neighbourhoods=[area]
    ).user
    client = Client()
    client.force_login(sergeant)
    return area, member, client


def _post(client, member, upload, alt="Sam Patel smiling, in uniform"):
    return client.post(
        f"/staff/team/{member.pk}/edit/",
        {
            "name": member.name,
            "email": member.email,
            "languages": "English",
            "photo_alt": alt,
            "new_photo": upload,
        },
    )


def test_a_photo_is_resized_square_and_loses_its_exif(setup):
    area, member, client = setup
    original = _jpeg()
    assert Image.open(io.BytesIO(original)).getexif()  # the upload carries a location
    response = _post(client, member, SimpleUploadedFile("me.jpg", original, "image/jpeg"))
    assert response.status_code == 302
    member.refresh_from_db()
    with member.photo.open("rb") as f, Image.open(f) as stored:
        assert stored.size == (480, 480)
        assert stored.format == "JPEG"
        assert not stored.getexif()
    page = Client().get(f"/neighbourhoods/{area.force_id}/{area.code}/").content.decode()
    assert f'src="{member.photo.url}"' in page
    assert 'alt="Sam Patel smiling, in uniform"' in page


@pytest.mark.parametrize(
    ("upload", "says"),
    [
        (SimpleUploadedFile("x.jpg", b"not an image at all", "image/jpeg"), "not a photo"),
        (
            SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
            "not a photo",
        ),
        (SimpleUploadedFile("tiny.jpg", _jpeg(50, 50, False), "image/jpeg"), "at least 120"),
        (
            SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1), "image/jpeg"),
            "largest allowed is 5 MB",
        ),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(setup, upload, says):
    _, member, client = setup
    response = _post(client, member, upload)
    assert response.status_code == 200
    assert says in response.content.decode()
    member.refresh_from_db()
    assert not member.photo


def test_a_photo_needs_a_description(setup):
    _, member, client = setup
    response = _post(client, member, SimpleUploadedFile("me.jpg", _jpeg(), "image/jpeg"), alt="")
    assert "Describe the photo" in response.content.decode()
    member.refresh_from_db()
    assert not member.photo


def test_the_uploaded_photo_is_served_to_the_public(setup):
    _, member, client = setup
    _post(client, member, SimpleUploadedFile("me.jpg", _jpeg(), "image/jpeg"))
    member.refresh_from_db()
    response = Client().get(member.photo.url)
    assert response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (480, 480)
