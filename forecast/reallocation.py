"""The reallocation plan (rencana realokasi) as a small optimisation, solved with HiGHS.

Each office needs ``need`` blanks over lead time + safety days. Its position is stock on
hand + incoming shipments. ``deficit = need − position`` (when positive) must be met;
``surplus = position − need`` (when positive, and at most what is on hand, since only
stock on hand can be moved) may be given away, so a donor never drops below its own need.
National stock is a source too.

Two stages, both linear programs:

1. Fair share. Find the largest cover fraction ``f ≤ 1`` such that every office with a
   deficit can be brought to at least ``f × need`` with the blanks available
   (``received_i ≥ f·need_i − position_i``). When stock is enough, ``f = 1`` and every
   deficit is met in full; when it is short, every office ends at the same fraction of
   its need, so the blanks go first to the offices furthest from it (water filling) and
   the shortage is shared in proportion to need. Any source can ship to any office, so
   this stage only needs the totals.
2. Cheapest routes. With integer targets from stage 1 (rounded by largest remainder,
   never above a deficit nor beyond the total available), a transportation problem
   minimises cost: lateral moves inside a province are cheapest, then national stock,
   then moves across provinces. Solved as a MILP with integer quantities, so nothing is
   rounded afterwards and no constraint can break.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

NATIONAL = "00"


@dataclass(frozen=True)
class OfficeNeed:
    """One office's figures for the plan (blanks)."""

    code: str
    province: str
    need: int
    on_hand: int
    incoming: int = 0

    @property
    def position(self) -> int:
        return self.on_hand + self.incoming

    @property
    def deficit(self) -> int:
        return max(0, self.need - self.position)

    @property
    def surplus(self) -> int:
        """What can leave without taking the office below its need: only stock on hand."""
        return max(0, min(self.on_hand, self.position - self.need))


@dataclass(frozen=True)
class Costs:
    """Relative cost per blank of each kind of move."""

    same_province: float = 1.0
    national: float = 2.0
    cross_province: float = 4.0


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    quantity: int
    cost: float


@dataclass(frozen=True)
class Plan:
    moves: list[Move]
    coverage: float
    """The cover fraction every office with a deficit reaches (1.0 = all needs met)."""
    total_deficit: int
    total_available: int
    unmet: dict[str, int] = field(default_factory=dict)
    """Deficit left per office after the plan (only when stock is short)."""

    @property
    def total_moved(self) -> int:
        return sum(m.quantity for m in self.moves)

    @property
    def total_cost(self) -> float:
        return sum(m.quantity * m.cost for m in self.moves)


class SolverFailed(RuntimeError):
    """HiGHS did not find an optimum (should not happen: the problems are always feasible)."""


def solve(offices: Sequence[OfficeNeed], national_stock: int, costs: Costs = Costs()) -> Plan:
    """The cheapest plan that meets deficits, or shares the shortage fairly."""
    if national_stock < 0:
        raise ValueError("national_stock must not be negative")
    for office in offices:
        if min(office.need, office.on_hand, office.incoming) < 0:
            raise ValueError(f"negative figures for office {office.code}")
    by_code = {o.code: o for o in offices if o.code != NATIONAL}
    sinks = [o for o in by_code.values() if o.deficit > 0]
    supply = {o.code: o.surplus for o in by_code.values() if o.surplus > 0}
    if national_stock > 0:
        supply[NATIONAL] = national_stock
    available = sum(supply.values())
    total_deficit = sum(o.deficit for o in sinks)
    if not sinks or available == 0:
        unmet = {o.code: o.deficit for o in sinks}
        return Plan([], 1.0 if not sinks else 0.0, total_deficit, available, unmet)

    coverage = _fair_coverage(sinks, available)
    targets = _integer_targets(sinks, coverage, available)
    moves = _cheapest_routes(targets, supply, by_code, costs)
    received: dict[str, int] = {}
    for move in moves:
        received[move.target] = received.get(move.target, 0) + move.quantity
    unmet = {o.code: o.deficit - received.get(o.code, 0) for o in sinks}
    return Plan(
        moves=moves,
        coverage=coverage,
        total_deficit=total_deficit,
        total_available=available,
        unmet={code: left for code, left in unmet.items() if left > 0},
    )


def _fair_coverage(sinks: Sequence[OfficeNeed], available: int) -> float:
    """Stage 1: max f s.t. r_i ≥ f·need_i − position_i, 0 ≤ r_i ≤ deficit_i, Σ r_i ≤ A."""
    n = len(sinks)
    # Variables: r_0 … r_{n-1}, f. linprog minimises, so the objective is −f.
    c = np.zeros(n + 1)
    c[n] = -1.0
    a_ub = np.zeros((n + 1, n + 1))
    b_ub = np.zeros(n + 1)
    for i, office in enumerate(sinks):
        a_ub[i, i] = -1.0  # f·need_i − r_i ≤ position_i
        a_ub[i, n] = float(office.need)
        b_ub[i] = float(office.position)
    a_ub[n, :n] = 1.0
    b_ub[n] = float(available)
    bounds = [(0.0, float(o.deficit)) for o in sinks] + [(0.0, 1.0)]
    result = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if result.status != 0:
        raise SolverFailed(f"fair-share stage: {result.message}")
    return float(min(1.0, max(0.0, result.x[n])))


def _integer_targets(
    sinks: Sequence[OfficeNeed], coverage: float, available: int
) -> dict[str, int]:
    """Whole blanks per office: the fair share rounded down, then the blanks left over
    handed out one by one by largest remainder (never above a deficit)."""
    if coverage >= 1.0 - 1e-9 and sum(o.deficit for o in sinks) <= available:
        return {o.code: o.deficit for o in sinks}
    exact = {o.code: min(float(o.deficit), max(0.0, coverage * o.need - o.position)) for o in sinks}
    targets = {code: math.floor(value + 1e-9) for code, value in exact.items()}
    left = available - sum(targets.values())
    for code in sorted(targets, key=lambda c: -targets[c]):
        if left >= 0:
            break
        take = min(targets[code], -left)  # guards against solver tolerance only
        targets[code] -= take
        left += take
    deficits = {o.code: o.deficit for o in sinks}
    order = sorted(exact, key=lambda code: (-(exact[code] - targets[code]), code))
    while left > 0:
        progressed = False
        for code in order:
            if left == 0:
                break
            if targets[code] < deficits[code]:
                targets[code] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return {code: qty for code, qty in targets.items() if qty > 0}


def _cheapest_routes(
    targets: dict[str, int],
    supply: dict[str, int],
    offices: dict[str, OfficeNeed],
    costs: Costs,
) -> list[Move]:
    """Stage 2: the min-cost transportation problem with integer quantities."""
    if not targets:
        return []
    sources = sorted(supply)
    sinks = sorted(targets)
    arcs: list[tuple[int, int, float]] = []
    for s, source in enumerate(sources):
        for t, target in enumerate(sinks):
            if source == target:
                continue
            arcs.append((s, t, _cost(source, target, offices, costs)))
    n = len(arcs)
    cost = np.array([a[2] for a in arcs])
    rows, cols = [], []
    for k, (s, t, _) in enumerate(arcs):
        rows += [s, len(sources) + t]
        cols += [k, k]
    matrix = coo_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(sources) + len(sinks), n)
    ).tocsr()
    lower = np.concatenate(
        [np.zeros(len(sources)), np.array([targets[t] for t in sinks], dtype=float)]
    )
    upper = np.concatenate(
        [
            np.array([supply[s] for s in sources], dtype=float),
            np.array([targets[t] for t in sinks], dtype=float),
        ]
    )
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.ones(n),
        bounds=Bounds(0, np.inf),
    )
    if result.status != 0 or result.x is None:
        raise SolverFailed(f"routing stage: {result.message}")
    moves = []
    for k, (s, t, c) in enumerate(arcs):
        quantity = round(float(result.x[k]))
        if quantity > 0:
            moves.append(Move(sources[s], sinks[t], quantity, c))
    return moves


def _cost(source: str, target: str, offices: dict[str, OfficeNeed], costs: Costs) -> float:
    if source == NATIONAL:
        return costs.national
    if offices[source].province == offices[target].province:
        return costs.same_province
    return costs.cross_province
