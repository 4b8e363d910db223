"""The A/B statistics: Wilson intervals, the sample a difference needs, and no winner on too little data.

Oracles are published figures, not the code: Wilson's interval for 0/10 and 5/10 (Newcombe 1998,
table I), and 686 per group to tell 10 % from 15 % at 5 % two-sided and 80 % power (the textbook
two-proportion example, Fleiss without continuity correction).
"""

import pytest

from nurture.console.abtest import MIN_SAMPLE, Arm, compare, sample_size, wilson


def test_wilson_interval_matches_the_published_figures():
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=5e-4)
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.2366, abs=5e-4) and high == pytest.approx(0.7634, abs=5e-4)
    low, high = wilson(10, 10)
    assert high == 1.0 and low == pytest.approx(0.7225, abs=5e-4)


def test_wilson_of_nothing_is_the_whole_range_and_a_bad_count_is_refused():
    assert wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_sample_size_for_ten_against_fifteen_percent_is_686_per_variant():
    assert sample_size(0.10, 0.15) == 686
    assert sample_size(0.15, 0.10) == 686
    assert sample_size(0.2, 0.2) is None


def test_no_winner_on_too_little_data_however_big_the_difference():
    verdict = compare([Arm("a", 5, 5), Arm("b", 0, 5)])
    assert verdict.winner is None and verdict.leader == "a"
    assert "too little data" in verdict.reason
    assert verdict.more == {"a": MIN_SAMPLE - 5, "b": MIN_SAMPLE - 5}


def test_not_yet_until_each_variant_has_the_sample_the_difference_needs():
    verdict = compare([Arm("a", 30, 300), Arm("b", 45, 300)])  # 10 % vs 15 %: 686 each needed
    assert verdict.winner is None and verdict.leader == "b"
    assert verdict.needed_per_arm == 686 and verdict.more == {"a": 386, "b": 386}
    assert "686" in verdict.reason


def test_a_significant_difference_on_enough_data_has_a_winner():
    verdict = compare([Arm("a", 100, 1000), Arm("b", 150, 1000)])
    assert verdict.winner == "b" and verdict.more == {"a": 0, "b": 0}


def test_equal_rates_on_plenty_of_data_have_no_winner():
    verdict = compare([Arm("a", 100, 1000), Arm("b", 100, 1000)])
    assert verdict.winner is None and "no difference" in verdict.reason


def test_no_clicks_at_all_has_no_leader():
    verdict = compare([Arm("a", 0, 500), Arm("b", 0, 500)])
    assert verdict.leader is None and verdict.winner is None


def test_a_single_variant_is_not_compared():
    assert compare([Arm("a", 3, 10)]).winner is None
