"""Every Pledge rule for every unit and month: neighbourhoods rolled up to command units and
the force, and the scorecards made from them.

The rules count per neighbourhood; a command unit is the sum of its neighbourhoods and the
force the sum of everything, including records placed in no neighbourhood. Rates are
recomputed from the sums (never averaged), so a small neighbourhood weighs what it should.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.pledge.clocks import LONDON, month_bounds, month_start, months_ending
from ourpatch.pledge.inputs import input_version
from ourpatch.pledge.models import Explanation, PledgeStandards
from ourpatch.pledge.rules import (
    RULES,
    RecordRule,
    Rule,
    Scope,
    Source,
    Tally,
    make_scope,
)

Level = Literal["force", "bcu", "neighbourhood", "unplaced"]


@dataclass(frozen=True)
class Unit:
    level: Level
    id: str | int  # the force's slug, the command unit's or neighbourhood's primary key
    code: str
    name: str


@dataclass
class ItemFigures:
    """One rule's tallies for every unit, month by month (oldest first).

    Held as arrays, a row per unit and a column per month, not as a Tally per cell: a
    force-year is some 30,000 cells, which as objects cost more to make, and to keep in the
    cache, than the figures themselves. A Tally is made for each cell a page shows.
    """

    rule: Rule
    standard: str
    months: tuple[dt.date, ...]
    rows: dict[Unit, int]
    counted: npt.NDArray[np.int64]  # [row, month]
    met: npt.NDArray[np.int64]
    share_num: npt.NDArray[np.float64]
    share_den: npt.NDArray[np.float64]
    reasons: tuple[str, ...]  # why records were excluded
    # the excluded records: one entry per (row, month, reason) with any, and how many
    excluded_at: npt.NDArray[np.int64]  # [entry, (row, month, reason)]
    excluded_n: npt.NDArray[np.int64]

    def _excluded(self, row: int) -> list[Counter[str]]:
        out: list[Counter[str]] = [Counter() for _ in self.months]
        mine = self.excluded_at[:, 0] == row
        for (_, m, r), n in zip(
            self.excluded_at[mine].tolist(), self.excluded_n[mine].tolist(), strict=True
        ):
            out[m][self.reasons[r]] += n
        return out

    def tallies(self, unit: Unit) -> list[Tally]:
        """The unit's tally for each month (all empty for a unit not measured)."""
        row = self.rows.get(unit)
        if row is None:
            return [Tally() for _ in self.months]
        return [
            Tally(c, m, excluded, num, den)
            for c, m, excluded, num, den in zip(
                self.counted[row].tolist(),
                self.met[row].tolist(),
                self._excluded(row),
                self.share_num[row].tolist(),
                self.share_den[row].tolist(),
                strict=True,
            )
        ]

    @property
    def by_unit(self) -> dict[Unit, list[Tally]]:
        return {unit: self.tallies(unit) for unit in self.rows}

    def month(self, unit: Unit, month: dt.date) -> Tally:
        if unit not in self.rows or month not in self.months:
            return Tally()
        return self.tallies(unit)[self.months.index(month)]

    def total(self, unit: Unit) -> Tally:
        out = Tally()
        for tally in self.tallies(unit):
            out.add(tally)
        return out


@dataclass
class Measures:
    scope: Scope
    force_unit: Unit
    bcus: list[Unit]
    neighbourhoods: list[Unit]
    bcu_of: dict[int, int | None]  # neighbourhood id → command unit id
    items: dict[int, ItemFigures]
    # the records placed in no neighbourhood (counted for the force alone): a call from
    # outside every boundary, a victim whose address was not placed
    unplaced: Unit | None = None

    def unit(self, level: Level, id: str | int) -> Unit | None:
        if level == "unplaced":
            return self.unplaced
        pool = {"force": [self.force_unit], "bcu": self.bcus, "neighbourhood": self.neighbourhoods}
        return next((u for u in pool[level] if u.id == id), None)

    def neighbourhoods_of(self, bcu: Unit) -> list[Unit]:
        return [u for u in self.neighbourhoods if self.bcu_of.get(int(u.id)) == bcu.id]


def quarantined_calls(scope: Scope) -> dict[tuple[int | None, int], Counter[str]]:
    """Rows the calls import refused, by neighbourhood (None: unplaced), month and reason.

    A refused row is no call of either item, nor left out silently: items 5 and 6 both show
    it among their exclusions. Rows with no readable receipt time fall in no month.
    """
    from ourpatch.calls.exclusions import call_exclusions_by_neighbourhood

    out: dict[tuple[int | None, int], Counter[str]] = {}
    for m, month in enumerate(scope.months):
        start, end = month_bounds(month)
        for hood, exclusions in call_exclusions_by_neighbourhood(scope.force, start, end).items():
            if scope.neighbourhood_ids is not None and hood not in scope.neighbourhood_ids:
                continue
            reasons = Counter(
                {f"refused by the calls import: {label}": n for label, n in exclusions.reasons()}
            )
            if reasons:
                out[(hood, m)] = reasons
    return out


# Rules are independent queries: two at once use two cores (Python's sqlite3 and psycopg
# both let go of the interpreter while the database works).
PARALLEL = 2
Tallies = dict[int, dict[tuple[int | None, int], Tally]]  # item → (neighbourhood, month) → tally
HEAVY = {"calls.Call": 0}  # a force-year has a million calls: start those first


@contextlib.contextmanager
def reporting() -> Iterator[None]:
    """PostgreSQL, for this transaction only: no JIT (compiling these wide aggregates costs
    seconds, more than running them) and memory enough to aggregate without spilling."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def _source_task(item: int, source: Source, scope: Scope) -> Callable[[], Tallies]:
    return lambda: {item: source.tallies(scope)}


def _rule_task(rule: Rule, scope: Scope) -> Callable[[], Tallies]:
    return lambda: {rule.item: rule.tallies(scope)}


def _tasks(scope: Scope, rules: Sequence[Rule]) -> list[Callable[[], Tallies]]:
    """The queries to run, one per rule or per source of a record rule; heaviest first."""
    tasks: list[tuple[int, Callable[[], Tallies]]] = []
    for rule in rules:
        if isinstance(rule, RecordRule):
            for source in rule.sources():
                weight = HEAVY.get(source.model._meta.label, 2)
                tasks.append((weight, _source_task(rule.item, source, scope)))
        else:
            tasks.append((1, _rule_task(rule, scope)))
    return [task for _, task in sorted(tasks, key=lambda t: t[0])]


def _in_thread(task: Callable[[], Tallies]) -> Tallies:
    try:
        with reporting():
            return task()
    finally:
        connection.close()  # this thread's own connection


def _all_tallies(scope: Scope, rules: Sequence[Rule], workers: int) -> Tallies:
    tasks = _tasks(scope, rules)
    # Another connection sees only committed rows: inside a transaction (a test, an import)
    # everything runs here, on this one; so too with an in-memory SQLite database.
    alone = (
        workers < 2
        or len(tasks) < 2
        or connection.in_atomic_block
        or (connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db")())  # noqa: B009
    )
    if alone:
        with reporting():
            results = [task() for task in tasks]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_in_thread, tasks))
    out: Tallies = {rule.item: {} for rule in rules}
    for result in results:
        for item, tallies in result.items():
            for key, tally in tallies.items():
                out[item].setdefault(key, Tally()).add(tally)
    return out


def measure(scope: Scope, rules: Sequence[Rule] = RULES, workers: int = PARALLEL) -> Measures:
    """Every rule in ``rules`` over ``scope``, for the neighbourhoods, units and the force."""
    hood_rows = Neighbourhood.objects.filter(force=scope.force).select_related("bcu")
    if scope.neighbourhood_ids is not None:
        hood_rows = hood_rows.filter(pk__in=sorted(scope.neighbourhood_ids))
    hoods = list(hood_rows.order_by("name"))
    force_unit = Unit("force", scope.force.pk, scope.force.pk, scope.force.name)
    unplaced = Unit("unplaced", scope.force.pk, "", "In no neighbourhood")
    bcu_units: dict[int, Unit] = {}
    hood_units: dict[int, Unit] = {}
    bcu_of: dict[int, int | None] = {}
    for hood in hoods:
        hood_units[hood.pk] = Unit("neighbourhood", hood.pk, hood.code, hood.name)
        bcu_of[hood.pk] = hood.bcu_id
        if hood.bcu is not None and hood.bcu_id not in bcu_units:
            bcu_units[hood.bcu.pk] = Unit("bcu", hood.bcu.pk, hood.bcu.code, hood.bcu.name)
    bcus = sorted(bcu_units.values(), key=lambda u: u.name)
    neighbourhoods = sorted(hood_units.values(), key=lambda u: u.name)
    rows = {u: k for k, u in enumerate([force_unit, unplaced, *bcus, *neighbourhoods])}
    # where a neighbourhood's tally is added: the force, the neighbourhood, its command unit
    # (a record in a neighbourhood outside the scope counts for the force alone)
    targets: dict[int | None, tuple[int, ...]] = {None: (rows[force_unit], rows[unplaced])}
    for hood_id, u in hood_units.items():
        bcu_id = bcu_of[hood_id]
        in_bcu = () if bcu_id is None else (rows[bcu_units[bcu_id]],)
        targets[hood_id] = (rows[force_unit], rows[u], *in_bcu)
    computed = _all_tallies(scope, rules, workers)
    quarantined = quarantined_calls(scope) if any(r.item in (5, 6) for r in rules) else {}
    items: dict[int, ItemFigures] = {}
    for rule in rules:
        tallies = computed[rule.item]
        if rule.item in (5, 6):
            for key, reasons in quarantined.items():
                tallies.setdefault(key, Tally()).excluded.update(reasons)
        items[rule.item] = _figures(rule, scope, rows, targets, tallies)
    return Measures(
        scope=scope,
        force_unit=force_unit,
        bcus=bcus,
        neighbourhoods=neighbourhoods,
        bcu_of=bcu_of,
        items=items,
        unplaced=unplaced if scope.neighbourhood_ids is None else None,
    )


def _figures(
    rule: Rule,
    scope: Scope,
    rows: dict[Unit, int],
    targets: dict[int | None, tuple[int, ...]],
    tallies: dict[tuple[int | None, int], Tally],
) -> ItemFigures:
    """The neighbourhoods' tallies summed into every unit's, as arrays (unit × month)."""
    force_only = targets[None][:1]
    at_row: list[int] = []
    at_month: list[int] = []
    values: list[tuple[int, int, float, float]] = []
    reasons: dict[str, int] = {}
    excluded: list[tuple[int, int, int, int]] = []  # row, month, reason, n
    for (hood_id, m), tally in tallies.items():
        if m is None:
            continue  # outside the months (cannot happen: the rules filter by range)
        where = targets.get(hood_id, force_only)
        for row in where:
            at_row.append(row)
            at_month.append(m)
            values.append((tally.counted, tally.met, tally.share_num, tally.share_den))
            for why, n in tally.excluded.items():
                excluded.append((row, m, reasons.setdefault(why, len(reasons)), n))
    shape = (len(rows), len(scope.months))
    index = (np.array(at_row, dtype=np.int64), np.array(at_month, dtype=np.int64))
    counted, met = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    num, den = np.zeros(shape), np.zeros(shape)
    if values:
        columns = list(zip(*values, strict=True))
        np.add.at(counted, index, np.array(columns[0], dtype=np.int64))
        np.add.at(met, index, np.array(columns[1], dtype=np.int64))
        np.add.at(num, index, np.array(columns[2], dtype=np.float64))
        np.add.at(den, index, np.array(columns[3], dtype=np.float64))
    # the same (row, month, reason) from several neighbourhoods: summed into one entry
    cells: Counter[tuple[int, int, int]] = Counter()
    for row, m, r, n in excluded:
        cells[(row, m, r)] += n
    return ItemFigures(
        rule=rule,
        standard=rule.standard(scope.standards),
        months=scope.months,
        rows=rows,
        counted=counted,
        met=met,
        share_num=num,
        share_den=den,
        reasons=tuple(reasons),
        excluded_at=np.array(list(cells), dtype=np.int64).reshape(-1, 3),
        excluded_n=np.array(list(cells.values()), dtype=np.int64),
    )


# --------------------------------------------------------------------------------------------
# The same, kept: a page asks again and gets the figures back while their inputs are unchanged


@dataclass
class CacheCounts:
    """How often cached_measure computed the figures and how often it reused them (per
    process), for tests and for anyone wondering whether the cache works."""

    computed: int = 0
    reused: int = 0


CACHE_COUNTS = CacheCounts()
# Kept this long at most; an entry is reused only while its inputs and clocks say so
CACHE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class _Kept:
    measures: Measures
    computed_at: dt.datetime  # the scope's "now"
    # the first instant the figures may change with no record changed (None: never)
    changes_at: dt.datetime | None

    def holds_at(self, now: dt.datetime) -> bool:
        return self.computed_at <= now and (self.changes_at is None or now < self.changes_at)


def figures_change_at(scope: Scope, rules: Sequence[Rule] = RULES) -> dt.datetime | None:
    """The first instant after ``scope.now`` at which a figure over ``scope`` may change
    with no record changed: a reply's clock running out, a day or a month ending."""
    return min((t for rule in rules if (t := rule.changes_at(scope)) is not None), default=None)


@functools.cache
def _code_version() -> str:
    """The rules' own code, so that a shared cache never serves figures an older version of
    them computed."""
    from ourpatch.calls import exclusions
    from ourpatch.importing import exclusions as shared_exclusions
    from ourpatch.pledge import clocks, rules

    digest = hashlib.sha256()
    for module in (rules, clocks, exclusions, shared_exclusions, sys.modules[__name__]):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


def _cache_key(scope: Scope, version: tuple[tuple[str, int], ...]) -> str:
    standards = [
        (f.attname, getattr(scope.standards, f.attname))
        for f in PledgeStandards._meta.concrete_fields
        if not f.primary_key
    ]
    hoods = None if scope.neighbourhood_ids is None else sorted(scope.neighbourhood_ids)
    stale_days = settings.OURPATCH_STALE_AFTER_DAYS
    parts = (_code_version(), scope.force.pk, scope.months, hoods, standards, stale_days, version)
    return "pledge-measures:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_measure(scope: Scope) -> Measures:
    """Every Pledge rule over ``scope``, as :func:`measure`, reused while nothing it was
    computed from has changed: no input table (pledge.inputs), not the force's standards,
    and no clock run out or day ended since (``figures_change_at``).

    Kept in Django's default cache. With no CACHES setting that is local memory, one per
    process: each web worker computes the figures once per change of the data.
    """
    version = input_version(connection)
    if version is None:
        CACHE_COUNTS.computed += 1
        return measure(scope)
    key = _cache_key(scope, version)
    kept = cache.get(key)
    if isinstance(kept, _Kept) and kept.holds_at(scope.now):
        CACHE_COUNTS.reused += 1
        return dataclasses.replace(kept.measures, scope=scope)
    # the version was read first: data committed while measuring makes a newer version, so
    # an entry holding some of it is never found again
    measures = measure(scope)
    CACHE_COUNTS.computed += 1
    cache.set(key, _Kept(measures, scope.now, figures_change_at(scope)), CACHE_SECONDS)
    return measures


# --------------------------------------------------------------------------------------------
# Public scorecards: figures, counts, exclusions, standards, explanations. No personal data.


@dataclass(frozen=True)
class PublicExplanation:
    month: dt.date
    neighbourhood: str  # the neighbourhood's name ("" for the force)
    text: str


@dataclass
class ScorecardRow:
    item: int
    title: str
    standard: str
    this_month: Tally
    last_12_months: Tally
    trend: list[tuple[dt.date, Tally]]
    explanations: list[PublicExplanation]
    explained: int  # explanations given for breaches in the 12 months

    @property
    def unexplained(self) -> int:
        return max(self.last_12_months.breached - self.explained, 0)


@dataclass
class Scorecard:
    unit_name: str
    month: dt.date
    months: tuple[dt.date, ...]
    rows: list[ScorecardRow]


def this_month(now: dt.datetime | None = None) -> dt.date:
    return month_start((now or timezone.now()).astimezone(LONDON).date())


EXPLANATIONS_SHOWN = 20


def _scorecard(
    force: Force,
    month: dt.date,
    neighbourhood: Neighbourhood | None,
    now: dt.datetime | None,
    standards: PledgeStandards | None = None,
) -> Scorecard:
    months = months_ending(month, 12)
    scope = make_scope(
        force,
        months,
        neighbourhood_ids=None if neighbourhood is None else [neighbourhood.pk],
        now=now,
        standards=standards,
    )
    measures = cached_measure(scope)
    unit = (
        measures.force_unit
        if neighbourhood is None
        else measures.unit("neighbourhood", neighbourhood.pk)
    )
    assert unit is not None
    explanations = Explanation.objects.filter(
        force=force, month__gte=months[0], month__lte=months[-1]
    )
    if neighbourhood is not None:
        explanations = explanations.filter(neighbourhood=neighbourhood)
    explained = Counter(
        {
            row["item"]: row["n"]
            for row in explanations.values("item").annotate(n=Count("pk")).order_by()
        }
    )
    by_item: dict[int, list[PublicExplanation]] = {}
    for item, when, name, text in explanations.order_by("-month", "-written_at").values_list(
        "item", "month", "neighbourhood__name", "text"
    ):
        shown = by_item.setdefault(item, [])
        if len(shown) < EXPLANATIONS_SHOWN:
            shown.append(PublicExplanation(when, name or "", text))
    rows = []
    for item, figures in measures.items.items():
        rows.append(
            ScorecardRow(
                item=item,
                title=figures.rule.title,
                standard=figures.standard,
                this_month=figures.month(unit, months[-1]),
                last_12_months=figures.total(unit),
                trend=list(zip(months, figures.tallies(unit), strict=True)),
                explanations=by_item.get(item, []),
                explained=explained[item],
            )
        )
    return Scorecard(unit.name, months[-1], tuple(months), rows)


def neighbourhood_scorecard(
    neighbourhood: Neighbourhood, month: dt.date | None = None, now: dt.datetime | None = None
) -> Scorecard:
    """A neighbourhood's Pledge figures for ``month`` and the 12 months to it: public words
    and numbers only (for its scorecard page and its monthly update)."""
    return _scorecard(neighbourhood.force, month or this_month(now), neighbourhood, now)


def force_scorecard(
    force: Force, month: dt.date | None = None, now: dt.datetime | None = None
) -> Scorecard:
    return _scorecard(force, month or this_month(now), None, now)


def scope_for(
    force: Force,
    month: dt.date,
    neighbourhood_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
    months: int = 12,
) -> Scope:
    return make_scope(
        force, months_ending(month, months), neighbourhood_ids=neighbourhood_ids, now=now
    )
