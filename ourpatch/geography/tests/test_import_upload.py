"""The staff upload screen runs the same imports as the CLI."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ourpatch.accounts.factories import StaffProfileFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.geography.factories import ForceFactory
from ourpatch.geography.models import Neighbourhood, Postcode

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def admin_client(db):
    force = ForceFactory(id="west-yorkshire")
    admin = StaffProfileFactory(role=StaffRole.FORCE_ADMIN, force=force).user
    client = Client()
    client.force_login(admin)
    return client


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/octet-stream")


def test_a_check_changes_nothing_and_an_import_commits(admin_client):
    data = (FIXTURES / "boundaries.geojson").read_bytes()
    checked = admin_client.post(
        "/staff/imports/", {"kind": "boundaries", "file": _upload("b.geojson", data)}
    )
    assert checked.status_code == 200
    assert "Checked: nothing was changed" in checked.content.decode()
    assert Neighbourhood.objects.count() == 0
    done = admin_client.post(
        "/staff/imports/",
        {"kind": "boundaries", "file": _upload("b.geojson", data), "commit": "on"},
    )
    assert done.status_code == 200 and "Imported" in done.content.decode()
    assert Neighbourhood.objects.filter(force_id="west-yorkshire").count() > 0


def test_a_zip_of_kml_files_is_a_folder_import(admin_client):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for kml in sorted((FIXTURES / "kml").glob("*.kml")):
            zipped.write(kml, arcname=f"../../{kml.name}")  # no escaping the folder
    response = admin_client.post(
        "/staff/imports/",
        {"kind": "boundaries", "file": _upload("wy.zip", archive.getvalue()), "commit": "on"},
    )
    assert response.status_code == 200, response.content.decode()
    assert set(Neighbourhood.objects.values_list("code", flat=True)) == {"NH1", "NH2", "NH3"}


def test_postcodes_upload(admin_client):
    data = (FIXTURES / "onspd.csv").read_bytes()
    response = admin_client.post(
        "/staff/imports/",
        {"kind": "postcodes", "file": _upload("onspd.csv", data), "commit": "on"},
    )
    assert response.status_code == 200, response.content.decode()
    assert Postcode.objects.count() > 0


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("bomb.kml", (FIXTURES / "billion_laughs.kml").read_bytes(), "Refused"),
        ("bad.geojson", (FIXTURES / "bad_boundaries.geojson").read_bytes(), "Refused"),
        ("broken.zip", b"PK\x03\x04 this is not a zip", "not a readable zip file"),
    ],
)
def test_bad_files_are_refused_with_reasons_and_nothing_imported(admin_client, name, content, says):
    response = admin_client.post(
        "/staff/imports/", {"kind": "boundaries", "file": _upload(name, content), "commit": "on"}
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert Neighbourhood.objects.count() == 0


def test_an_oversized_upload_is_refused_before_it_is_read(admin_client):
    response = admin_client.generic(
        "POST",
        "/staff/imports/",
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH=str(201 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "the limit is 200 MB" in response.content.decode()


def test_the_upload_needs_its_csrf_token(db):
    force = ForceFactory(id="west-yorkshire")
    admin = StaffProfileFactory(role=StaffRole.FORCE_ADMIN, force=force).user
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post(
        "/staff/imports/", {"kind": "boundaries", "file": _upload("b.geojson", b"{}")}
    )
    assert response.status_code == 403


def test_the_ons_areas_lookup_is_uploaded_like_the_others(admin_client):
    from ourpatch.geography.models import LSOA

    lookup = (
        "\ufeffOA21CD,LSOA21CD,LSOA21NM,MSOA21CD,MSOA21NM,LAD22CD,LAD22NM\r\n"
        "E00056750,E01011229,Leeds 001A,E02002330,Leeds 001,E08000035,Leeds\r\n"
        "E00056751,E01011229,Leeds 001A,E02002330,Leeds 001,E08000035,Leeds\r\n"
    ).encode()
    checked = admin_client.post(
        "/staff/imports/", {"kind": "areas", "file": _upload("oa-lookup.csv", lookup)}
    )
    assert checked.status_code == 200 and not LSOA.objects.exists()
    done = admin_client.post(
        "/staff/imports/",
        {"kind": "areas", "file": _upload("oa-lookup.csv", lookup), "commit": "on"},
    )
    assert done.status_code == 200, done.content.decode()
    lsoa = LSOA.objects.select_related("msoa__local_authority").get()
    assert (lsoa.code, lsoa.msoa.code, lsoa.msoa.local_authority.name) == (
        "E01011229",
        "E02002330",
        "Leeds",
    )
    bad = admin_client.post(
        "/staff/imports/",
        {"kind": "areas", "file": _upload("bad.csv", b"LSOA21CD,LSOA21NM\nX1,Nowhere\n")},
    )
    assert bad.status_code == 400 and "LSOA21CD" in bad.content.decode()
