"""Every Pledge rule for every unit and month: neighbourhoods rolled up to command units and
the force, and the scorecards made from them.

The rules count per neighbourhood; a command unit is the sum of its neighbourhoods and the
force the sum of everything, including records placed in no neighbourhood. Rates are
recomputed from the sums (never averaged), so a small neighbourhood weighs what it should.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.pledge.clocks import LONDON, month_bounds, month_start, months_ending
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

Level = Literal["force", "bcu", "neighbourhood"]


@dataclass(frozen=True)
class Unit:
    level: Level
    id: str | int  # the force's slug, the command unit's or neighbourhood's primary key
    code: str
    name: str


@dataclass
class ItemFigures:
    """One rule's tallies for every unit, month by month (oldest first)."""

    rule: Rule
    standard: str
    months: tuple[dt.date, ...]
    by_unit: dict[Unit, list[Tally]] = field(default_factory=dict)

    def month(self, unit: Unit, month: dt.date) -> Tally:
        tallies = self.by_unit.get(unit)
        if tallies is None or month not in self.months:
            return Tally()
        return tallies[self.months.index(month)]

    def total(self, unit: Unit) -> Tally:
        out = Tally()
        for tally in self.by_unit.get(unit, []):
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

    def unit(self, level: Level, id: str | int) -> Unit | None:
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
    bcu_units: dict[int, Unit] = {}
    hood_units: dict[int, Unit] = {}
    bcu_of: dict[int, int | None] = {}
    for hood in hoods:
        hood_units[hood.pk] = Unit("neighbourhood", hood.pk, hood.code, hood.name)
        bcu_of[hood.pk] = hood.bcu_id
        if hood.bcu is not None and hood.bcu_id not in bcu_units:
            bcu_units[hood.bcu.pk] = Unit("bcu", hood.bcu.pk, hood.bcu.code, hood.bcu.name)
    months = len(scope.months)
    items: dict[int, ItemFigures] = {}
    computed = _all_tallies(scope, rules, workers)
    for rule in rules:
        figures = ItemFigures(rule, rule.standard(scope.standards), scope.months)
        blank = {u: [Tally() for _ in range(months)] for u in [force_unit, *bcu_units.values()]}
        blank.update({u: [Tally() for _ in range(months)] for u in hood_units.values()})
        figures.by_unit = blank
        tallies = computed[rule.item]
        if rule.item in (5, 6):
            for key, reasons in quarantined_calls(scope).items():
                tallies.setdefault(key, Tally()).excluded.update(reasons)
        for (hood_id, m), tally in tallies.items():
            if m is None:
                continue  # outside the months (cannot happen: the rules filter by range)
            figures.by_unit[force_unit][m].add(tally)
            if hood_id is None or hood_id not in hood_units:
                continue
            figures.by_unit[hood_units[hood_id]][m].add(tally)
            bcu_id = bcu_of.get(hood_id)
            if bcu_id is not None:
                figures.by_unit[bcu_units[bcu_id]][m].add(tally)
        items[rule.item] = figures
    return Measures(
        scope=scope,
        force_unit=force_unit,
        bcus=sorted(bcu_units.values(), key=lambda u: u.name),
        neighbourhoods=sorted(hood_units.values(), key=lambda u: u.name),
        bcu_of=bcu_of,
        items=items,
    )


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
    measures = measure(scope)
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
                trend=list(zip(months, figures.by_unit[unit], strict=True)),
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
