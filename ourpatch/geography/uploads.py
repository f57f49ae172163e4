"""Staff uploads of import files: saved to a private temporary place, then handed to the
very same import functions the CLI calls."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.core.files.uploadedfile import UploadedFile

from ourpatch.geography.imports import MAX_FILE_BYTES


class BadUpload(ValueError):
    """An upload we will not unpack; the message says why."""


@contextmanager
def staged(upload: UploadedFile, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Path]:
    """The upload as a path: a file, or for a .zip of KML files a folder of them."""
    name = PurePosixPath(upload.name or "upload").name
    with tempfile.TemporaryDirectory(prefix="ourpatch-upload-") as folder:
        target = Path(folder) / name
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        if name.lower().endswith(".zip"):
            yield _unzip_kml(target, Path(folder) / "kml", max_bytes)
        else:
            yield target


def _unzip_kml(archive: Path, into: Path, max_bytes: int) -> Path:
    """Only .kml members, no paths, and no more than the size limit once unpacked."""
    into.mkdir()
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if m.filename.lower().endswith(".kml")]
            if not members:
                raise BadUpload(f"{archive.name}: the zip holds no .kml files")
            total = sum(m.file_size for m in members)
            if total > max_bytes:
                raise BadUpload(
                    f"{archive.name}: unpacks to {total // 2**20} MB; "
                    f"the limit is {max_bytes // 2**20} MB"
                )
            for member in members:
                # the file's own name only: "../x.kml" or "/etc/x.kml" cannot escape
                with (
                    zipped.open(member) as source,
                    (into / PurePosixPath(member.filename).name).open("wb") as out,
                ):
                    shutil.copyfileobj(source, out)
    except (zipfile.BadZipFile, EOFError) as error:
        raise BadUpload(f"{archive.name}: not a readable zip file ({error})") from None
    return into
