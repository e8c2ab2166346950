"""Handlers of the declared kinds about a study's fitted prediction models.

A paper that fits several survival models reports their metrics (C-index,
Brier score, time-dependent AUC per model, on the training or validation
set) and makes claims about them: which model is best, which variables rank
highest in importance, that the decision curve beats the defaults, in which
direction a variable moves the partial dependence. The models themselves are
particular to the paper: its study module registers them as a named
collection (:func:`hccrep.analyses.register_models`). Everything said about
them is generic, computed here from the
:class:`hccrep.survival_models.FittedCollection` that the collection returns,
once per cohort.

A claim is replicated as 1.0 (it holds on the cohort) or 0.0 (it does not).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from hccrep.analyses import CohortView, compute, register_models, MODEL_COLLECTIONS
>>> from hccrep.declared import parse_analysis
>>> from hccrep.survival_models import FittedCollection, fit_models, surv_array
>>> rng = np.random.default_rng(4)
>>> X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
>>> y = surv_array(rng.exponential(12 * np.exp(-X["a"])), rng.random(200) < 0.8)
>>> @register_models("doc_pair")
... def _pair(view):
...     f = fit_models(X, y, seed=1, names=["cox", "survival_tree"])
...     return FittedCollection(f, X, y, X, y, horizons=[6])  # scored on its training data
>>> view = CohortView(pd.DataFrame({"g": ["x"] * 200}), group="g")
>>> a = parse_analysis({"kind": "top_importance", "collection": "doc_pair", "model": "cox",
...                     "horizons": [6], "k": 1, "variables": ["a"]})
>>> compute(a, view, "statement").value
1.0
>>> del MODEL_COLLECTIONS["doc_pair"]
"""

from __future__ import annotations

import numpy as np

from hccrep.analyses import CohortView, Replicated, register
from hccrep.declared import DCASuperiority

__all__ = ["DCA_THRESHOLDS"]

#: The threshold grid of a decision-curve claim that declares none: 0.01, 0.02, ..., 0.99.
DCA_THRESHOLDS = DCASuperiority.DEFAULT_THRESHOLDS.values()


def _holds(ok: bool, variant: str) -> Replicated:
    return Replicated(value=1.0 if ok else 0.0, variant=variant)


@register("model_metric")
def _model_metric(a, view: CohortView, quantity: str) -> Replicated:
    col = view.models(a.collection)
    variant = a.variant.used if a.variant is not None else "harrell"
    value = col.metric(a.model, a.metric, a.dataset, a.horizon, variant=variant, tau=a.tau)
    what = {
        "c_index": f"{'Harrell' if variant == 'harrell' else 'Uno'}'s C",
        "brier": f"IPCW Brier score at {a.horizon:g}" if a.horizon else "",
        "ibs": "integrated Brier score",
        "td_auc": f"cumulative/dynamic AUC at {a.horizon:g}" if a.horizon else "",
    }[a.metric]
    return Replicated(value=value, variant=f"{what}, {a.model}, {a.dataset} set (scikit-survival)")


@register("best_model")
def _best_model(a, view: CohortView, quantity: str) -> Replicated:
    col = view.models(a.collection)
    hs = a.horizons or [None]
    variant = a.variant.used if a.variant is not None else "harrell"
    winners = [col.best(a.metric, a.dataset, h, among=a.among, variant=variant) for h in hs]
    return _holds(
        all(w == a.model for w in winners),
        f"best {a.metric} on the {a.dataset} set: {', '.join(winners)}",
    )


@register("top_importance")
def _top_importance(a, view: CohortView, quantity: str) -> Replicated:
    col = view.models(a.collection)
    unknown = [v for v in a.variables if v not in col.groups]
    if unknown:
        raise ValueError(f"{unknown} are not variables of the collection {a.collection!r}")
    imp = col.importance(a.model, a.dataset, a.horizons, n_repeats=a.n_repeats)
    named = set(a.variables)
    # the table's columns as arrays: pandas masks cost more than the claim itself
    horizon, rank = imp["horizon"].to_numpy(float), imp["rank"].to_numpy()
    variable = imp["variable"].to_numpy(object)
    tops = [set(variable[np.isclose(horizon, h) & (rank <= a.k)]) for h in a.horizons]
    return _holds(
        all(t == named for t in tops),
        f"top {a.k} by grouped permutation importance (Brier loss, {a.n_repeats} shuffles), "
        f"{a.dataset} set",
    )


def _longest_run(flags) -> int:
    from hccrep.survival_models import longest_run

    return longest_run(flags)


@register("dca_superiority")
def _dca_superiority(a, view: CohortView, quantity: str) -> Replicated:
    col = view.models(a.collection)
    grid = a.threshold_values()
    nb = col.net_benefit(a.model, a.dataset, a.horizon, grid)
    model, treat_all, treat_none = (
        nb[c].to_numpy(float) for c in ("model", "treat_all", "treat_none")
    )
    better = model > np.maximum(treat_all, treat_none) + 1e-12
    return _holds(
        _longest_run(better) >= a.min_run,
        f"net benefit above both defaults on {a.min_run}+ consecutive thresholds of "
        f"{grid.min():g}-{grid.max():g}",
    )


@register("pdp_direction")
def _pdp_direction(a, view: CohortView, quantity: str) -> Replicated:
    col = view.models(a.collection)
    if a.variable not in col.groups:
        raise ValueError(f"{a.variable!r} is not a variable of the collection {a.collection!r}")
    pdp = col.partial_dependence(a.model, a.dataset, a.horizons)
    rows = (pdp["variable"].to_numpy(object) == a.variable) & (
        pdp["level"].to_numpy(object) == (a.level or "")
    )
    if not rows.any():
        raise ValueError(f"{a.variable!r} has no level {a.level!r} in the collection")
    diff = (
        pdp["survival_level"].to_numpy(float)[rows]
        - pdp["survival_reference"].to_numpy(float)[rows]
    )
    ok = (diff < 0).all() if a.direction == "worse" else (diff > 0).all()
    what = f"level {a.level}" if a.level else "upper vs lower quartile"
    return _holds(bool(ok), f"partial dependence of {a.variable} ({what}), {a.dataset} set")
