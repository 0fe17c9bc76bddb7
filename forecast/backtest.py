"""Rolling-origin backtest: each model is refitted on the data before an origin and
scored on the block after it with MASE, the mean absolute error divided by the in-sample
error of the seven-day seasonal naive forecast (below 1: better than repeating last
week)."""

from dataclasses import dataclass, field

import numpy as np


def origins(length: int, count: int, step: int) -> list[int]:
    """The last ``count`` origins, ``step`` days apart, each followed by ``step`` days of
    test data ending at the last day of the series."""
    return [length - k * step for k in range(count, 0, -1) if length - k * step > 0]


def mase_scale(values: np.ndarray) -> float:
    """Mean absolute seven-day difference of the training data (the in-sample error of
    the seasonal naive forecast), the denominator of MASE."""
    diff = np.abs(values[7:] - values[:-7])
    diff = diff[~np.isnan(diff)]
    if diff.size and diff.mean() > 0:
        return float(diff.mean())
    level = np.nanmean(values) if np.any(~np.isnan(values)) else 0.0
    return float(level) if level > 0 else 1.0


@dataclass
class Scores:
    """Errors of one model over the backtest origins."""

    errors: list[float] = field(default_factory=list)  # per-origin MASE
    rel: list[np.ndarray] = field(default_factory=list)
    level: list[float] = field(default_factory=list)

    def add(self, forecast: np.ndarray, actual: np.ndarray, scale: float) -> None:
        known = ~np.isnan(actual)
        if not known.any():
            return
        f, a = forecast[known], actual[known]
        self.errors.append(float(np.mean(np.abs(a - f)) / scale))
        if f.sum() > 0 and a.sum() > 0:
            ratio = a.sum() / f.sum()
            self.level.append(float(np.log(ratio)))
            busy = f > 0.5
            self.rel.append(a[busy] / (f[busy] * ratio) - 1.0)

    @property
    def mase(self) -> float | None:
        return float(np.mean(self.errors)) if self.errors else None
