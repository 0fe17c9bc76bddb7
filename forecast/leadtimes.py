"""Lead times (waktu tunggu kiriman) learned from the ledger: how many days a resupply
requested today takes to reach an office. Plain data in, plain data out.

A resupply requested today = the sender's decision and dispatch delay (request letter →
dispatch, learned from the sender's recent requests: Ditjen Dukcapil's, office ``00``,
for national stock) + the transit time (dispatch → receipt, learned per sender and
receiving office). Both are empirical distributions over whole days; the lead time is
their sum (the two distributions convolved), reported by its median and p90.

Few shipments teach little, so an office's transit distribution is shrunk towards its
province's, and the province's towards its region's, empirical-Bayes style: a level with
``n`` observations keeps weight ``n / (n + PRIOR_WEIGHT)`` and the rest comes from the
level above (a mixture of the two distributions). An office with many shipments gets
about its own, one with two is pulled towards its province, one with none gets the
province's (or the region's). The setting ``BLANGKO_LEAD_TIME_DAYS`` is used only where
there is no history at any level, or the sender has never answered a request.

Regions group provinces by the first digit of their Kemendagri code, which numbers them
by island group: 1 and 2 Sumatera (21 is Kepulauan Riau), 3 Jawa, 5 Bali and Nusa
Tenggara, 6 Kalimantan, 7 Sulawesi, 8 Maluku, 9 Papua.

Observations come from the last ``WINDOW_DAYS`` (365) days before the date the lead time
is learned for (see ``forecast.resupply``): a year covers Lebaran and the year-end
budget cycle once, and older habits of a sender fade out.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

NATIONAL = "00"
WINDOW_DAYS = 365
PRIOR_WEIGHT = 4.0
"""Pseudo-observations of the level above: an office with 4 shipments is half its own."""

OFFICE, PROVINCE, REGION, DEFAULT = "office", "province", "region", "default"

_REGION_OF_DIGIT = {
    "1": "sumatera",
    "2": "sumatera",
    "3": "jawa",
    "5": "bali_nusa_tenggara",
    "6": "kalimantan",
    "7": "sulawesi",
    "8": "maluku",
    "9": "papua",
}


def region_of(province_code: str) -> str:
    """The island group of a province (first digit of its code, 2 joins Sumatera)."""
    return _REGION_OF_DIGIT.get(province_code[:1], province_code[:1])


@dataclass(frozen=True)
class Delays:
    """Observed delays in whole days, the inputs of ``learn``."""

    decision: Mapping[str, Sequence[int]] = field(default_factory=dict)
    """Per sender: request letter (``requested_on``) → dispatch of the answering shipment."""
    approval: Mapping[str, Sequence[int]] = field(default_factory=dict)
    """Per sender: approval → dispatch (0 when approval dispatches at once)."""
    transit: Mapping[tuple[str, str], Sequence[int]] = field(default_factory=dict)
    """Per (sender, receiver): dispatch → receipt."""


@dataclass(frozen=True)
class LeadTime:
    """The lead time of one office: days until a resupply requested today arrives."""

    median: int
    p90: int
    source: str
    """The most specific level with transit history: office, province, region or
    default (the setting; no history)."""
    shipments: int = 0
    """The office's own received shipments from the sender in the window."""
    after_approval: int = 0
    """Median days from approval to receipt: when an approved request, not dispatched
    yet, is expected to arrive."""

    def public(self) -> dict[str, object]:
        return {"median": self.median, "p90": self.p90, "source": self.source}


def default_lead_time(days: int) -> LeadTime:
    return LeadTime(median=days, p90=days, source=DEFAULT, after_approval=days)


def learn(
    *,
    delays: Delays,
    provinces: Mapping[str, str | None],
    default_days: int,
    sender: str = NATIONAL,
    prior_weight: float = PRIOR_WEIGHT,
) -> dict[str, LeadTime]:
    """The lead time of every receiving office in ``provinces`` (office code → province
    code) for a resupply from ``sender``."""
    decision = _pmf(delays.decision.get(sender, ()))
    approval = _pmf(delays.approval.get(sender, ()))
    if approval is None:
        approval = np.ones(1)  # no record: approval dispatches at once, as blangko does
    own: dict[str, list[int]] = {}
    by_province: dict[str, list[int]] = {}
    by_region: dict[str, list[int]] = {}
    for (source, receiver), days in delays.transit.items():
        province = provinces.get(receiver)
        if source != sender or province is None or not days:
            continue
        own.setdefault(receiver, []).extend(days)
        by_province.setdefault(province, []).extend(days)
        by_region.setdefault(region_of(province), []).extend(days)
    region_pmf = {r: _pmf(days) for r, days in by_region.items()}
    province_pmf = {
        p: _shrink(_pmf(days), len(days), region_pmf.get(region_of(p)), prior_weight)
        for p, days in by_province.items()
    }
    learned: dict[str, LeadTime] = {}
    without_own: dict[str, LeadTime] = {}  # offices without shipments share their province's
    for code, province in provinces.items():
        if code == sender or province is None:
            continue
        days = own.get(code, [])
        if not days and province in without_own:
            learned[code] = without_own[province]
            continue
        above = province_pmf.get(province)
        if above is None:
            above = region_pmf.get(region_of(province))
        transit = _shrink(_pmf(days), len(days), above, prior_weight) if days else above
        if transit is None or decision is None:
            lead = default_lead_time(default_days)
        else:
            total = np.convolve(decision, transit)
            lead = LeadTime(
                median=_quantile(total, 0.5),
                p90=_quantile(total, 0.9),
                source=OFFICE if days else PROVINCE if province in by_province else REGION,
                shipments=len(days),
                after_approval=_quantile(np.convolve(approval, transit), 0.5),
            )
        learned[code] = lead
        if not days:
            without_own[province] = lead
    return learned


def _pmf(days: Iterable[int]) -> np.ndarray | None:
    """The empirical distribution over whole days (index = days), None without data."""
    values = np.clip(np.fromiter(days, dtype=np.int64), 0, None)
    if values.size == 0:
        return None
    counts = np.bincount(values).astype(float)
    return counts / counts.sum()


def _shrink(
    own: np.ndarray | None, n: int, above: np.ndarray | None, prior_weight: float
) -> np.ndarray | None:
    """``own`` with weight n / (n + prior_weight), the rest from ``above``."""
    if own is None:
        return above
    if above is None:
        return own
    weight = n / (n + prior_weight)
    size = max(own.size, above.size)
    return weight * np.pad(own, (0, size - own.size)) + (1 - weight) * np.pad(
        above, (0, size - above.size)
    )


def _quantile(pmf: np.ndarray, q: float) -> int:
    """The smallest whole day whose cumulative probability reaches ``q``."""
    return int(np.searchsorted(np.cumsum(pmf), q - 1e-9))
