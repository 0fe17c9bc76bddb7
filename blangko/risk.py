"""The one stock-out risk rule (risiko stok habis): plain data in, plain data out.

An office is at risk when the probability of running out before a resupply requested
today can arrive (its p90 lead time + the safety days: the risk horizon) reaches
``RISK_THRESHOLD``. How urgent it is follows the time left against the lead time:
critical when the expected stock-out comes within the p90 lead time (a request sent
today arrives too late), a warning otherwise (there is still time to request).

The same rule gives the overview's risk level (``high`` = critical, ``medium`` =
warning, ``low`` = not at risk), the ``stockout_risk`` alerts and the planners' digest,
so an office is never "Tinggi" without an alert, or the reverse.

Results of older runs carry no risk probability: for them the rule falls back to the
expected (mean-path) stock-out date within the horizon, the alert rule of before.
"""

import enum
from dataclasses import dataclass
from datetime import date

RISK_THRESHOLD = 0.5
"""At risk from a one-in-two chance of running out within the risk horizon. The
probabilities come from sampled demand paths and the replay checks their calibration,
so the threshold can be read as it is: an office is warned when running out before a
resupply can arrive is more likely than not, and about half or more of the warnings at
the threshold come true (more above it). The cost of a miss (residents wait) is already
carried by the horizon, which adds the safety days to the p90 lead time; a lower
threshold would pay it twice, in warnings a planner learns to ignore."""


class RiskLevel(enum.StrEnum):
    """The overview's risk level (Tinggi, Sedang, Rendah)."""

    high = "high"
    medium = "medium"
    low = "low"


HIGH, MEDIUM, LOW = RiskLevel.high, RiskLevel.medium, RiskLevel.low


@dataclass(frozen=True)
class Risk:
    """The rule's verdict for one office on one day."""

    at_risk: bool
    critical: bool
    days_left: int | None
    """Days from today to the expected (mean-path) stock-out, 0 when it is already out;
    for an office at risk at most the horizon (the sampled paths run out within it more
    likely than not, even where the mean path holds longer); None when no stock-out is
    expected."""
    lead_time_days: int
    """The p90 lead time the rule used."""
    horizon_days: int
    """p90 lead time + safety days."""
    probability: float | None
    """P(stock-out within ``horizon_days``); None for results of older runs."""

    @property
    def level(self) -> RiskLevel:
        """The overview's risk level: ``high``, ``medium`` or ``low``."""
        if not self.at_risk:
            return LOW
        return HIGH if self.critical else MEDIUM

    @property
    def urgency(self) -> int | None:
        """Days left before the stock-out minus the lead time: at or below zero a request
        sent today arrives too late. None when the office is not at risk."""
        if not self.at_risk or self.days_left is None:
            return None
        return self.days_left - self.lead_time_days


def assess(
    *,
    today: date,
    stockout_date: date | None,
    probability: float | None,
    lead_time_days: int,
    horizon_days: int,
) -> Risk:
    """The rule: at risk when ``probability`` (of running out within ``horizon_days``)
    reaches ``RISK_THRESHOLD``, or, without a probability, when ``stockout_date`` falls
    within the horizon; critical when the stock-out comes within ``lead_time_days``."""
    days = None if stockout_date is None else max(0, (stockout_date - today).days)
    if probability is None:
        at_risk = days is not None and days <= horizon_days
    else:
        at_risk = probability >= RISK_THRESHOLD
    if at_risk and (days is None or days > horizon_days):
        # More likely than not within the horizon, though the mean path holds longer.
        days = horizon_days
    critical = at_risk and days is not None and days <= lead_time_days
    return Risk(
        at_risk=at_risk,
        critical=critical,
        days_left=days,
        lead_time_days=lead_time_days,
        horizon_days=horizon_days,
        probability=probability,
    )
