"""The demo's drawn portraits: small, deterministic, described, and never written twice."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pytest_django.fixtures import Settings

from ourpatch.demo.builder import District, KindCount, MemberPlan, _sync_portraits
from ourpatch.demo.names import Person
from ourpatch.demo.portraits import SIZE, portrait_alt, portrait_png
from ourpatch.geography.factories import ForceFactory
from ourpatch.geography.models import Force
from ourpatch.teams.factories import TeamMemberFactory
from ourpatch.teams.models import Role, TeamMember


def test_a_portrait_is_a_small_square_png_the_same_every_time() -> None:
    data = portrait_png("4607", Role.CONSTABLE)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == (SIZE, SIZE)
        assert 120 <= SIZE <= 200
    assert len(data) < 4000
    assert portrait_png("4607", Role.CONSTABLE) == data
    # Colleagues differ, and a PCSO's cap band is not an officer's
    looks = {portrait_png(str(n), Role.CONSTABLE) for n in range(4000, 4020)}
    assert len(looks) > 10
    assert portrait_png("4607", Role.PCSO) != data


def test_the_description_names_the_member_and_says_it_is_a_drawing() -> None:
    alt = portrait_alt("Jane Smith", Role.PCSO)
    assert alt.startswith("Illustrated portrait of PCSO Jane Smith")
    assert "not a photo" in alt
    assert "in everyday clothes" in portrait_alt("Sam Patel", Role.COORDINATOR)
    for role in Role:  # within the field's 200 characters, however long the name
        long_name = "A" * 65 + " " + "B" * 65
        assert portrait_alt(long_name, role).endswith(f"{long_name} (a drawing)")
        assert len(portrait_alt("C" * 200, role)) == 200


def _plan(collar: str, role: Role = Role.PCSO, portrait: bool = True) -> MemberPlan:
    person = Person("Jane", "Smith", True, ("English",))
    district = District("E08000035", "Leeds")
    plan = MemberPlan(person, role, district, ["E02002330"], None, collar_number=collar)
    plan.portrait = portrait
    return plan


def _files(root: Path) -> dict[str, float]:
    return {str(p.relative_to(root)): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _sync(plans: list[MemberPlan], force: Force) -> KindCount:
    counts: dict[str, KindCount] = {}
    _sync_portraits(plans, force, counts)
    return counts["team photos"]


@pytest.mark.django_db
def test_members_get_a_portrait_as_their_photo_once(media: Path) -> None:
    force = ForceFactory()
    pcso = TeamMemberFactory(force=force, collar_number="11657", name="Khaled Mansour")
    volunteer = TeamMemberFactory(
        force=force, collar_number="V1420", role=Role.VOLUNTEER, name="Emeka Okonkwo"
    )
    unphotographed = TeamMemberFactory(force=force, collar_number="4123", role=Role.CONSTABLE)
    plans = [_plan("11657"), _plan("V1420", Role.VOLUNTEER), _plan("4123", portrait=False)]

    assert _sync(plans, force) == KindCount(2, 2)
    pcso.refresh_from_db()
    volunteer.refresh_from_db()
    unphotographed.refresh_from_db()
    # Stored as an upload is: under MEDIA_ROOT, in the field's folder
    assert pcso.photo.name == "team-photos/demo-portrait-11657.png"
    assert (media / pcso.photo.name).read_bytes() == portrait_png("11657", Role.PCSO)
    assert pcso.photo_alt.startswith("Illustrated portrait of PCSO Khaled Mansour")
    assert volunteer.photo.name == "team-photos/demo-portrait-v1420.png"
    assert "police support volunteer Emeka Okonkwo" in volunteer.photo_alt
    assert not unphotographed.photo and not unphotographed.photo_alt

    files = _files(media)
    assert len(files) == 2
    assert _sync(plans, force) == KindCount(0, 2)
    assert _files(media) == files


@pytest.mark.django_db
def test_a_removed_photo_stays_removed_and_an_existing_file_is_used_not_copied(
    media: Path,
) -> None:
    force = ForceFactory()
    # Removed while demonstrating: the description stays, so the rebuild leaves it be
    removed = TeamMemberFactory(force=force, collar_number="11657", photo_alt="Khaled, smiling")
    # A database built afresh into a data directory that already has the portrait
    existing = media / "team-photos" / "demo-portrait-10001.png"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(portrait_png("10001", Role.PCSO))
    fresh = TeamMemberFactory(force=force, collar_number="10001")
    # The same collar number given by hand to a second member: it never shares the file
    TeamMemberFactory(force=force, collar_number="10001")
    files = _files(media)

    assert _sync([_plan("11657"), _plan("10001")], force) == KindCount(1, 1)
    removed.refresh_from_db()
    fresh.refresh_from_db()
    assert not removed.photo
    assert fresh.photo.name == "team-photos/demo-portrait-10001.png"
    assert _files(media) == files
    assert TeamMember.objects.filter(photo="team-photos/demo-portrait-10001.png").count() == 1
