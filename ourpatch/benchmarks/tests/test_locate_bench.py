"""The locate benchmark's machinery, on a handful of shapes and points: it runs, its answers
are exact, and its RESULT line parses. Nothing is timed against a target here (the machine
running the tests may be busy); ``ourpatch bench locate`` is where the figures are."""

from __future__ import annotations

import datetime as dt
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from ourpatch.benchmarks import common, loadgen
from ourpatch.benchmarks.locate import (
    RESULT_KEYS,
    Sample,
    _parser,
    measure_in_process,
    measure_postcodes,
    rounds,
    skipped_http,
    summarise,
    typed_forms,
)
from ourpatch.benchmarks.national import (
    NationalAreas,
    _pack_wkb,
    _unpack_wkb,
    load_areas,
    save_areas,
)
from ourpatch.geography.locate import Area, BoxGrid, NeighbourhoodIndex
from ourpatch.geography.postcodes import normalise


def tricky_shapes() -> list[Polygon | MultiPolygon]:
    """Unit squares sharing edges (and the grid's cell edges), one with a hole, an empty
    one, a two-part area, and a late square overlapping two earlier ones."""
    shapes: list[Polygon | MultiPolygon] = []
    for row in range(3):
        for col in range(3):
            shapes.append(box(-2 + col, 50 + row, -1 + col, 51 + row))
    shapes[4] = shapes[4].difference(box(-0.8, 51.2, -0.2, 51.8))  # a hole in the middle
    shapes.insert(2, Polygon())  # empty: never matches
    shapes.append(MultiPolygon([box(1, 50, 1.5, 50.5), box(1.6, 52, 2, 53)]))
    shapes.append(box(-1.5, 50.5, -0.5, 51.5))  # overlaps: loses to the earlier ones
    return shapes


def brute_force(shapes: list[Polygon | MultiPolygon], xs: np.ndarray, ys: np.ndarray) -> list[int]:
    """The lowest index of a shape the point intersects (on the edge counts), or -1."""
    found = []
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        point = shapely.Point(x, y)
        hits = [i for i, s in enumerate(shapes) if s.intersects(point)]
        found.append(hits[0] if hits else -1)
    return found


def probe_points(shapes: list[Polygon | MultiPolygon]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    corners = shapely.get_coordinates(shapes)
    midpoints = (corners[:-1] + corners[1:]) / 2
    xs = np.concatenate(
        [rng.uniform(-2.5, 2.5, 1500), corners[:, 0], midpoints[:, 0], [np.nan, 40.0, -0.5]]
    )
    ys = np.concatenate(
        [rng.uniform(49.5, 53.5, 1500), corners[:, 1], midpoints[:, 1], [51.0, 51.0, np.nan]]
    )
    return xs, ys


@pytest.mark.parametrize("max_cells", [BoxGrid.MAX_CELLS, 3])
def test_lookups_are_exact_at_edges_holes_and_overlaps(monkeypatch, max_cells) -> None:
    monkeypatch.setattr(BoxGrid, "MAX_CELLS", max_cells)  # 3: a coarse grid, boxes span cells
    shapes = tricky_shapes()
    areas = [Area(i + 1, "test", f"N{i}", f"Area {i}") for i in range(len(shapes))]
    index = NeighbourhoodIndex(areas, shapes, day=dt.date.today())
    xs, ys = probe_points(shapes)
    expected = brute_force(shapes, xs, ys)

    assert index.locate_many(ys, xs).tolist() == expected
    singles = [index.locate(y, x) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]
    assert [a.neighbourhood_id - 1 if a else -1 for a in singles] == expected
    assert -1 in expected and expected.count(2) == 0  # some outside; the empty one never
    assert index.locate_many(np.array([]), np.array([])).tolist() == []


def test_an_index_of_nothing_finds_nothing() -> None:
    index = NeighbourhoodIndex([], [], day=dt.date.today())
    assert index.locate(51.0, -1.0) is None
    assert index.locate_many(np.array([51.0]), np.array([-1.0])).tolist() == [-1]


def small_areas() -> NationalAreas:
    shapes = [box(-2 + c, 50 + r, -1 + c, 51 + r) for r in range(2) for c in range(3)]
    return NationalAreas(
        codes=[f"E0200000{i}" for i in range(len(shapes))],
        names=[f"Somewhere {i:03d}" for i in range(len(shapes))],
        la_codes=["E06000001"] * len(shapes),
        populations=np.full(len(shapes), 8000, dtype=np.int64),
        shapes=np.array(shapes, dtype=object),
        lsoa_count=len(shapes) * 5,
        seconds=0.1,
        from_cache=False,
    )


def fake_postcodes(count: int) -> np.ndarray:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    codes = [
        f"Z{i % 9 + 1}{(i // 9) % 10} {(i // 90) % 10}{letters[i % 20]}{letters[(i // 20) % 20]}"
        for i in range(count)
    ]
    assert all(normalise(c) == c for c in codes)
    return np.array([c.encode("ascii") for c in codes], dtype="S8")


def test_the_in_process_figures_run_and_the_result_line_parses() -> None:
    args = _parser().parse_args(
        ["--points", "400", "--singles", "150", "--repeats", "2", "--postcodes", "300"]
    )
    areas = small_areas()
    rng = np.random.default_rng(1)
    sample = Sample(rng.uniform(50.01, 51.99, 400), rng.uniform(-1.99, 0.99, 400))
    lines: list[str] = []
    figures, index = measure_in_process(areas, sample, args, lines.append)
    assert len(index) == 6 and lines

    lats = np.concatenate([rng.uniform(50.01, 51.99, 500), [np.nan, 55.0]])
    lngs = np.concatenate([rng.uniform(-1.99, 0.99, 500), [np.nan, -1.0]])
    more, assigned = measure_postcodes(index, lats, lngs, fake_postcodes(502), args, lines.append)
    assert (assigned[:500] >= 0).all() and assigned[500:].tolist() == [-1, -1]
    figures += more + skipped_http("--skip-http")

    text = common.table(figures, title="bench")
    assert "points located per second" in text and "skipped" in text
    line = common.result_line(figures, first=RESULT_KEYS)
    values = common.parse_result(line)
    assert list(values)[: len(RESULT_KEYS)] == list(RESULT_KEYS)
    for key in ("point_per_s", "single_p99_us", "postcode_per_s", "postcode_assign_per_s"):
        assert values[key] > 0 and math.isfinite(values[key])
    assert all(math.isnan(values[k]) for k in ("http_rps", "http_p99_ms", "http_ratio"))


def test_typed_forms_all_normalise_back() -> None:
    postcodes = ["LS1 4AP", "WF10 5QE", "M1 1AE"] * 10
    typed = typed_forms(postcodes, np.random.default_rng(3))
    assert len(set(typed)) > 3
    assert [normalise(t) for t in typed] == postcodes


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status": "ok"}'
        self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_the_load_generator_counts_what_a_server_answers() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        report = loadgen.run_plan(
            {
                "port": server.server_address[1],
                "concurrency": 2,
                "targets": {"ok": ["/ok"], "missing": ["/nope", "/nor-this"]},
                "rounds": [["ok", 0.1, False], ["ok", 0.2, True], ["missing", 0.2, True]],
                "server_pids": [],
            }
        )
    finally:
        server.shutdown()
        server.server_close()
    ok, missing = summarise(report["ok"], 200), summarise(report["missing"], 200)
    assert ok.requests > 0 and ok.bad == 0 and ok.rps > 0 and ok.p99_ms >= ok.p50_ms > 0
    assert missing.requests > 0 and missing.bad == missing.requests
    assert "HTTP 404" in missing.detail
    assert len(report["ok"]["rounds"]) == 1  # the unrecorded warm-up is not counted


def test_the_http_rounds_alternate_and_add_up() -> None:
    plan = rounds(5.0)
    assert [name for name, _, _ in plan] == ["healthz", "locate"] * 3
    assert sum(s for name, s, _ in plan if name == "locate") == pytest.approx(5.0)


def test_result_lines_are_strict() -> None:
    assert common.parse_result("RESULT a=1 b_2=nan c=3.5") == {
        "a": 1.0,
        "b_2": pytest.approx(float("nan"), nan_ok=True),
        "c": 3.5,
    }
    for bad in ("a=1", "RESULT a", "RESULT a=1 a=2", "RESULT A=1"):
        with pytest.raises(ValueError):
            common.parse_result(bad)
    assert common.percentile([5, 1, 3, 2, 4], 99) == 5
    assert common.percentile(list(range(1, 101)), 50) == 50
    missed = common.Figure("x", "x", 10.0, "µs", 5.0, "lower")
    assert missed.verdict() == "MISSED" and common.Figure("y", "y", 3.0).verdict() == ""


def test_the_neighbourhood_cache_round_trips(tmp_path) -> None:
    areas = small_areas()
    blob, offsets = _pack_wkb(areas.shapes)
    assert all(a.equals(b) for a, b in zip(_unpack_wkb(blob, offsets), areas.shapes, strict=True))
    path = tmp_path / "areas.npz"
    save_areas(areas, path)
    again = load_areas(path)
    assert again is not None and again.from_cache
    assert again.codes == areas.codes and again.names == areas.names
    assert all(a.equals(b) for a, b in zip(again.shapes, areas.shapes, strict=True))
    assert load_areas(tmp_path / "missing.npz") is None
