"""The worker pool: chunks come back from spawned workers that are replaced as they
retire (the standard library's executor deadlocked here, CPython gh-115634)."""

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from forecast.calendar import calendar_for
from forecast.models import weekday_median
from forecast.runner import RunSettings, Task, run_models


@pytest.mark.slow
def test_pool_replaces_retired_workers_and_returns_every_forecast() -> None:
    start = date(2026, 1, 5)
    calendar = calendar_for(start, start + timedelta(days=200))
    weekly = np.tile([30.0, 28, 27, 29, 25, 10, 0], 6)
    tasks = [Task(f"t{i}", start, weekly * (i + 1)) for i in range(10)]
    settings = replace(RunSettings(), workers=2, chunk_size=2, chunks_per_worker=2)

    chunks = list(run_models(tasks, calendar, settings))

    forecasts = {f.office_code: f for chunk in chunks for f in chunk}
    assert sorted(forecasts) == sorted(t.office_code for t in tasks)
    for task in tasks:
        # Short histories: the fallback, computed in the workers as it is here.
        expected = weekday_median(task.values, start, 90, calendar)
        np.testing.assert_array_equal(forecasts[task.office_code].mean, expected)
