"""Tests for hccrep.plots: figure structure, the numbers drawn, alt text and validation."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from hccrep import plots  # noqa: E402
from hccrep.replication import VERDICTS  # noqa: E402
from hccrep.stats.survival import km_table  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# A hand-made cohort: group A (6 patients) and B (5), ties at 3 and 6, a
# censoring exactly on the at-risk time 6 (B) and at 3 (A).
KM = pd.DataFrame(
    {
        "months": [1, 3, 3, 5, 8, 10, 2, 4, 6, 6, 9],
        "died": [1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1],
        "arm": ["A"] * 6 + ["B"] * 5,
    }
)
TIMES = [0, 3, 6, 9]


def _gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def _drawn_risk_table(fig: Figure) -> pd.DataFrame:
    """Read the numbers at risk back from the text artists of the table axes."""
    tab = next(a for a in fig.axes if a.get_label() == "at-risk table")
    rows = [t.get_text() for t in tab.get_yticklabels()]
    cells = {}
    for t in _gid(tab.texts, "at-risk"):
        x, y = t.get_position()
        cells[(rows[int(round(y))], float(x))] = int(t.get_text())
    return pd.Series(cells).unstack()


# --------------------------------------------------------------------------
# theme and alt text
# --------------------------------------------------------------------------


def test_set_theme_is_idempotent_and_uses_colourblind_palette():
    plots.set_theme()
    first = dict(mpl.rcParams)
    plots.set_theme()
    assert dict(mpl.rcParams) == first
    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    assert all(mpl.colors.same_color(c, p) for c, p in zip(cycle, sns.color_palette("colorblind")))
    assert mpl.rcParams["axes.grid"] is True
    mpl.rcdefaults()


def test_figure_functions_leave_global_settings_alone():
    mpl.rcdefaults()
    before = dict(mpl.rcParams)
    plots.km_plot(KM, "months", "died", "arm", at_risk_times=TIMES)
    assert dict(mpl.rcParams) == before


def test_alt_text_rejects_foreign_figures():
    with pytest.raises(ValueError, match="no alt text"):
        plots.alt_text(plt.figure())
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plots.alt_text("not a figure")


def test_figures_stay_open_for_the_caller():
    fig = plots.love_plot({"x": 0.2}, {"x": 0.05})
    assert plt.fignum_exists(fig.number)


# --------------------------------------------------------------------------
# Kaplan-Meier
# --------------------------------------------------------------------------


def test_km_plot_structure_and_curves_equal_km_table():
    fig = plots.km_plot(KM, "months", "died", "arm", at_risk_times=TIMES)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    curves = _gid(ax.get_lines(), "km-curve")
    assert [c.get_label() for c in curves] == ["A", "B"]
    assert len(_gid(ax.get_lines(), "km-censor")) == 2  # both arms have censored patients
    assert len(_gid(ax.collections, "km-ci")) == 2
    for curve, arm in zip(curves, ["A", "B"]):
        d = KM[KM["arm"] == arm]
        ref = km_table(d["months"], d["died"])
        np.testing.assert_allclose(curve.get_xdata()[1:], ref["time"])
        np.testing.assert_allclose(curve.get_ydata()[1:], ref["survival"])
        assert curve.get_xdata()[0] == 0 and curve.get_ydata()[0] == 1
    censor_a = _gid(ax.get_lines(), "km-censor")[0]
    assert list(censor_a.get_xdata()) == [3.0, 8.0]
    assert censor_a.get_marker() == "+"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B", "Censored"]


def test_km_plot_median_lines_and_test_text_as_survminer_draws_them():
    from lifelines import CoxPHFitter
    from lifelines.statistics import logrank_test

    fig = plots.km_plot(KM, "months", "died", "arm", at_risk_times=TIMES)
    ax = fig.axes[0]
    # medians by hand: A falls from 2/3 to 4/9 at 5 months; B sits at exactly 0.5 from 6 to 9
    # months (3/4 * 2/3), where R's rule (survminer's line) takes the middle, 7.5
    drops = sorted(
        line.get_xdata()[0]
        for line in _gid(ax.get_lines(), "km-median")
        if line.get_xdata()[0] == line.get_xdata()[1]
    )
    assert drops == [5.0, 7.5]
    # the printed test against lifelines, an independent implementation
    a, b = KM[KM["arm"] == "A"], KM[KM["arm"] == "B"]
    p = logrank_test(a["months"], b["months"], a["died"], b["died"]).p_value
    d = KM.assign(b=(KM["arm"] == "B").astype(float))[["months", "died", "b"]]
    cph = CoxPHFitter().fit(d, "months", "died")
    text = _gid(ax.texts, "km-test")[0].get_text()
    assert f"Log-rank p = {p:.3f}" in text
    assert f"HR B vs A: {cph.hazard_ratios_['b']:.2f}" in text
    lo, hi = np.exp(cph.confidence_intervals_.loc["b"])
    assert f"(95% CI {lo:.2f}-{hi:.2f})" in text
    assert f"Log-rank p = {p:.3f}" in plots.alt_text(fig)


def test_km_plot_without_median_lines_or_test():
    fig = plots.km_plot(
        KM, "months", "died", "arm", at_risk_times=TIMES, show_median=False, show_test=False
    )
    assert _gid(fig.axes[0].get_lines(), "km-median") == []
    assert _gid(fig.axes[0].texts, "km-test") == []
    one = plots.km_plot(KM, "months", "died", None, at_risk_times=TIMES)
    assert _gid(one.axes[0].texts, "km-test") == []  # nothing to compare with one curve


def test_km_plot_at_risk_numbers_equal_an_independent_count():
    fig = plots.km_plot(KM, "months", "died", "arm", at_risk_times=TIMES)
    drawn = _drawn_risk_table(fig)
    for arm in ["A", "B"]:
        times = KM.loc[KM["arm"] == arm, "months"]
        assert [int(drawn.loc[arm, float(t)]) for t in TIMES] == [
            int((times >= t).sum()) for t in TIMES
        ]
    # by hand: a patient censored or dying exactly at t is still at risk at t
    assert drawn.loc["A"].tolist() == [6, 5, 2, 1]
    assert drawn.loc["B"].tolist() == [5, 4, 3, 1]


def test_km_plot_risk_numbers_sit_under_the_x_ticks():
    fig = plots.km_plot(KM, "months", "died", "arm", at_risk_times=TIMES)
    ax, tab = fig.axes
    assert tab.get_shared_x_axes().joined(ax, tab)
    np.testing.assert_allclose(ax.get_xticks(), TIMES)
    xs = sorted({t.get_position()[0] for t in _gid(tab.texts, "at-risk")})
    np.testing.assert_allclose(xs, TIMES)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "3", "6", "9"]


def test_km_plot_default_at_risk_times_are_the_ticks():
    fig = plots.km_plot(KM, "months", "died", "arm")
    ax, tab = fig.axes
    ticks = ax.get_xticks()
    assert ticks[0] == 0 and ticks[-1] <= KM["months"].max()
    assert len(ticks) >= 3
    drawn = _drawn_risk_table(fig)
    np.testing.assert_allclose(sorted(drawn.columns), ticks)


def test_at_risk_table_counts_follow_up_at_or_after_t():
    out = plots.at_risk_table(KM, "months", "died", "arm", TIMES)
    for arm in ["A", "B"]:
        times = KM.loc[KM["arm"] == arm, "months"].to_numpy()
        assert out.loc[arm].tolist() == [int((times >= t).sum()) for t in TIMES]
    total = plots.at_risk_table(KM, "months", "died", None, [6])
    assert total.iloc[0, 0] == int((KM["months"] >= 6).sum())


def test_km_plot_group_order_first_appearance_and_categories():
    d = KM.assign(arm=KM["arm"].map({"A": "zeta", "B": "alpha"}))
    d = pd.concat([d.iloc[6:], d.iloc[:6]], ignore_index=True)  # alpha first
    fig = plots.km_plot(d, "months", "died", "arm", at_risk_times=TIMES)
    assert [c.get_label() for c in _gid(fig.axes[0].get_lines(), "km-curve")] == ["alpha", "zeta"]

    cat = KM.assign(arm=pd.Categorical(KM["arm"], categories=["C", "B", "A"]))  # C unused
    fig = plots.km_plot(cat, "months", "died", "arm", at_risk_times=TIMES)
    assert [c.get_label() for c in _gid(fig.axes[0].get_lines(), "km-curve")] == ["B", "A"]
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["B", "A"]


def test_km_plot_labels_and_alt_text_mention_the_groups():
    labels = {"A": "Arm alpha", "B": "Arm beta"}
    fig = plots.km_plot(
        KM, "months", "died", "arm", labels=labels, at_risk_times=TIMES, title="Overall survival"
    )
    text = plots.alt_text(fig)
    assert fig._hccrep_alt == text
    for name in labels.values():
        assert name in text
    assert "n = 6" in text and "n = 5" in text
    assert "numbers at risk at 0, 3, 6, 9 months" in text
    assert "Arm alpha: 6, 5, 2, 1" in text
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["Arm alpha", "Arm beta"]


def test_km_plot_without_table_or_band():
    fig = plots.km_plot(KM, "months", "died", "arm", at_risk_times=[], show_ci=False)
    assert len(fig.axes) == 1
    assert _gid(fig.axes[0].collections, "km-ci") == []
    assert "at risk" not in plots.alt_text(fig)


def test_km_plot_single_curve_and_conf_type_bands():
    fig = plots.km_plot(KM, "months", "died", None, conf_type="log-log", at_risk_times=TIMES)
    assert [c.get_label() for c in _gid(fig.axes[0].get_lines(), "km-curve")] == ["All patients"]
    assert "log-log transform" in plots.alt_text(fig)


def test_km_plot_into_a_given_axes_appends_the_table():
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 5))
    out = plots.km_plot(KM, "months", "died", "arm", ax=left, at_risk_times=TIMES)
    assert out is fig
    assert len(fig.axes) == 3
    assert _gid(left.get_lines(), "km-curve")
    plots.km_plot(KM, "months", "died", None, ax=right, at_risk_times=TIMES)
    text = plots.alt_text(fig)
    assert "2 groups" in text and "All patients" in text  # both panels described


@pytest.mark.parametrize(
    ("change", "kwargs", "match"),
    [
        (None, {"time": "os"}, "time column 'os' not in df"),
        (None, {"event": "dead"}, "event column 'dead' not in df"),
        (None, {"group": "treatment"}, "group column 'treatment' not in df"),
        (
            ("died", [2] + [1] * 10),
            {},
            r"event column 'died' must be 0/1 \(1 = event\), found \[2.0\]",
        ),
        (("months", [-1] + [5] * 10), {}, "time column 'months' contains negative times"),
        (("months", [np.nan] + [5] * 10), {}, "time column 'months' contains NaN"),
        (("arm", [None] + ["A"] * 10), {}, "group column 'arm' has 1 missing value"),
        (None, {"conf_type": "arcsin"}, "unknown conf_type 'arcsin'"),
        (
            None,
            {"labels": {"C": "Arm C"}},
            "labels has keys that are not values of group column 'arm'",
        ),
        (None, {"labels": {"A": "same", "B": "same"}}, "group labels are not unique"),
        (None, {"at_risk_times": [0, -3]}, "at_risk_times contains negative times"),
        (None, {"at_risk_times": [6, 3]}, "at_risk_times must be strictly increasing"),
        (None, {"at_risk_times": [0, np.inf]}, "at_risk_times contains NaN or infinite"),
        (None, {"ax": "axes"}, "ax must be a matplotlib Axes or None"),
    ],
)
def test_km_plot_validation(change, kwargs, match):
    d = KM.copy()
    if change is not None:
        d[change[0]] = change[1]
    args = {"time": "months", "event": "died", "group": "arm"}
    args.update({k: kwargs.pop(k) for k in list(kwargs) if k in args})
    with pytest.raises(ValueError, match=match):
        plots.km_plot(d, args["time"], args["event"], args["group"], **kwargs)


def test_km_plot_requires_a_dataframe():
    with pytest.raises(TypeError, match="df must be a pandas DataFrame"):
        plots.km_plot(KM.to_dict(), "months", "died", "arm")
    with pytest.raises(ValueError, match="df is empty"):
        plots.km_plot(KM.iloc[:0], "months", "died", "arm")


# --------------------------------------------------------------------------
# forest plot
# --------------------------------------------------------------------------

FOREST = pd.DataFrame(
    {
        "label": ["Overall", "Male", "Female", "< 60", ">= 60"],
        "group": [None, "Sex", "Sex", "Age", "Age"],
        "hr": [0.6, 0.5, 0.0, 0.7, 1.5],
        "lower": [0.4, 0.3, 0.0, 0.4, 0.6],
        "upper": [0.9, 0.85, np.inf, 1.2, np.inf],
        "p_int": [np.nan, 0.37, np.nan, np.nan, 0.0004],
    }
)


def test_forest_plot_structure_and_texts():
    fig = plots.forest_plot(FOREST, group="group", p_interaction="p_int")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    ax, est, p = fig.axes
    # five rows as tick labels, top to bottom; the two headings written across their rows
    # (y 1 and 4), so that a long variable name does not widen the label column
    labels = {t.get_position()[1]: t.get_text().strip() for t in ax.get_yticklabels()}
    assert labels == {0: "Overall", 2: "Male", 3: "Female", 5: "< 60", 6: ">= 60"}
    headings = {t.get_position()[1]: t.get_text() for t in _gid(ax.texts, "heading")}
    assert headings == {1: "Sex", 4: "Age"}
    points = _gid(ax.get_lines(), "estimates")
    assert len(points) == 1
    assert list(points[0].get_xdata()) == [0.6, 0.5, 0.7, 1.5]  # Female (HR 0, 0-Inf) not drawn
    assert list(points[0].get_ydata()) == [0, 2, 5, 6]
    assert len(_gid(ax.get_lines(), "ci")) == 4
    arrows = _gid(ax.get_lines(), "ci-arrow")
    assert len(arrows) == 1 and arrows[0].get_marker() == ">"
    assert arrows[0].get_xdata()[0] == pytest.approx(ax.get_xlim()[1])
    assert len(_gid(ax.get_lines(), "reference")) == 1
    assert ax.get_xscale() == "log"
    texts = {t.get_position()[1]: t.get_text() for t in _gid(est.texts, "estimate-text")}
    assert texts == {
        0: "0.60 (0.40\u20130.90)",
        2: "0.50 (0.30\u20130.85)",
        3: "not estimable",
        5: "0.70 (0.40\u20131.20)",
        6: "1.50 (0.60\u2013Inf)",
    }
    ptexts = {t.get_position()[1]: t.get_text() for t in _gid(p.texts, "p-text")}
    assert ptexts == {1: "0.370", 4: "< 0.001"}  # on the group headings
    alt = plots.alt_text(fig)
    assert "Sex, Female: not estimable" in alt and "Age (interaction p < 0.001)" in alt


def test_forest_plot_counts_column_and_favours_labels():
    sized = FOREST.assign(n=["71 / 40", "50 / 30", "21 / 10", np.nan, "30 / 20"])
    fig = plots.forest_plot(
        sized, group="group", counts="n", favours=("RT+IO+T", "IO+T"), p_interaction="p_int"
    )
    ax, ntxt, est, p = fig.axes  # plot, sizes, estimates, interaction p
    # sizes on the rows of their estimates (headings at y 1 and 4 get none; < 60 has none)
    sizes = {t.get_position()[1]: t.get_text() for t in _gid(ntxt.texts, "n-text")}
    assert sizes == {0: "71 / 40", 2: "50 / 30", 3: "21 / 10", 6: "30 / 20"}
    assert ntxt.get_title(loc="left") == "n / events"
    left, right = _gid(ax.texts, "favours")
    # both sit at the reference line, one reaching left and one right of it
    assert left.get_position()[0] == right.get_position()[0] == 1.0
    assert (left.get_ha(), right.get_ha()) == ("right", "left")
    assert "favours RT+IO+T" in left.get_text() and "favours IO+T" in right.get_text()
    assert "right of it favours IO+T" in plots.alt_text(fig)


def test_forest_plot_favours_needs_two_labels_and_a_reference_line():
    with pytest.raises(ValueError, match="two non-empty strings"):
        plots.forest_plot(FOREST, favours=("only one",))
    with pytest.raises(ValueError, match="needs a reference_line"):
        plots.forest_plot(FOREST, favours=("A", "B"), reference_line=None)


def test_forest_plot_without_groups_prints_p_per_row_and_omits_nan_bounds():
    tab = FOREST.drop(columns="group").assign(lower=[0.4, np.nan, 0.0, 0.4, 0.6])
    fig = plots.forest_plot(tab, p_interaction="p_int", title="Subgroups")
    ax, _, p = fig.axes
    assert sorted(t.get_position()[1] for t in _gid(p.texts, "p-text")) == [1, 4]
    assert len(_gid(ax.get_lines(), "estimates")[0].get_xdata()) == 4
    # Male: missing lower bound, whisker starts at the estimate
    male = [ln for ln in _gid(ax.get_lines(), "ci") if ln.get_ydata()[0] == 1][0]
    assert male.get_xdata()[0] == 0.5
    assert plots.alt_text(fig).startswith("Subgroups: Forest plot of 5 estimates")


def test_forest_plot_linear_scale_and_two_axes_without_p():
    tab = pd.DataFrame(
        {"label": ["a", "b"], "hr": [-0.5, 0.3], "lower": [-1.0, 0.1], "upper": [0.1, 0.6]}
    )
    fig = plots.forest_plot(tab, log_scale=False, reference_line=0.0, xlabel="Difference")
    assert len(fig.axes) == 2
    assert fig.axes[0].get_xscale() == "linear"
    assert "on a log scale" not in plots.alt_text(fig)


@pytest.mark.parametrize(
    ("table", "kwargs", "match"),
    [
        (FOREST.drop(columns="hr"), {}, "estimate column 'hr' not in table"),
        (FOREST, {"p_interaction": "p"}, "p_interaction column 'p' not in table"),
        (FOREST, {"group": "subgroup"}, "group column 'subgroup' not in table"),
        (
            FOREST.assign(hr=[0.6, 0.2, 0.0, 0.7, 1.5]),
            {},
            "row 'Male': the estimate 0.2 lies outside",
        ),
        (FOREST.assign(lower=[0.4, -0.3, 0.0, 0.4, 0.6]), {}, "row 'Male': negative lower"),
        (FOREST.assign(hr=["x", 0.5, 0.0, 0.7, 1.5]), {}, "estimate column 'hr' must be numeric"),
        (
            FOREST.assign(p_int=[np.nan, 1.3, np.nan, np.nan, 0.1]),
            {"p_interaction": "p_int"},
            "outside \\[0, 1\\]",
        ),
        (
            FOREST.assign(group=[None, "Sex", "Age", "Sex", "Age"]),
            {"group": "group"},
            "not consecutive",
        ),
        (
            FOREST.assign(p_int=[np.nan, 0.3, 0.4, np.nan, np.nan]),
            {"group": "group", "p_interaction": "p_int"},
            "group 'Sex' has different values",
        ),
        (FOREST, {"reference_line": 0.0}, "reference_line must be a finite number"),
        (FOREST, {"decimals": -1}, "decimals must be an integer"),
        (FOREST.iloc[:0], {}, "table is empty"),
    ],
)
def test_forest_plot_validation(table, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.forest_plot(table, **kwargs)


# --------------------------------------------------------------------------
# love plot
# --------------------------------------------------------------------------


def test_love_plot_structure_order_and_alt_text():
    before = pd.Series({"age": -0.05, "afp": 0.42, "male": 0.2})
    after = {"age": 0.01, "afp": -0.12, "male": 0.03}
    fig = plots.love_plot(before, after, title="Balance")
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["afp", "male", "age"]  # by |SMD| before
    np.testing.assert_allclose(_gid(ax.get_lines(), "smd-before")[0].get_xdata(), [0.42, 0.2, 0.05])
    np.testing.assert_allclose(_gid(ax.get_lines(), "smd-after")[0].get_xdata(), [0.12, 0.03, 0.01])
    thr = _gid(ax.get_lines(), "threshold")[0]
    assert thr.get_xdata()[0] == 0.1 and thr.get_linestyle() == "--"
    alt = plots.alt_text(fig)
    assert (
        alt.startswith("Balance: Love plot")
        and "afp 0.42" in alt
        and "After matching: 1 at or above" in alt
    )


def test_love_plot_unsorted_without_threshold():
    fig = plots.love_plot({"b": 0.1, "a": 0.3}, {"a": 0.0, "b": 0.05}, threshold=None, sort=False)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]


@pytest.mark.parametrize(
    ("before", "after", "kwargs", "match"),
    [
        ({"a": 0.1, "b": 0.2}, {"a": 0.0}, {}, "only in smd_before \\['b'\\]"),
        ({"a": 0.1}, {"a": np.nan}, {}, "smd_after has missing or infinite values for \\['a'\\]"),
        ({"a": "big"}, {"a": 0.1}, {}, "smd_before must hold numbers"),
        ([0.1], {"a": 0.1}, {}, "smd_before must be a mapping or a pandas Series"),
        ({}, {}, {}, "smd_before is empty"),
        ({"a": 0.1}, {"a": 0.0}, {"threshold": 0}, "threshold must be a positive number"),
        ({"a": 0.1}, {"a": 0.0}, {"labels": ("only one",)}, "labels must be two strings"),
    ],
)
def test_love_plot_validation(before, after, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.love_plot(before, after, **kwargs)


# --------------------------------------------------------------------------
# reported versus replicated
# --------------------------------------------------------------------------

CARD = pd.DataFrame(
    {
        "key": ["s.hr", "s.median", "s.p", "s.rate", "s.missing", "s.zero"],
        "reported": [0.5, 12.0, 0.01, 40.0, 3.0, 0.0],
        "replicated": [0.5, 16.0, 0.2, 42.0, np.nan, 0.0],
        "mc_low": [0.3, 13.0, 1e-6, np.nan, np.nan, 0.0],
        "mc_high": [0.8, 20.0, 0.6, np.nan, np.nan, 0.1],
        "verdict": [
            "reproduced",
            "not reproduced",
            "plausible",
            "plausible",
            "not checkable",
            "reproduced",
        ],
    }
)


def test_reported_vs_replicated_draws_only_finite_rows_coloured_by_verdict():
    fig = plots.reported_vs_replicated_plot(CARD)
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    # s.missing has no replicated value; s.zero has a reported 0 (no ratio)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["s.hr", "s.median", "s.p", "s.rate"]
    dots = _gid(ax.get_lines(), "replicated")
    assert len(dots) == 4 and len(_gid(ax.get_lines(), "reported")) == 4
    for dot, v in zip(dots, ["reproduced", "not reproduced", "plausible", "plausible"]):
        assert mpl.colors.same_color(dot.get_color(), plots.VERDICT_COLOURS[v])
    np.testing.assert_allclose([d.get_xdata()[0] for d in dots], [1.0, 16 / 12, 20.0, 42 / 40])
    bars = _gid(ax.patches, "mc-interval")
    assert len(bars) == 3  # s.rate has no interval
    assert len(_gid(ax.get_lines(), "clip-arrow")) == 1  # s.p: 1e-6 / 0.01 is below 1/100
    alt = plots.alt_text(fig)
    assert (
        "4 of 6 checks" in alt
        and "Not reproduced: s.median" in alt
        and "2 checks are not drawn" in alt
    )
    assert "1 reproduced, 2 plausible, 1 not reproduced, 0 not checkable" in alt


def test_reported_vs_replicated_raw_scale_and_empty():
    fig = plots.reported_vs_replicated_plot(CARD.iloc[:2], scale="raw", title="HRs")
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear"
    np.testing.assert_allclose(
        [d.get_xdata()[0] for d in _gid(ax.get_lines(), "replicated")], [0.5, 16.0]
    )
    fig = plots.reported_vs_replicated_plot(CARD.iloc[[4]])
    assert len(fig.axes[0].get_yticks()) == 0
    assert "0 of 1 checks" in plots.alt_text(fig)


def test_verdict_colours_cover_every_verdict():
    assert set(plots.VERDICT_COLOURS) == set(VERDICTS)


@pytest.mark.parametrize(
    ("card", "kwargs", "match"),
    [
        (CARD.drop(columns="mc_low"), {}, "mc_low column 'mc_low' not in card"),
        (CARD.assign(verdict="maybe"), {}, "verdict column has values outside"),
        (CARD.assign(replicated="x"), {}, "replicated column 'replicated' must be numeric"),
        (CARD.assign(mc_low=-1.0), {}, "scale='ratio' needs non-negative"),
        (CARD, {"scale": "log"}, "unknown scale 'log'"),
    ],
)
def test_reported_vs_replicated_validation(card, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.reported_vs_replicated_plot(card, **kwargs)


# --------------------------------------------------------------------------
# prediction models: ROC, calibration, decision curves
# --------------------------------------------------------------------------

ROC_Y = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
ROC_A = np.array([1.0, 2.0, 3.0, 4.0, 2.0, 5.0, 1.0, 3.0, 2.0, 3.0])
ROC_B = np.array([2.0, 1.0, 2.0, 3.0, 3.0, 2.0, 1.0, 4.0, 1.0, 2.0])


def test_roc_plot_draws_the_roc_table_points_and_auc_legend():
    from hccrep.stats.prediction import roc_auc, roc_table

    fig = plots.roc_plot(
        {"A": (ROC_Y, ROC_A), "B": (ROC_Y, ROC_B)}, title="Training", mark_youden=True
    )
    ax = fig.axes[0]
    curves = _gid(ax.get_lines(), "roc-curve")
    assert len(curves) == 2
    tab = roc_table(ROC_Y, ROC_A)
    np.testing.assert_allclose(curves[0].get_xdata(), 1 - tab["specificity"].to_numpy()[::-1])
    np.testing.assert_allclose(curves[0].get_ydata(), tab["sensitivity"].to_numpy()[::-1])
    auc = roc_auc(ROC_Y, ROC_A)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == f"A (AUC {auc.auc:.3f}, {auc.lower:.3f}\u2013{auc.upper:.3f})"
    assert len(_gid(ax.get_lines(), "youden")) == 2 and len(_gid(ax.get_lines(), "chance")) == 1
    alt = plots.alt_text(fig)
    assert alt.startswith("Training: ROC curves of 2 models") and f"A AUC {auc.auc:.3f}" in alt
    assert "Youden cut-off" in alt


def test_roc_plot_into_given_axes_appends_alt_text():
    fig, (left, right) = plt.subplots(1, 2)
    plots.roc_plot({"A": (ROC_Y, ROC_A)}, ax=left, title="Left")
    out = plots.roc_plot({"B": (ROC_Y, ROC_B)}, ax=right, title="Right")
    assert out is fig
    text = plots.alt_text(fig)
    assert "Left:" in text and "Right:" in text


@pytest.mark.parametrize(
    ("curves", "kwargs", "match"),
    [
        ({}, {}, "curves must be a non-empty mapping"),
        ({"A": (ROC_Y,)}, {}, r"curves\['A'\] must be a pair"),
        ({"A": (ROC_Y, ROC_A[:-1])}, {}, r"curves\['A'\]: score has 9 values"),
        ({"A": (ROC_Y, ROC_A)}, {"ax": "axes"}, "ax must be a matplotlib Axes or None"),
        ({"A": (ROC_Y, ROC_A)}, {"title": 3}, "title must be a string"),
    ],
)
def test_roc_plot_validation(curves, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.roc_plot(curves, **kwargs)


CAL = pd.DataFrame(
    {
        "bin": [1, 2, 3],
        "n": [10, 20, 10],
        "mean_predicted": [0.1, 0.4, 0.8],
        "observed": [0.05, 0.5, 0.6],
    }
)


def test_calibration_plot_points_and_alt_text():
    fig = plots.calibration_plot({"TIPM": CAL, "ALBI": CAL.assign(observed=[0.1, 0.4, 0.8])})
    ax = fig.axes[0]
    lines = _gid(ax.get_lines(), "calibration-curve")
    assert [ln.get_label() for ln in lines] == ["TIPM", "ALBI"]
    np.testing.assert_allclose(lines[0].get_xdata(), CAL["mean_predicted"])
    np.testing.assert_allclose(lines[0].get_ydata(), CAL["observed"])
    assert len(_gid(ax.get_lines(), "ideal")) == 1
    alt = plots.alt_text(fig)
    assert "TIPM: 3 bins, largest gap 0.20" in alt and "ALBI: 3 bins, largest gap 0.00" in alt


def test_calibration_plot_wilson_intervals_and_unjoined_points():
    fig = plots.calibration_plot({"TIPM": CAL})
    ax = fig.axes[0]
    assert _gid(ax.get_lines(), "calibration-curve")[0].get_linestyle() == "None"
    (ci,) = _gid(ax.collections, "calibration-ci")
    # 10 of 20 (the second bin): the Wilson 95% interval is 0.2993-0.7007, by hand from
    # (x + z^2/2) / (n + z^2) +- z sqrt(x (n - x) / n + z^2 / 4) / (n + z^2), z = 1.96
    (x0, lo), (x1, hi) = ci.get_segments()[1]
    assert x0 == x1 == 0.4
    assert (round(lo, 4), round(hi, 4)) == (0.2993, 0.7007)


def test_calibration_plot_with_patients_adds_smoother_histogram_and_fit():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 0.95, 200)
    y = (rng.uniform(size=200) < p).astype(int)
    tab = pd.DataFrame(
        {"n": [100, 100], "mean_predicted": [p[p < 0.5].mean(), p[p >= 0.5].mean()]}
    ).assign(observed=[y[p < 0.5].mean(), y[p >= 0.5].mean()])
    fig = plots.calibration_plot({"M": tab}, raw={"M": (y, p)})
    ax = fig.axes[0]
    (smooth,) = _gid(ax.get_lines(), "calibration-smoother")
    assert np.all(np.diff(smooth.get_xdata()) >= 0)
    bars = _gid(ax.patches, "risk-histogram")
    assert len(bars) == 20 and max(b.get_height() for b in bars) == pytest.approx(0.1)
    # the legend reports R's glm-based intercept and slope (see tests/r/book/calibration.R)
    import statsmodels.api as smapi
    from scipy.special import logit

    lp = logit(p)
    slope = smapi.GLM(y, smapi.add_constant(lp), family=smapi.families.Binomial()).fit()
    label = _gid(ax.get_lines(), "calibration-curve")[0].get_label()
    assert f"slope {slope.params[1]:.2f}" in label
    with pytest.raises(ValueError, match="raw names models"):
        plots.calibration_plot({"M": tab}, raw={"Other": (y, p)})


@pytest.mark.parametrize(
    ("tables", "match"),
    [
        ({"A": CAL.drop(columns="n")}, r"n column 'n' not in tables\['A'\]"),
        ({"A": CAL.assign(observed=[0.1, 1.2, 0.3])}, "must hold proportions"),
        ({"A": CAL.assign(n=[0, 1, 2])}, "positive counts"),
        ({"A": CAL.iloc[:0]}, r"tables\['A'\] is empty"),
        ([CAL], "tables must be a non-empty mapping"),
    ],
)
def test_calibration_plot_validation(tables, match):
    with pytest.raises(ValueError, match=match):
        plots.calibration_plot(tables)


NB = pd.DataFrame(
    {
        "threshold": [0.1, 0.2, 0.3, 0.4, 0.5],
        "model": [0.35, 0.3, 0.2, 0.12, 0.05],
        "treat_all": [0.33, 0.25, 0.14, 0.0, -0.2],
        "treat_none": [0.0] * 5,
    }
)


def test_decision_curve_plot_shows_only_the_threshold_range_asked_for():
    fig = plots.decision_curve_plot(NB, label="TIPM", thresholds=(0.2, 0.4))
    ax = fig.axes[0]
    (model,) = _gid(ax.get_lines(), "nb-model")
    assert list(model.get_xdata()) == [0.2, 0.3, 0.4]
    assert list(model.get_ydata()) == [0.3, 0.2, 0.12]
    assert ax.get_xlim() == (0.2, 0.4)
    with pytest.raises(ValueError, match="two increasing probabilities"):
        plots.decision_curve_plot(NB, thresholds=(0.4, 0.2))
    with pytest.raises(ValueError, match="fewer than two rows"):
        plots.decision_curve_plot(NB, thresholds=(0.21, 0.29))


def test_decision_curve_plot_draws_models_and_references():
    other = NB.assign(model=[0.33, 0.2, 0.1, -0.01, -0.05])
    fig = plots.decision_curve_plot(NB, models={"ALBI": other}, label="TIPM", title="External")
    ax = fig.axes[0]
    models = _gid(ax.get_lines(), "nb-model")
    assert [ln.get_label() for ln in models] == ["TIPM", "ALBI"]
    np.testing.assert_allclose(models[1].get_ydata(), other["model"])
    np.testing.assert_allclose(_gid(ax.get_lines(), "nb-treat-all")[0].get_ydata(), NB["treat_all"])
    assert ax.get_ylim()[0] < 0 < ax.get_ylim()[1]
    assert ax.get_ylim()[0] > -0.2  # "treat all" at -0.2 does not stretch the axis
    alt = plots.alt_text(fig)
    # TIPM beats max(treat all, 0) at every threshold; ALBI never
    assert "TIPM above both from 0.10 to 0.50" in alt and "ALBI never above both" in alt


@pytest.mark.parametrize(
    ("nb", "kwargs", "match"),
    [
        (NB.drop(columns="treat_all"), {}, "treat_all column 'treat_all' not in nb"),
        (NB.iloc[::-1], {}, "strictly increasing"),
        (NB, {"models": {"B": NB.iloc[:3]}}, r"models\['B'\] thresholds differ"),
        (NB, {"models": {"Model": NB}}, "equal to label"),
        (NB, {"ylim": (1, 0)}, "ylim must be two increasing"),
    ],
)
def test_decision_curve_plot_validation(nb, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.decision_curve_plot(nb, **kwargs)


# --------------------------------------------------------------------------- reading size

#: CSS width of an image in the text column of the built book at a 400 px viewport (a phone
#: held upright), measured in Chromium (tests/test_browser.py FIGURES_JS gives 368 px).
PHONE_IMAGE_PX = 368
#: Smallest text a reader should meet, in CSS pixels (the browser test's limit).
MIN_TEXT_PX = 8.0
#: Smallest font the figures may use, in points (the browser test assumes it).
MIN_FONT_PT = 8.5


def _figure_size_and_smallest_font(fig: Figure) -> tuple[float, float]:
    """Width (inches) of the PNG the book shows (tight crop) and the smallest visible font (pt)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50, bbox_inches="tight")
    from PIL import Image

    width_px = Image.open(io.BytesIO(buf.getvalue())).size[0]
    sizes = [
        t.get_fontsize()
        for t in fig.findobj(mpl.text.Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure() is not None
    ]
    return width_px / 50, min(sizes)


def _reading_size_figures():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 0.95, 200)
    y = (rng.uniform(size=200) < p).astype(int)
    long_card = CARD.assign(
        label=[
            "Median overall survival of the whole cohort in months",
            "Hazard ratio of death, radiotherapy against none, in the matched pairs",
            "p",
            "Objective response rate",
            "missing",
            "zero",
        ]
    )
    sized = FOREST.assign(n=["171 / 140", "50 / 30", "21 / 10", np.nan, "30 / 20"])
    return {
        "km_plot": lambda: plots.km_plot(KM, "months", "died", "arm", at_risk_times=TIMES),
        "forest_plot": lambda: plots.forest_plot(
            sized, group="group", counts="n", favours=("RT+IO+T", "IO+T"), p_interaction="p_int"
        ),
        "forest_plot_long_headings": lambda: plots.forest_plot(
            sized.assign(group=sized["group"].map({"Sex": "Sex at birth, as recorded at entry"})),
            group="group",
            counts="n",
            favours=("RT+IO+T", "IO+T"),
            p_interaction="p_int",
        ),
        "love_plot": lambda: plots.love_plot(
            {"age": 0.31, "male": 0.12}, {"age": 0.04, "male": 0.02}
        ),
        "reported_vs_replicated_plot": lambda: plots.reported_vs_replicated_plot(long_card),
        "roc_plot": lambda: plots.roc_plot({"A": (ROC_Y, ROC_A), "B": (ROC_Y, ROC_B)}),
        "calibration_plot": lambda: plots.calibration_plot({"M": CAL}, raw=None),
        "calibration_plot_raw": lambda: plots.calibration_plot(
            {
                "M": pd.DataFrame(
                    {"n": [100, 100], "mean_predicted": [0.3, 0.7], "observed": [0.3, 0.7]}
                )
            },
            raw={"M": (y, p)},
        ),
        "decision_curve_plot": lambda: plots.decision_curve_plot(
            NB, label="TIPM", models={"Other": NB}
        ),
        "pvalue_histogram": lambda: plots.pvalue_histogram(
            {"model": rng.uniform(size=50)}, {"reported": 0.2}, title="t"
        ),
        "count_histogram": lambda: plots.count_histogram(
            {"model": rng.integers(40, 60, 50)}, 47, xlabel="Matched pairs", title="pairs"
        ),
    }


def _other_modules_figures():
    """The book's figures drawn outside hccrep.plots (under its theme), on small inputs."""
    from hccrep import cutoffs, optimism, survival_models

    imp = pd.DataFrame(
        {
            "feature": ["tumour size", "portal vein tumour thrombus", "AFP"] * 2,
            "importance": [0.05, 0.02, 0.0] * 2,
            "sd": [0.01] * 6,
            "horizon": [12.0] * 3 + [24.0] * 3,
            "metric": "brier",
        }
    )
    pdp = pd.DataFrame(
        {
            "feature": np.repeat(["age", "tumour size", "albumin"], 2),
            "value": [40.0, 80.0, 2.0, 12.0, 30.0, 45.0],
            "survival": [0.7, 0.5, 0.8, 0.4, 0.5, 0.7],
            "horizon": 12.0,
        }
    )
    tv = pd.DataFrame(
        {
            "model": ["TNM stage", "BCLC stage", "nomogram"] * 2,
            "metric": ["c_index"] * 3 + ["auc"] * 3,
            "training": [0.7, 0.72, 0.8] * 2,
            "validation": [0.68, 0.7, 0.74] * 2,
        }
    )
    return {
        "importance_plot": lambda: survival_models.importance_plot(imp),
        "partial_dependence_plot": lambda: survival_models.partial_dependence_plot(pdp),
        "train_validation_plot": lambda: optimism.train_validation_plot(tv),
        "cutoff_spread_plot": lambda: cutoffs.cutoff_spread_plot(
            [1.0, 2.0, 2.0, 3.0], {"study A": 2.0}, marker="NLR"
        ),
    }


@pytest.mark.parametrize("name", list(_reading_size_figures()) + list(_other_modules_figures()))
def test_figures_keep_their_text_readable_on_a_phone(name):
    # An image w inches wide shown at PHONE_IMAGE_PX CSS pixels draws an s-point font at
    # s / 72 * PHONE_IMAGE_PX / w pixels (72 points to the inch); 8.5 pt >= 8 px needs
    # w <= 8.5 / 72 * 368 / 8 = 5.43 in.
    draw = {**_reading_size_figures(), **_other_modules_figures()}[name]
    width_in, smallest_pt = _figure_size_and_smallest_font(draw())
    assert smallest_pt >= MIN_FONT_PT
    assert smallest_pt / 72 * PHONE_IMAGE_PX / width_in >= MIN_TEXT_PX, (width_in, smallest_pt)
