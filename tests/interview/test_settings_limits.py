"""Issue 14: every way a time limit or a stored setting reaches `InterviewSettings` (command line,
start screen, config.toml, a resumed or imported session) gives values the interview can use."""

from __future__ import annotations

import math

import pytest

from interviewer.core.interview.settings import MAX_TIME_LIMIT, InterviewSettings


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (math.inf, None),
        (-math.inf, None),
        (math.nan, None),
        (0.0, None),
        (-60.0, None),
        (1e308, MAX_TIME_LIMIT),
        (90.0, 90.0),
    ],
)
def test_a_time_limit_is_finite_positive_and_at_most_a_day(
    given: float, kept: float | None
) -> None:
    assert InterviewSettings(time_limit=given).time_limit == kept
    assert InterviewSettings.from_dict({"time_limit": given}).time_limit == kept


def test_a_damaged_stored_settings_row_falls_back_to_defaults() -> None:
    settings = InterviewSettings.from_dict(
        {
            "bank_id": 7,
            "categories": "Caching",  # a string, not a list: not one category per letter
            "difficulties": [1, "Mid"],
            "count": "lots",
            "order": "sideways",
            "time_limit": "soon",
        }
    )
    assert settings == InterviewSettings(difficulties=("Mid",))
