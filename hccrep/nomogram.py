"""Points nomogram of a logistic model (the rms ``nomogram`` convention).

A nomogram turns a fitted logistic model ``logit p = b0 + sum_j b_j x_j`` into
points a clinician can add up by hand:

* each predictor ``j`` has a range ``[low_j, high_j]`` (for a 0/1 indicator,
  ``[0, 1]``); its *effect range* is ``|b_j| (high_j - low_j)``;
* the predictor with the largest effect range is scaled to ``max_points``
  (100) points; every other predictor gets points in proportion:
  ``points_j(x) = max_points * (b_j x - min(b_j low_j, b_j high_j)) / R``
  with ``R`` the largest effect range, so every predictor's worst-for-score
  end is 0 points;
* the total of the points maps back to the linear predictor,
  ``lp = b0 + sum_j min(b_j low_j, b_j high_j) + total * R / max_points``,
  and to the probability ``1 / (1 + exp(-lp))``.

The ranges are a choice: R's ``rms::nomogram`` draws each axis over the
``datadist`` limits; here they are given explicitly (by default the observed
minimum and maximum of the fitting data, :func:`ranges_from_data`) and named
in ``Nomogram.variant``.  A total-points cut-off therefore depends on these
ranges, not only on the model.

Examples
--------
>>> nomo = build_nomogram({"x": 0.5, "flag": -1.0}, {"x": (0.0, 10.0), "flag": (0.0, 1.0)}, intercept=-2.0)
>>> nomo.points({"x": 10.0, "flag": 0.0})
{'x': 100.0, 'flag': 20.0, 'total': 120.0}
>>> round(nomo.probability(120.0), 4)
0.9526
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


__all__ = ["NomogramTerm", "Nomogram", "build_nomogram", "ranges_from_data", "nomogram_figure"]


@dataclass(frozen=True)
class NomogramTerm:
    """One predictor's axis: coefficient, range and the points of its two ends.

    Attributes
    ----------
    name : str
        The predictor.
    coef : float
        Its coefficient (log odds ratio per unit).
    low, high : float
        The ends of its axis.
    effect_range : float
        ``|coef| (high - low)``, in linear-predictor units (a property).
    min_effect : float
        The smaller of ``coef * low`` and ``coef * high`` (a property).
    """

    name: str
    coef: float
    low: float
    high: float

    @property
    def effect_range(self) -> float:
        return abs(self.coef) * (self.high - self.low)

    @property
    def min_effect(self) -> float:
        return min(self.coef * self.low, self.coef * self.high)


@dataclass(frozen=True)
class Nomogram:
    """A points nomogram; build it with :func:`build_nomogram`.

    Attributes
    ----------
    terms : tuple of NomogramTerm
        One per predictor.
    intercept : float
        The model's intercept.
    max_points : float
        Points of the term with the largest effect range.
    variant : str
        The scaling convention, in words.
    """

    terms: tuple[NomogramTerm, ...]
    intercept: float
    max_points: float
    variant: str

    @property
    def scale(self) -> float:
        """Linear-predictor units per point (largest effect range / max_points)."""
        return max(t.effect_range for t in self.terms) / self.max_points

    def _term(self, name: str) -> NomogramTerm:
        for t in self.terms:
            if t.name == name:
                return t
        raise KeyError(
            f"no predictor {name!r} in the nomogram; predictors are {[t.name for t in self.terms]}"
        )

    def term_points(self, name: str, x) -> np.ndarray | float:
        """Points of predictor ``name`` at value(s) ``x``."""
        t = self._term(name)
        xv = np.asarray(x, dtype=float)
        pts = (t.coef * xv - t.min_effect) / self.scale
        return float(pts) if pts.ndim == 0 else pts

    def points(self, patient: Mapping[str, float]) -> dict[str, float]:
        """Points of every predictor and their ``total`` for one patient.

        Raises
        ------
        ValueError
            If a predictor is missing from ``patient`` or not finite.
        """
        out: dict[str, float] = {}
        for t in self.terms:
            if t.name not in patient:
                raise ValueError(f"patient has no value for predictor {t.name!r}")
            x = float(patient[t.name])
            if not math.isfinite(x):
                raise ValueError(f"patient value of {t.name!r} must be finite, got {x}")
            out[t.name] = self.term_points(t.name, x)
        out["total"] = float(sum(out.values()))
        return out

    def total_points(self, data: pd.DataFrame) -> np.ndarray:
        """Total points of every row of ``data`` (one column per predictor)."""
        missing = [t.name for t in self.terms if t.name not in data.columns]
        if missing:
            raise ValueError(f"data lacks the predictor column(s) {missing}")
        return np.sum(
            [self.term_points(t.name, data[t.name].to_numpy(float)) for t in self.terms], axis=0
        )

    def linear_predictor(self, total) -> np.ndarray | float:
        """Linear predictor (log odds) of a total score."""
        lp = (
            self.intercept
            + sum(t.min_effect for t in self.terms)
            + np.asarray(total, dtype=float) * self.scale
        )
        return float(lp) if np.ndim(lp) == 0 else lp

    def probability(self, total) -> np.ndarray | float:
        """Predicted probability of a total score."""
        lp = self.linear_predictor(total)
        p = 1.0 / (1.0 + np.exp(-np.asarray(lp)))
        return float(p) if np.ndim(p) == 0 else p

    def total_for_probability(self, prob: float) -> float:
        """The total score whose predicted probability is ``prob`` (0 < prob < 1)."""
        if not 0.0 < prob < 1.0:
            raise ValueError(f"prob must lie strictly between 0 and 1, got {prob}")
        lp = math.log(prob / (1.0 - prob))
        return (lp - self.intercept - sum(t.min_effect for t in self.terms)) / self.scale


def build_nomogram(
    coefs: Mapping[str, float],
    ranges: Mapping[str, tuple[float, float]],
    intercept: float,
    *,
    max_points: float = 100.0,
) -> Nomogram:
    """A points nomogram from logistic coefficients and predictor ranges.

    Parameters
    ----------
    coefs : mapping name -> float
        The model's coefficients (log odds ratios), without the intercept.
    ranges : mapping name -> (low, high)
        The axis of each predictor (``(0, 1)`` for an indicator).
    intercept : float
        The model's intercept.
    max_points : float, default 100
        Points of the predictor with the largest effect range.

    Returns
    -------
    Nomogram

    Raises
    ------
    ValueError
        If a coefficient has no range (or the reverse), a range is empty or
        not finite, or every coefficient is zero.

    Examples
    --------
    >>> n = build_nomogram({"a": 2.0, "b": 1.0}, {"a": (0, 1), "b": (0, 1)}, intercept=0.0)
    >>> n.points({"a": 1, "b": 1})["total"]
    150.0
    """
    if set(coefs) != set(ranges):
        raise ValueError(
            f"coefs and ranges must name the same predictors; coefs {sorted(coefs)}, ranges {sorted(ranges)}"
        )
    if not coefs:
        raise ValueError("coefs is empty: a nomogram needs at least one predictor")
    if not (math.isfinite(max_points) and max_points > 0):
        raise ValueError(f"max_points must be positive, got {max_points}")
    if not math.isfinite(float(intercept)):
        raise ValueError(f"intercept must be finite, got {intercept}")
    terms = []
    for name, b in coefs.items():
        low, high = (float(v) for v in ranges[name])
        if not (math.isfinite(low) and math.isfinite(high) and high > low):
            raise ValueError(f"ranges[{name!r}] must be finite with high > low, got {(low, high)}")
        if not math.isfinite(float(b)):
            raise ValueError(f"coefs[{name!r}] must be finite, got {b}")
        terms.append(NomogramTerm(str(name), float(b), low, high))
    if max(t.effect_range for t in terms) == 0:
        raise ValueError("every coefficient is zero: there is nothing to scale")
    method = (
        f"points nomogram (rms convention): the largest effect range |b|(high - low) = {max_points:g} points, "
        "each axis from its given range, total points -> linear predictor -> logistic probability"
    )
    return Nomogram(tuple(terms), float(intercept), float(max_points), method)


def ranges_from_data(data: pd.DataFrame, columns) -> dict[str, tuple[float, float]]:
    """Observed (min, max) of each column: the default axis ranges.

    Parameters
    ----------
    data : DataFrame
        The data the model was fitted to.
    columns : iterable of str
        The model's predictors.

    Returns
    -------
    dict
        Column -> (min, max) of its observed values.

    Raises
    ------
    ValueError
        If a column is missing or constant.

    Examples
    --------
    >>> ranges_from_data(pd.DataFrame({"age": [40, 70, 55]}), ["age"])
    {'age': (40.0, 70.0)}
    """
    out = {}
    for c in columns:
        if c not in data.columns:
            raise ValueError(f"data has no column {c!r}")
        x = data[c].to_numpy(float)
        lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
        if not hi > lo:
            raise ValueError(f"column {c!r} is constant ({lo}): it has no range")
        out[c] = (lo, hi)
    return out


def nomogram_figure(
    nomo: Nomogram,
    labels: Mapping[str, str] | None = None,
    *,
    probabilities=(0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95),
    ticks: Mapping[str, list[float]] | None = None,
    title: str | None = None,
):
    """Draw the nomogram: a points ruler, one axis per predictor, total points and probability.

    Parameters
    ----------
    nomo : Nomogram
    labels : mapping name -> str, optional
        Axis labels (default: the predictor names).
    probabilities : sequence of float
        Ticks of the probability axis (those within the reachable range are drawn).
    ticks : mapping name -> list of float, optional
        Values to mark on each predictor axis (default: 5 evenly spaced values, or 0/1).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        With alt text (:func:`hccrep.plots.alt_text`).
    """
    # the plotting modules are imported here, not with the module: a Monte Carlo worker
    # computes nomogram points for every cohort and never draws
    from hccrep.plots import themed

    return themed(_draw)(nomo, labels, probabilities=probabilities, ticks=ticks, title=title)


def _draw(nomo: Nomogram, labels, *, probabilities, ticks, title):
    """The figure of :func:`nomogram_figure` (called under the book's theme)."""
    import matplotlib.pyplot as plt

    from hccrep.plots import FIGURE_WIDTH, set_alt_text

    labels = dict(labels or {})
    rows = (
        ["Points"]
        + [labels.get(t.name, t.name) for t in nomo.terms]
        + ["Total points", "Probability"]
    )
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 0.6 * len(rows) + 0.8))
    max_total = sum(t.effect_range for t in nomo.terms) / nomo.scale
    y = len(rows) - 1

    def ruler(yy, x0, x1, marks, texts):
        ax.plot([x0, x1], [yy, yy], color="0.2", lw=1)
        for m, s in zip(marks, texts):
            ax.plot([m, m], [yy, yy + 0.1], color="0.2", lw=1)
            ax.text(m, yy + 0.18, s, ha="center", va="bottom", fontsize=8.5)

    pts = np.linspace(0, nomo.max_points, 11)
    ruler(y, 0, nomo.max_points, pts, [f"{p:g}" for p in pts])
    for t in nomo.terms:
        y -= 1
        vals = list((ticks or {}).get(t.name, [])) or (
            [t.low, t.high]
            if (t.low, t.high) == (0.0, 1.0)
            else list(np.linspace(t.low, t.high, 5))
        )
        xs = [nomo.term_points(t.name, v) for v in vals]
        ruler(y, min(xs), max(xs), xs, [f"{v:.3g}" for v in vals])
    y -= 1
    scale_total = (
        nomo.max_points / max_total
    )  # total points drawn on the same width as the points ruler
    tot = np.linspace(0, max_total, 9)
    ruler(y, 0, nomo.max_points, tot * scale_total, [f"{v:.0f}" for v in tot])
    y -= 1
    probs = [p for p in probabilities if 0 <= nomo.total_for_probability(p) <= max_total]
    ruler(
        y,
        0,
        nomo.max_points,
        [nomo.total_for_probability(p) * scale_total for p in probs],
        [f"{p:g}" for p in probs],
    )
    ax.set_yticks(range(len(rows) - 1, -1, -1), rows)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(-5, nomo.max_points + 5)
    ax.set_xticks([])
    for s in ("top", "right", "bottom"):
        ax.spines[s].set_visible(False)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    set_alt_text(
        fig,
        (
            f"Points nomogram with {len(nomo.terms)} predictors ({', '.join(labels.get(t.name, t.name) for t in nomo.terms)}); "
            f"the largest effect spans {nomo.max_points:g} points, total points run from 0 to {max_total:.0f} "
            "and map to the predicted probability on the bottom axis."
        ),
    )
    return fig
