"""Smoothed scores and NPS: the arithmetic against hand-computed cases, then the grouped query."""

import datetime as dt

import pytest

from sojourn.feedback import scores
from sojourn.feedback.masking import mask_numbers, public_name
from sojourn.feedback.scores import (
    RatingTotals,
    net_promoter_score,
    nps_of,
    smoothed_mean,
    summarise,
)
from sojourn.feedback.tables import RATING_ASPECTS
from tests import factories


def totals(count: int, per_aspect: float, promoters: int = 0, detractors: int = 0) -> RatingTotals:
    return RatingTotals(count, {aspect: per_aspect for aspect in RATING_ASPECTS}, promoters, detractors)


# --- smoothing: score = (C·m + Σx) / (C + n) ----------------------------------------------------


@pytest.mark.parametrize(
    ("total", "count", "prior", "weight", "expected"),
    [
        (0, 0, 4.2, 10, 4.2),  # no reviews: the alliance mean itself
        (10, 2, 4.0, 10, 50 / 12),  # two 5s move 4.0 only to 4.1667
        (5, 1, 3.0, 10, 35 / 11),  # one 5 cannot top the list: 3.1818
        (450, 90, 3.0, 10, 4.8),  # ninety 5s: 90% of the way
        (30, 10, 4.0, 10, 3.5),  # ten 3s: exactly halfway between 4 and 3
        (7, 2, 4.0, 0, 3.5),  # without a prior: the plain mean
    ],
)
def test_smoothed_mean_matches_hand_computed_cases(total, count, prior, weight, expected):
    assert smoothed_mean(total, count, prior, weight) == pytest.approx(expected)


def test_prior_weight_is_ten_reviews():
    assert scores.PRIOR_WEIGHT == 10
    assert smoothed_mean(50, 10, 3.0) == pytest.approx(4.0)  # (10·3 + 50) / 20


def test_smoothed_mean_refuses_nonsense():
    with pytest.raises(ValueError):
        smoothed_mean(0, 0, 3.0, 0)
    with pytest.raises(ValueError):
        smoothed_mean(5, -1, 3.0)


# --- NPS = %promoters (9–10) − %detractors (0–6) ------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected", "reliable"),
    [
        ([], None, False),  # n = 0: no score at all
        ([10] * 12, 100.0, False),  # all promoters, too few to rely on
        ([9] * 30, 100.0, True),  # all promoters, exactly 30 answers: reliable
        ([0, 6] * 15, -100.0, True),  # all detractors
        ([7, 8] * 20, 0.0, True),  # all passives
        ([10] * 15 + [8] * 5 + [3] * 10, 100 * (15 - 10) / 30, True),  # exactly 30: 16.7
        ([10] * 15 + [8] * 4 + [3] * 10, 100 * (15 - 10) / 29, False),  # 29 answers: not yet
        ([10, 9, 8, 7, 6, 0], 0.0, False),  # the boundaries: 9 promotes, 7 is passive, 6 detracts
        ([9, 9, 7], 100 * 2 / 3, False),
    ],
)
def test_nps_matches_hand_computed_cases(answers, expected, reliable):
    result = nps_of(answers)
    assert result.answers == len(answers)
    assert result.reliable is reliable
    assert result.promoters + result.passives + result.detractors == len(answers)
    if expected is None:
        assert result.score is None
    else:
        assert result.score == pytest.approx(round(expected, 1))
        assert net_promoter_score(result.promoters, result.detractors, result.answers) == pytest.approx(expected)


def test_nps_counts_must_fit_the_answers():
    with pytest.raises(ValueError):
        net_promoter_score(3, 2, 4)


# --- a base against the alliance ----------------------------------------------------------------


def test_few_reviews_are_pulled_towards_the_alliance_mean():
    # The alliance: 2 reviews of 5 at base A, 8 reviews of 3 at base B → m = (10 + 24) / 10 = 3.4.
    alliance = totals(10, 34)
    a = summarise(1, totals(2, 10, promoters=2), alliance)
    b = summarise(2, totals(8, 24, detractors=8), alliance)
    assert a.aspects.food.score == pytest.approx(round(44 / 12, 2))  # (10·3.4 + 10) / 12 = 3.67
    assert a.aspects.food.average == 5.0 and a.aspects.food.count == 2
    assert b.overall.score == pytest.approx(round(58 / 18, 2))  # (34 + 24) / 18 = 3.22
    assert a.nps.score == 100.0 and a.nps_reliable is False
    assert b.nps.score == -100.0


def test_a_base_without_reviews_shows_no_score_but_a_zero_count():
    empty = summarise(3, totals(0, 0), totals(10, 34))
    assert empty.review_count == 0
    assert empty.overall.score is None and empty.overall.count == 0
    assert empty.aspects.safety.score is None
    assert empty.nps.score is None and empty.nps.answers == 0 and empty.nps_reliable is False


def test_overall_is_the_mean_of_each_reviews_mean():
    # One review: accommodation 5, the seven other aspects 3 → its mean is 26 / 8 = 3.25.
    review = RatingTotals(1, {**{aspect: 3 for aspect in RATING_ASPECTS}, "accommodation": 5})
    assert review.overall_sum == pytest.approx(3.25)
    result = summarise(1, review, review, prior_weight=10)
    assert result.overall.score == pytest.approx(3.25)  # alone in the alliance: m is its own mean
    assert result.aspects.accommodation.score == 5.0


# --- public names and numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [("王秀兰", "王**"), ("李明", "李**"), ("Mary Smith", "Mary"), ("Alice", "A**"), ("  ", "**")],
)
def test_public_names_are_never_full_names(name, shown):
    assert public_name(name) == shown


def test_long_numbers_in_comments_are_masked():
    assert mask_numbers("有事打13800138000找我") == "有事打138******00找我"
    assert mask_numbers("身份证11010119550412123X") == "身份证110*************3X"
    assert mask_numbers("住了 30 天，房间 1203") == "住了 30 天，房间 1203"


# --- the grouped query --------------------------------------------------------------------------


@pytest.fixture
async def rated_world(db):
    world = await factories.small_world(start=dt.date(2027, 1, 10))
    senior = await factories.account("13800000001")
    people = [await factories.traveller(senior, name=f"旅客{i}") for i in range(11)]
    sanya = world.tours["vacation"]  # at the Sanya base
    hulunbuir = world.tours["interactive"]  # at the Hulunbuir base

    async def stay_with_feedback(tour, person, rating, nps, **extra):
        stay = await factories.past_stay(
            tour,
            senior,
            [person["id"]],
            arrival=dt.date(2027, 1, 20),
            departure=dt.date(2027, 1, 27),
        )
        return await factories.feedback(stay, person["id"], ratings=rating, nps=nps, **extra)

    for person in people[:2]:
        await stay_with_feedback(sanya, person, 5, 10)
    for person in people[2:10]:
        await stay_with_feedback(hulunbuir, person, 3, 5)
    await stay_with_feedback(sanya, people[10], 1, 0, hidden=True)  # hidden: counts nowhere
    return world


async def test_base_scores_smooth_every_base_in_one_answer(rated_world):
    sanya = rated_world.bases["sanya"]["id"]
    hulunbuir = rated_world.bases["hulunbuir"]["id"]
    everything = await scores.base_scores()
    assert set(everything) == {sanya, hulunbuir}
    assert everything[sanya].review_count == 2  # the hidden review is not counted
    assert everything[sanya].overall.score == pytest.approx(round(44 / 12, 2))  # m = 3.4, as above
    assert everything[hulunbuir].aspects.medical.score == pytest.approx(round(58 / 18, 2))
    assert everything[hulunbuir].nps.detractors == 8 and everything[hulunbuir].nps.score == -100.0


async def test_base_scores_of_some_bases_still_use_the_whole_alliance_mean(rated_world):
    sanya = rated_world.bases["sanya"]["id"]
    only = await scores.base_scores([sanya, 999_999])
    assert set(only) == {sanya}  # unknown ids are left out
    assert only[sanya].overall.score == pytest.approx(round(44 / 12, 2))


async def test_base_scores_without_any_feedback(db):
    world = await factories.small_world(start=dt.date(2027, 1, 10))
    result = await scores.base_scores([world.bases["sanya"]["id"]])
    assert result[world.bases["sanya"]["id"]].review_count == 0
    assert result[world.bases["sanya"]["id"]].overall.score is None
