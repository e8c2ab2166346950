"""Points nomogram: hand-computed points, the map back to probability, validation, the TIPM example patient."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hccrep.nomogram import build_nomogram, nomogram_figure, ranges_from_data


def _toy():
    # a in [0, 1] with b = 2: effect range 2; c in [0, 10] with b = -0.5: effect range 5 (the largest)
    return build_nomogram(
        {"a": 2.0, "c": -0.5}, {"a": (0.0, 1.0), "c": (0.0, 10.0)}, intercept=-1.0
    )


def test_points_by_hand():
    nomo = _toy()
    # scale = 5 / 100 = 0.05 log-odds per point.
    # c: points = (-0.5 x - (-5)) / 0.05 = 100 - 10 x, so c = 4 gives 60 points and c = 0 gives 100
    # a: points = (2 x - 0) / 0.05 = 40 x, so a = 1 gives 40 points
    pts = nomo.points({"a": 1.0, "c": 4.0})
    assert pts == pytest.approx({"a": 40.0, "c": 60.0, "total": 100.0})
    assert nomo.term_points("c", 0.0) == pytest.approx(100.0)
    assert nomo.scale == pytest.approx(0.05)


def test_total_points_map_back_to_the_model_probability():
    nomo = _toy()
    # the model itself: lp = -1 + 2 * 1 - 0.5 * 4 = -1, p = 1 / (1 + e) = 0.268941
    assert nomo.linear_predictor(100.0) == pytest.approx(-1.0)
    assert nomo.probability(100.0) == pytest.approx(1 / (1 + math.e))
    for p in (0.05, 0.3, 0.9):
        assert nomo.probability(nomo.total_for_probability(p)) == pytest.approx(p)
    d = pd.DataFrame({"a": [0.0, 1.0], "c": [10.0, 0.0]})
    np.testing.assert_allclose(nomo.total_points(d), [0.0, 140.0])


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="same predictors"):
        build_nomogram({"a": 1.0}, {"b": (0, 1)}, 0.0)
    with pytest.raises(ValueError, match=r"ranges\['a'\]"):
        build_nomogram({"a": 1.0}, {"a": (1, 1)}, 0.0)
    with pytest.raises(ValueError, match="every coefficient is zero"):
        build_nomogram({"a": 0.0}, {"a": (0, 1)}, 0.0)
    with pytest.raises(ValueError, match="no value for predictor 'c'"):
        _toy().points({"a": 1.0})
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        _toy().total_for_probability(1.0)
    with pytest.raises(ValueError, match="constant"):
        ranges_from_data(pd.DataFrame({"x": [1.0, 1.0]}), ["x"])


def test_tipm_example_patient_by_hand_equals_the_fitted_model():
    from hccrep.replication import runner_for
    from hccrep.studies.tu2025 import design_matrix

    runner = runner_for("tu2025")
    cohort = runner.simulate(runner.study.meta.book_seed)
    d = design_matrix(cohort)
    fit = runner.fit(cohort, "combined")
    nomo = runner.nomogram(cohort)
    patient = d.iloc[0][list(fit.names[1:])].to_dict()
    # by hand: points of each predictor from its coefficient, its range and the largest effect range
    coefs = dict(zip(fit.names[1:], fit.coef[1:]))
    train = d[cohort["cohort"] == "train"]
    ranges = {k: (train[k].min(), train[k].max()) for k in coefs}
    biggest = max(abs(b) * (ranges[k][1] - ranges[k][0]) for k, b in coefs.items())
    by_hand = {
        k: 100 * (b * patient[k] - min(b * ranges[k][0], b * ranges[k][1])) / biggest
        for k, b in coefs.items()
    }
    pts = nomo.points(patient)
    for k in coefs:
        assert pts[k] == pytest.approx(by_hand[k])
    assert nomo.probability(pts["total"]) == pytest.approx(fit.predict(d.iloc[[0]])[0])


def test_figure_has_alt_text():
    import matplotlib

    matplotlib.use("Agg")
    from hccrep.plots import alt_text

    fig = nomogram_figure(_toy(), {"a": "Flag", "c": "Score"}, title="Toy")
    assert "2 predictors" in alt_text(fig) and "Flag" in alt_text(fig)
