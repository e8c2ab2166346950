"""The declared kinds about fitted prediction models (model_metric, best_model, top_importance,
dca_superiority, pdp_direction) and the FittedCollection behind them.

References: hand derivations on small invented data (stated per test), scikit-survival's public
metrics (``sksurv.metrics``) and lifelines' ``concordance_index`` called directly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from hccrep.analyses import MODEL_COLLECTIONS, CohortView, compute, register_models
from hccrep.declared import parse_analysis
from hccrep.survival_models import (
    FittedCollection,
    fit_models,
    grouped_permutation_importance,
    surv_array,
)

GRID = np.arange(1.0, 21.0)  # the stub models' time grid: 1, 2, ..., 20


class Stub:
    """An invented survival model: S(t | x) = exp(-t * 0.1 * exp(sign * x[column])).

    Its risk score is ``sign * x[column]``, so its ranking and survival are known by hand.
    """

    def __init__(self, column: str, sign: float = 1.0):
        self.column, self.sign = column, sign
        self.unique_times_ = GRID

    def predict(self, X):
        return self.sign * X[self.column].to_numpy(float)

    def predict_survival_function(self, X, return_array=False):
        rate = 0.1 * np.exp(self.predict(X))
        return np.exp(-np.outer(rate, GRID))


@pytest.fixture()
def registry():
    """Register collections for one test and remove them afterwards."""
    names = []

    def add(name, build):
        register_models(name)(build)
        names.append(name)

    yield add
    for n in names:
        MODEL_COLLECTIONS.pop(n, None)


def _view() -> CohortView:
    return CohortView(pd.DataFrame({"g": ["x", "y"]}), group="g")


def _claim(raw: dict, view: CohortView) -> float:
    return compute(parse_analysis(raw), view, "statement").value


# ----------------------------------------------------------------------------- the declarations


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"metric": "c_index", "horizon": 6}, "no horizon"),
        ({"metric": "brier"}, "needs a horizon"),
        (
            {"metric": "td_auc", "horizon": 6, "variant": "uno"},
            "C-index variant; a td_auc has none",
        ),
        ({"metric": "c_index", "modle": "cox"}, "modle"),
        ({"metric": "c_index", "dataset": "test"}, "dataset"),
    ],
)
def test_model_metric_declarations_are_validated(raw, message):
    base = {"kind": "model_metric", "collection": "z", "model": "cox"}
    with pytest.raises(ValidationError, match=message):
        parse_analysis({**base, **raw})


def test_claim_declarations_are_validated():
    with pytest.raises(ValidationError, match="k = 3"):
        parse_analysis(
            {
                "kind": "top_importance",
                "collection": "z",
                "model": "rsf",
                "horizons": [6],
                "k": 3,
                "variables": ["a", "b"],
            }
        )
    with pytest.raises(ValidationError, match="not among"):
        parse_analysis(
            {
                "kind": "best_model",
                "collection": "z",
                "model": "rsf",
                "metric": "c_index",
                "among": ["cox", "gbsa"],
            }
        )
    a = parse_analysis({"kind": "dca_superiority", "collection": "z", "model": "rsf", "horizon": 6})
    assert a.dataset == "validation" and a.min_run == 10


def test_an_unregistered_collection_is_a_named_error():
    a = parse_analysis(
        {"kind": "model_metric", "collection": "nobody", "model": "m", "metric": "c_index"}
    )
    with pytest.raises(KeyError, match="nobody"):
        compute(a, _view(), "c_index")


def test_a_collection_that_cannot_be_fitted_gives_nan_once(registry):
    calls = []

    def build(view):
        calls.append(1)
        raise ValueError("too few events")

    registry("failing", build)
    view = _view()
    for metric in ("c_index", "c_index"):
        a = parse_analysis(
            {
                "kind": "model_metric",
                "collection": "failing",
                "model": "m",
                "metric": metric,
                "dataset": "training",
            }
        )
        res = compute(a, view, "c_index")
        assert math.isnan(res.value) and "too few events" in res.variant
    a2 = parse_analysis(
        {"kind": "best_model", "collection": "failing", "model": "m", "metric": "c_index"}
    )
    assert math.isnan(compute(a2, view, "statement").value)
    assert len(calls) == 1  # the failure is remembered on the view


# ----------------------------------------------------------------------------- hand-derived values


def _uncensored():
    """Six patients, every death observed, risks in the order of their deaths.

    a = 3, 2, 1, 0, -1, -2 for deaths at 1.5, 2.5, ..., 6.5: a higher ``a`` dies earlier.
    """
    X = pd.DataFrame({"a": [3.0, 2, 1, 0, -1, -2], "b": [0.0, 1, 0, 1, 0, 1]})
    y = surv_array(np.array([1.5, 2.5, 3.5, 4.5, 5.5, 6.5]), np.ones(6, dtype=bool))
    return X, y


def test_metrics_by_hand_on_uncensored_data(registry):
    """Hand derivations. Harrell's C of a risk score in the order of the deaths is 1, of the
    reversed score 0. Without censoring the IPCW weights are 1, so the Brier score at t is
    mean((S(t|x) - 1{T > t})^2) with S(t|x) = exp(-0.1 t e^a)."""
    X, y = _uncensored()
    models = {"good": Stub("a"), "bad": Stub("a", -1.0)}
    registry("hand", lambda view: FittedCollection(models, X, y, X, y, horizons=[3]))
    view = _view()

    def metric(model, metric, **kw):
        raw = {"kind": "model_metric", "collection": "hand", "model": model, "metric": metric, **kw}
        return compute(parse_analysis(raw), view, "c_index").value

    assert metric("good", "c_index") == 1.0
    assert metric("bad", "c_index") == 0.0
    s = np.exp(-0.1 * 3 * np.exp(X["a"].to_numpy()))
    alive = np.array([0, 0, 1, 1, 1, 1])  # deaths at 1.5 and 2.5 precede t = 3
    assert metric("good", "brier", horizon=3) == pytest.approx(np.mean((s - alive) ** 2))
    # AUC at 3: cases die by 3 (a = 3, 2), controls survive; the good score ranks them all
    assert metric("good", "td_auc", horizon=3) == 1.0
    assert metric("bad", "td_auc", horizon=3) == 0.0
    claim = {"kind": "best_model", "collection": "hand", "metric": "c_index", "dataset": "training"}
    assert _claim({**claim, "model": "good"}, view) == 1.0
    assert _claim({**claim, "model": "bad"}, view) == 0.0
    brier = {**claim, "metric": "brier", "horizons": [3]}
    assert _claim({**brier, "model": "good"}, view) == 1.0


def test_importance_and_partial_dependence_by_hand(registry):
    """Hand derivations. A model that reads only ``a`` loses nothing when ``b`` is shuffled, so
    b's importance is exactly 0 and ``a`` ranks first. Its partial dependence on the indicator
    ``x=hi`` (the only column of variable x) compares exp(-0.1 t e^1) with exp(-0.1 t): worse."""
    rng = np.random.default_rng(0)
    n = 60
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = surv_array(rng.exponential(10 * np.exp(-X["a"])), np.ones(n, dtype=bool))
    col = FittedCollection({"m": Stub("a")}, X, y, X, y, horizons=[2, 4], seed=3)
    imp = col.importance("m", "validation", [2, 4])
    assert (imp.loc[imp.variable == "b", "importance"] == 0).all()
    assert (imp.loc[imp.variable == "a", "rank"] == 1).all()
    registry("imp", lambda view: col)
    view = _view()
    top = {"kind": "top_importance", "collection": "imp", "model": "m", "horizons": [2, 4]}
    assert _claim({**top, "k": 1, "variables": ["a"]}, view) == 1.0
    assert _claim({**top, "k": 1, "variables": ["b"]}, view) == 0.0

    Xc = pd.DataFrame({"x=hi": [0.0, 1, 0, 1], "x=mid": [0.0, 0, 1, 0]})
    yc = surv_array(np.array([3.0, 5, 7, 9]), np.ones(4, dtype=bool))
    pdc = FittedCollection(
        {"m": Stub("x=hi")}, Xc, yc, Xc, yc, groups={"x": ["x=hi", "x=mid"]}, horizons=[4]
    )
    tab = pdc.partial_dependence("m", "validation", [4]).set_index("level")
    assert tab.loc["hi", "survival_level"] == pytest.approx(math.exp(-0.4 * math.e))
    assert tab.loc["hi", "survival_reference"] == pytest.approx(math.exp(-0.4))
    assert tab.loc["mid", "survival_level"] == tab.loc["mid", "survival_reference"]
    registry("pdp", lambda view: pdc)
    pdp = {
        "kind": "pdp_direction",
        "collection": "pdp",
        "model": "m",
        "variable": "x",
        "horizons": [4],
    }
    assert _claim({**pdp, "level": "hi", "direction": "worse"}, view) == 1.0
    assert _claim({**pdp, "level": "hi", "direction": "better"}, view) == 0.0
    # no change at all is neither worse nor better
    assert _claim({**pdp, "level": "mid", "direction": "worse"}, view) == 0.0


def _ten_patients_dca():
    """The data of the decision-curve hand derivations: ten patients, five die at 1 and five live
    past 5, nobody censored; ``Fixed(risk)`` is a model that predicts one fixed risk per patient."""
    time = np.array([1.0] * 5 + [6.0] * 5)
    y = surv_array(time, np.array([True] * 5 + [False] * 5))
    X = pd.DataFrame({"a": [1.0] * 5 + [0.0] * 5})

    class Fixed(Stub):
        def __init__(self, risk):
            super().__init__("a")
            self.risk = np.asarray(risk)

        def predict_survival_function(self, X, return_array=False):
            return np.repeat((1 - self.risk)[:, None], GRID.size, axis=1)

    return X, y, Fixed


def test_decision_curve_claim_by_hand(registry):
    """Hand derivation. Ten patients, five die at 1 and five live past 5, nobody censored. A
    model with risk 0.875 for the five deaths and 0.125 for the others (both exact in binary)
    treats exactly the deaths at every threshold in (0.125, 0.875]: net benefit 0.5, while
    treat-all gives 0.5 - 0.5 pt/(1 - pt) (below 0.5 for every pt > 0) and treat-none 0: the
    model wins on 0.13 ... 0.87, 75 thresholds in a row. Below 0.125 it treats everyone (equal
    to treat-all), above 0.875 no one (equal to treat-none). A model giving everyone the same
    risk equals treat-all or treat-none at each threshold and never wins strictly."""
    X, y, Fixed = _ten_patients_dca()
    models = {"sharp": Fixed([0.875] * 5 + [0.125] * 5), "flat": Fixed([0.5] * 10)}
    col = FittedCollection(models, X, y, X, y, horizons=[5])
    nb = col.net_benefit("sharp", "validation", 5, np.array([0.5]))
    assert nb["model"].item() == pytest.approx(0.5)
    assert nb["treat_all"].item() == pytest.approx(0.0)
    registry("dca", lambda view: col)
    view = _view()
    dca = {"kind": "dca_superiority", "collection": "dca", "horizon": 5}
    assert _claim({**dca, "model": "sharp", "min_run": 75}, view) == 1.0
    assert _claim({**dca, "model": "sharp", "min_run": 76}, view) == 0.0
    assert _claim({**dca, "model": "flat", "min_run": 1}, view) == 0.0


# ----------------------------------------------------------------------------- against the libraries


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(11)
    n = 240
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c=1": (rng.random(n) < 0.4).astype(float),
        }
    )
    t = rng.exponential(12 * np.exp(-0.8 * X["a"] - 0.5 * X["c=1"]))
    cens = rng.exponential(30, n)
    y = surv_array(np.minimum(t, cens), t <= cens)
    tr, te = np.arange(150), np.arange(150, n)
    y_te = y[te].copy()
    last = y[tr]["time"].max()
    over = y_te["time"] >= last
    y_te["time"][over], y_te["event"][over] = np.nextafter(last, 0), False
    models = fit_models(X.iloc[tr], y[tr], seed=1, fast=True, names=("cox", "rsf"))
    return FittedCollection(models, X.iloc[tr], y[tr], X.iloc[te], y_te, horizons=[3, 6], seed=5)


def test_metrics_equal_scikit_survival_and_lifelines(fitted):
    """References: sksurv.metrics (concordance_index_censored, concordance_index_ipcw,
    brier_score, cumulative_dynamic_auc, integrated_brier_score) and lifelines'
    concordance_index, each called directly on the models' predictions."""
    from lifelines.utils import concordance_index
    from sksurv.metrics import (
        brier_score,
        concordance_index_censored,
        concordance_index_ipcw,
        cumulative_dynamic_auc,
        integrated_brier_score,
    )

    (_, y_tr), (X, y) = fitted.data("training"), fitted.data("validation")
    for name, m in fitted.fitted.items():
        score = m.predict(X)
        c = fitted.metric(name, "c_index", "validation")
        assert c == concordance_index_censored(y["event"], y["time"], score)[0]
        assert c == pytest.approx(concordance_index(y["time"], -score, y["event"]), abs=1e-12)
        uno = fitted.metric(name, "c_index", "validation", variant="uno")
        assert uno == pytest.approx(concordance_index_ipcw(y_tr, y, score, tau=6)[0], abs=1e-12)
        fns = m.predict_survival_function(X)
        S = np.array([[f(3.0), f(6.0)] for f in fns])
        bs = brier_score(y_tr, y, S, [3.0, 6.0])[1]
        auc = cumulative_dynamic_auc(y_tr, y, 1 - S, [3.0, 6.0])[0]
        for i, h in enumerate((3.0, 6.0)):
            assert fitted.metric(name, "brier", "validation", h) == pytest.approx(bs[i], abs=1e-12)
            assert fitted.metric(name, "td_auc", "validation", h) == pytest.approx(
                auc[i], abs=1e-12
            )
        grid = np.linspace(np.percentile(y["time"], 10), 6.0, 50)
        S_grid = np.array([f(grid) for f in fns])
        ibs = integrated_brier_score(y_tr, y, S_grid, grid)
        assert fitted.metric(name, "ibs", "validation", 6.0) == pytest.approx(ibs, abs=1e-12)
    assert fitted.best("c_index", "validation") in ("cox", "rsf")


def test_grouped_importance_equals_shuffling_one_copy_at_a_time(fitted):
    """Reference: each shuffled copy predicted on its own and scored with sksurv's brier_score
    (the batched prediction must not change a value)."""
    from sksurv.metrics import brier_score

    (_, y_tr), (X, y) = fitted.data("training"), fitted.data("validation")
    m = fitted.model("rsf")
    groups = {"a": ["a"], "bc": ["b", "c=1"]}
    got = grouped_permutation_importance(m, X, y, y_tr, groups, [3, 6], seed=4, n_repeats=2)
    rng = np.random.default_rng(4)
    t = np.array([3.0, 6.0])

    def loss(Z):
        S = np.array([[f(3.0), f(6.0)] for f in m.predict_survival_function(Z)])
        return brier_score(y_tr, y, S, t)[1]

    base = loss(X)
    for g, cols in groups.items():
        inc = np.zeros(2)
        for _ in range(2):
            Z = X.copy()
            Z[cols] = X[cols].to_numpy()[rng.permutation(len(X))]
            inc += loss(Z) - base
        for h, v in zip(t, inc / 2):
            row = got[(got.variable == g) & (got.horizon == h)]
            assert row["importance"].item() == pytest.approx(v, abs=1e-12)


def test_unknown_variables_and_levels_of_model_claims_are_named_at_load(tmp_path):
    """A model claim naming a column or level the cohort does not have is a DataFileError that
    names the file, the number and the field (deng2025's files with two invented typos)."""
    import shutil
    from pathlib import Path

    from hccrep.spec import DataFileError, load_study

    src = Path(__file__).resolve().parents[1] / "data" / "deng2025"
    shutil.copytree(src, tmp_path / "deng2025")
    p = tmp_path / "deng2025" / "text.yaml"
    text = p.read_text()
    text = text.replace("variable: afp, level: ge400", "variable: afp, level: ge401")
    text = text.replace("variables: [size, pvtt]", "variables: [size, pvttt]")
    p.write_text(text)
    with pytest.raises(DataFileError) as err:
        load_study("deng2025", data_dir=tmp_path)
    msg = str(err.value)
    assert "text.yaml" in msg and "claim_importance_24m_top2).analysis.variables" in msg
    assert "unknown level 'ge401' of 'afp'" in msg


def test_decision_curve_claim_on_a_declared_threshold_range(registry):
    """Hand derivation, the data of the test above: the sharp model wins strictly on
    0.13 ... 0.87. On a declared range 0.50 ... 0.95 (step 0.01) that leaves 0.50 ... 0.87,
    38 thresholds in a row; on 0.90 ... 0.95 it wins nowhere."""
    X, y, Fixed = _ten_patients_dca()
    col = FittedCollection({"sharp": Fixed([0.875] * 5 + [0.125] * 5)}, X, y, X, y, horizons=[5])
    registry("dca", lambda view: col)
    view = _view()
    dca = {"kind": "dca_superiority", "collection": "dca", "horizon": 5, "model": "sharp"}
    upper = {"start": 0.5, "stop": 0.95, "step": 0.01, "why": "a test range"}
    assert _claim({**dca, "thresholds": upper, "min_run": 38}, view) == 1.0
    assert _claim({**dca, "thresholds": upper, "min_run": 39}, view) == 0.0
    top = {"start": 0.9, "stop": 0.95, "step": 0.01, "why": "a test range"}
    assert _claim({**dca, "thresholds": top, "min_run": 1}, view) == 0.0


def test_a_declared_threshold_range_needs_a_reason_and_room_for_the_run():
    base = {"kind": "dca_superiority", "collection": "z", "model": "rsf", "horizon": 6}
    with pytest.raises(ValidationError, match="source.*why"):
        parse_analysis({**base, "thresholds": {"start": 0.1, "stop": 0.5, "step": 0.01}})
    with pytest.raises(ValidationError, match="min_run 10 exceeds the 5 thresholds"):
        parse_analysis({**base, "thresholds": {"start": 0.1, "stop": 0.5, "step": 0.1, "why": "w"}})
    a = parse_analysis(
        {
            **base,
            "thresholds": {"start": 0.1, "stop": 0.5, "step": 0.1, "source": "Fig. 3"},
            "min_run": 5,
        }
    )
    assert a.threshold_values().tolist() == [0.1, 0.2, 0.3, 0.4, 0.5]
