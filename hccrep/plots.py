"""Figures for the book, in one theme, each with a text alternative.

Every figure function returns a :class:`matplotlib.figure.Figure` and stores a
plain-language description of it, read back with :func:`alt_text` and passed
to the ``:alt:`` option of a MyST ``figure`` directive (or printed beside the
figure), so that the book's figures are accessible to screen readers.

* :func:`set_theme` -- the book's theme: a white grid, seaborn's
  colour-blind-safe ``"colorblind"`` palette and font sizes for the web.
* :func:`km_plot` -- Kaplan-Meier curves per group with pointwise confidence
  bands, censoring marks and a numbers-at-risk table under the x axis.
* :func:`at_risk_table` -- the numbers at risk that :func:`km_plot` prints.
* :func:`forest_plot` -- hazard (or odds) ratios with confidence intervals,
  the estimates in words and optional interaction p-values.
* :func:`love_plot` -- absolute standardised mean differences before and after
  matching.
* :func:`reported_vs_replicated_plot` -- a scorecard drawn: Monte Carlo
  interval, replicated and reported value of every check, coloured by verdict;
  :func:`reported_vs_replicated_plots` draws one such figure per table.
* :func:`roc_plot`, :func:`calibration_plot`, :func:`decision_curve_plot` --
  prediction models: ROC curves with the AUC and DeLong CI, calibration
  curves, and net-benefit decision curves with treat-all and treat-none.

The functions draw through :mod:`matplotlib.pyplot`, so Jupyter shows the
figures; they never call ``plt.show()`` and never close a figure.  Each figure
is drawn under the book's theme (a temporary ``rc_context``) whether or not
:func:`set_theme` was called, so the look does not depend on global state.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from hccrep.stats._validate import check_choice
from hccrep.stats.survival import CONF_TYPES, _as_time_event, cox, km_median, km_table, logrank

__all__ = [
    "importance_pair_plot",
    "marker_cutoff_plot",
    "FIGURE_WIDTH",
    "PALETTE",
    "VERDICT_COLOURS",
    "alt_text",
    "at_risk_table",
    "calibration_plot",
    "count_histogram",
    "decision_curve_plot",
    "forest_plot",
    "km_plot",
    "love_plot",
    "pvalue_histogram",
    "reported_vs_replicated_plot",
    "reported_vs_replicated_plots",
    "roc_plot",
    "set_alt_text",
    "set_theme",
    "themed",
]

#: Width (inches) of every figure of the book, panels stacked one under the other: on a phone
#: (about 370 CSS pixels for the image) the smallest text (8.5 pt) still shows at 8 px or
#: more, and on a desktop the figure fits the text column without being scaled down.
FIGURE_WIDTH: float = 5.2

#: seaborn's colour-blind-safe palette (after Okabe and Ito), the book's colour cycle.
PALETTE: tuple[tuple[float, float, float], ...] = tuple(sns.color_palette("colorblind"))

#: Colour of each scorecard verdict (:data:`hccrep.replication.VERDICTS`).
VERDICT_COLOURS: dict[str, tuple[float, float, float]] = {
    "reproduced": PALETTE[2],  # bluish green
    "plausible": PALETTE[0],  # blue
    "not reproduced": PALETTE[3],  # vermillion
    "not checkable": PALETTE[7],  # grey
}
#: Marker of each verdict, so that verdicts differ by shape as well as colour.
_VERDICT_MARKERS = {
    "reproduced": "o",
    "plausible": "s",
    "not reproduced": "X",
    "not checkable": "o",
}

_ALT_ATTR = "_hccrep_alt"
_GREY = "0.35"
_EN_DASH = "\u2013"
_RATIO_CLIP = 100.0  # reported-vs-replicated ratios beyond 1/100 .. 100 are drawn at the edge


# --------------------------------------------------------------------------
# theme and alt text
# --------------------------------------------------------------------------


#: A legend set in rows just above the axes, left-aligned (the number of columns is the caller's).
_LEGEND_ABOVE_AXES = dict(
    loc="lower left",
    bbox_to_anchor=(0.0, 1.0),
    borderaxespad=0.2,
    handlelength=1.5,
    columnspacing=1.2,
)


def _theme_rc() -> dict:
    rc: dict = {}
    rc.update(sns.axes_style("whitegrid"))
    rc.update(sns.plotting_context("notebook"))
    rc.update(
        {
            "axes.prop_cycle": cycler(color=list(PALETTE)),
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 10,
            "legend.title_fontsize": 10,
            "figure.titlesize": 13,
            "figure.figsize": (FIGURE_WIDTH, 3.9),
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "0.6",
            "grid.color": "0.9",
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "svg.fonttype": "none",
            "lines.linewidth": 1.8,
        }
    )
    return rc


def set_theme() -> None:
    """Apply the book's figure theme to matplotlib's global settings.

    A white grid (seaborn ``"whitegrid"``), the colour-blind-safe seaborn
    ``"colorblind"`` palette as the colour cycle, font sizes chosen for a web
    page (11 pt text, 10 pt ticks and legends), figures :data:`FIGURE_WIDTH`
    inches wide, no top or right spine, and 150 dpi tight-cropped PNGs.  Calling it again changes nothing
    (idempotent).  The figure functions of this module use the same settings
    whether or not this was called.

    Parameters
    ----------
    None

    Returns
    -------
    None
        matplotlib's ``rcParams`` are changed in place.

    Examples
    --------
    >>> set_theme()
    >>> import matplotlib as mpl
    >>> bool(mpl.colors.same_color(mpl.rcParams["axes.prop_cycle"].by_key()["color"][0], PALETTE[0]))
    True
    """
    mpl.rcParams.update(_theme_rc())


def themed(func):
    """Decorator: draw ``func``'s figure under the book's theme without touching global settings.

    For plotting functions outside this module (:mod:`hccrep.cutoffs`,
    :mod:`hccrep.survival_models`, the study modules): the theme applies only
    while ``func`` runs, and matplotlib's interactive mode is kept as it was.

    Parameters
    ----------
    func : callable
        A function that draws and returns a figure (or anything else).

    Returns
    -------
    callable
        ``func`` wrapped so that it runs inside ``matplotlib.rc_context`` with the theme.

    Examples
    --------
    >>> @themed
    ... def blank():
    ...     fig, ax = plt.subplots()
    ...     set_alt_text(fig, "An empty set of axes.")
    ...     return fig
    >>> alt_text(blank())
    'An empty set of axes.'
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(_theme_rc()):
            out = func(*args, **kwargs)
            if isinstance(out, Figure):
                _fit_titles(out)
            interactive = mpl.is_interactive()
        # rc_context restores every rcParam on exit, including the interactive mode that the
        # first figure of a Jupyter session switches on with the inline backend; leaving it off
        # would stop every later figure from showing
        mpl.interactive(interactive)
        return out

    return wrapper


def _fit_titles(fig: Figure) -> None:
    """Wrap every title, suptitle and x-axis label wider than the room it has onto more lines."""
    import textwrap

    width = fig.get_figwidth()
    titles = [(fig._suptitle, width - 0.3)] if fig._suptitle is not None else []
    fig.draw_without_rendering()  # the axes where the layout puts them
    for ax in fig.axes:
        box = ax.get_position()
        middle = (box.x0 + box.x1) / 2 * width
        room = 2 * min(middle, width - middle) - 0.2
        if len(fig.axes) == 1 and ax.get_title() and box.width > 0:
            wide = _text_width_in([ax.get_title()], ax.title.get_fontsize())
            if wide > room:  # the only plot's title: centred on the figure instead
                ax.title.set_x((0.5 - box.x0) / box.width)
                room = width - 0.3
        # a centred title may reach as far on either side of its middle
        titles.append((ax.title, room))
        titles.append((ax.xaxis.label, 2 * min(middle, width - middle) - 0.2))
        titles.append((ax._left_title, width * (1 - box.x0) - 0.15))
    for t, room in titles:
        text = t.get_text()
        if not text.strip() or "\n" in text:
            continue
        wide = _text_width_in([text], t.get_fontsize(), t.get_fontweight())
        if wide > room:
            t.set_text(textwrap.fill(text, max(12, int(len(text) * room / wide))))


def set_alt_text(fig: Figure, text: str, append: bool = False) -> None:
    """Attach a text alternative to ``fig`` (read back by :func:`alt_text`); ``append`` adds to it.

    Parameters
    ----------
    fig : Figure
        The figure.
    text : str
        What the figure shows, in words, for readers who cannot see it.
    append : bool
        Add ``text`` after the figure's existing alternative instead of replacing it.

    Returns
    -------
    None
        The text is stored on the figure.

    Examples
    --------
    >>> fig = plt.figure()
    >>> set_alt_text(fig, "Two curves.")
    >>> set_alt_text(fig, "The upper one is arm B.", append=True)
    >>> alt_text(fig)
    'Two curves. The upper one is arm B.'
    >>> plt.close(fig)
    """
    old = getattr(fig, _ALT_ATTR, None)
    setattr(fig, _ALT_ATTR, f"{old} {text}" if append and old else text)
    _attach_alt_to_png_output()


def _attach_alt_to_png_output() -> None:
    """In an IPython kernel, put each figure's alt text into the metadata of its PNG output.

    The inline backend registers a PNG formatter for matplotlib figures; it is wrapped (once,
    and again after ``%matplotlib inline`` replaces it) so that a figure carrying alt text is
    displayed with ``{"image/png": {"alt": text}}`` as output metadata. The book build moves
    it into the ``alt`` attribute of the page's image (:mod:`hccrep.book.notebook_files`).
    Outside IPython, or without a PNG formatter for figures, nothing happens.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the book extra
        return
    shell = get_ipython()
    formatter = shell.display_formatter.formatters.get("image/png") if shell else None
    if formatter is None:
        return
    try:
        inner = formatter.lookup_by_type(Figure)
    except KeyError:
        return
    if getattr(inner, "_hccrep_alt", False):
        return

    def png_with_alt(fig, _inner=inner):
        text = getattr(fig, _ALT_ATTR, None)
        out = _retina_png(fig, _inner) if text else _inner(fig)
        if out is None or not text:
            return out
        data, meta = out if isinstance(out, tuple) else (out, {})
        return data, {**(meta or {}), "alt": text}

    png_with_alt._hccrep_alt = True
    formatter.for_type(Figure, png_with_alt)


def _retina_png(fig: Figure, inner):
    """An hccrep figure as a pixel-doubled PNG shown at its normal size (IPython's ``retina``).

    Where the inline backend's formatter is IPython's plain PNG (``print_figure`` with
    ``fmt="png"``), the same figure is rendered by ``retina_figure`` with the same options:
    twice the pixels, and ``width`` metadata that keeps its size on the page.
    Any other formatter is used as it is.
    """
    from IPython.core.pylabtools import print_figure, retina_figure

    keywords = getattr(inner, "keywords", None) or {}
    if getattr(inner, "func", None) is print_figure and keywords.get("fmt") == "png":
        options = {k: v for k, v in keywords.items() if k not in ("fmt", "base64")}
        out = retina_figure(fig, base64=keywords.get("base64", True), **options)
        if out is None:
            return None
        # the width only: a fixed height would distort the figure when a narrow page
        # shrinks its width (the page's style sheet then keeps the aspect ratio)
        data, meta = out
        return data, {"width": meta["width"]}
    return inner(fig)


def alt_text(fig: Figure) -> str:
    """The text alternative (alt text) of a figure made by this module.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure returned by one of this module's functions.

    Returns
    -------
    str
        A plain-language description of what the figure shows, for the
        ``:alt:`` option of a MyST ``figure`` directive.

    Examples
    --------
    >>> fig = love_plot({"age": 0.31, "male": 0.12}, {"age": 0.04, "male": 0.02})
    >>> alt_text(fig).startswith("Love plot")
    True
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    text = getattr(fig, _ALT_ATTR, None)
    if not text:
        raise ValueError("fig has no alt text: it was not made by hccrep.plots")
    return text


# --------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------


def _check_frame(df, name: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    if df.empty:
        raise ValueError(f"{name} is empty")


def _check_columns(df: pd.DataFrame, roles: Mapping[str, str | None], frame: str) -> None:
    for role, col in roles.items():
        if col is not None and col not in df.columns:
            raise ValueError(f"{role} column {col!r} not in {frame}")


def _numeric_column(df: pd.DataFrame, col: str, role: str) -> np.ndarray:
    try:
        return pd.to_numeric(df[col], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{role} column {col!r} must be numeric") from None


def _check_title(title, name: str = "title") -> None:
    if title is not None and not isinstance(title, str):
        raise ValueError(f"{name} must be a string or None, got {type(title).__name__}")


def _fmt_number(x: float, decimals: int) -> str:
    if math.isnan(x):
        return "NA"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return f"{x:.{decimals}f}"


def _fmt_p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _plain_log_axis(ax: Axes, lo: float, hi: float, width_in: float | None = None) -> None:
    """Log x axis on [lo, hi], ticked at 1, 2, 5 x 10^k (powers of 10 only over
    more than 2.5 decades) and labelled as plain numbers; on an axis ``width_in`` inches
    wide that leaves less than 0.4 in per label, at 1, 3 x 10^k or powers of 10 only."""
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)

    def n_ticks(subs):
        k = np.arange(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
        at = np.outer(10.0**k, subs).ravel()
        return int(((at >= lo) & (at <= hi)).sum())

    subs = (1.0, 2.0, 5.0) if math.log10(hi / lo) <= 2.5 else (1.0,)
    if width_in is not None:
        for fewer in (subs, (1.0, 3.0), (1.0,)):
            subs = fewer
            if n_ticks(fewer) * 0.4 <= width_in:
                break
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_locator(NullLocator())


def _list_text(items: Sequence[str], limit: int = 12) -> str:
    items = list(items)
    if len(items) <= limit:
        return "; ".join(items)
    return "; ".join(items[:limit]) + f"; and {len(items) - limit} more"


# --------------------------------------------------------------------------
# Kaplan-Meier
# --------------------------------------------------------------------------


def _km_groups(df: pd.DataFrame, group: str | None, labels) -> tuple[list, list[str], np.ndarray]:
    """Groups in plotting order, their display labels and each row's group index."""
    if group is None:
        if labels is not None:
            raise ValueError("labels needs a group column")
        return [None], ["All patients"], np.zeros(len(df), dtype=np.int64)
    g = df[group]
    if g.isna().any():
        raise ValueError(f"group column {group!r} has {int(g.isna().sum())} missing value(s)")
    if isinstance(g.dtype, pd.CategoricalDtype):
        known = list(g.cat.categories)
        present = set(g.unique())
        levels = [c for c in known if c in present]
    else:
        levels = list(pd.unique(g))
        known = levels
    if labels is None:
        labels = {}
    if not isinstance(labels, Mapping):
        raise ValueError(
            f"labels must be a mapping from group value to label, got {type(labels).__name__}"
        )
    unknown = [k for k in labels if k not in known]
    if unknown:
        raise ValueError(
            f"labels has keys that are not values of group column {group!r}: {unknown}"
        )
    names = [str(labels.get(v, v)) for v in levels]
    if len(set(names)) < len(names):
        raise ValueError(f"group labels are not unique: {names}")
    index = {v: i for i, v in enumerate(levels)}
    codes = g.map(index).to_numpy(dtype=np.int64)
    return levels, names, codes


def _risk_times(at_risk_times, t: np.ndarray) -> np.ndarray:
    if at_risk_times is None:
        tmax = float(t.max())
        if tmax <= 0:
            return np.array([0.0])
        ticks = MaxNLocator(nbins=7, steps=[1, 2, 3, 6, 10], min_n_ticks=3).tick_values(0.0, tmax)
        return ticks[(ticks >= 0) & (ticks <= tmax * (1 + 1e-9))].astype(float)
    if isinstance(at_risk_times, (str, bytes)):
        raise ValueError("at_risk_times must be a sequence of numbers")
    try:
        times = np.atleast_1d(np.asarray(at_risk_times, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise ValueError("at_risk_times must be a sequence of numbers") from None
    if not np.isfinite(times).all():
        raise ValueError("at_risk_times contains NaN or infinite times")
    if (times < 0).any():
        raise ValueError("at_risk_times contains negative times")
    if (np.diff(times) <= 0).any():
        raise ValueError("at_risk_times must be strictly increasing")
    return times


def at_risk_table(
    df, time: str, event: str, group: str | None, times: Sequence[float], *, labels=None
) -> pd.DataFrame:
    """Numbers at risk per group at given times, as printed under :func:`km_plot`.

    The number at risk at time ``t`` is the number of patients whose
    follow-up time is ``>= t``: those still under observation just before
    ``t``, including anyone with an event or censored exactly at ``t``.  This
    is how R counts ``n.risk`` in ``summary(survfit(...), times = t)`` and in
    the risk tables of ``survminer::ggsurvplot``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per patient.
    time, event : str
        Columns with follow-up times (non-negative) and event indicators (0/1);
        the event column is validated but does not enter the count.
    group : str or None
        Column of group labels (None: all patients in one row).
    times : sequence of float
        Strictly increasing, non-negative times.
    labels : mapping, optional
        Display label per group value (the row index).

    Returns
    -------
    pandas.DataFrame
        One row per group (in :func:`km_plot` order), one integer column per
        time.

    Examples
    --------
    >>> d = pd.DataFrame({"t": [1, 3, 4, 6, 2, 5], "e": [1, 0, 1, 1, 1, 0], "arm": list("AAAABB")})
    >>> at_risk_table(d, "t", "e", "arm", [0, 3, 6])
       0.0  3.0  6.0
    A    4    3    1
    B    2    1    0
    """
    _check_frame(df, "df")
    _check_columns(df, {"time": time, "event": event, "group": group}, "df")
    t, _ = _as_time_event(df[time], df[event], f"time column {time!r}", f"event column {event!r}")
    _, names, codes = _km_groups(df, group, labels)
    ticks = _risk_times(times, t)
    if ticks.size == 0:
        raise ValueError("times is empty")
    counts = np.array(
        [[int(((codes == i) & (t >= x)).sum()) for x in ticks] for i in range(len(names))]
    )
    return pd.DataFrame(counts, index=pd.Index(names), columns=pd.Index(ticks))


def _km_axes(ax: Axes | None, k: int, table: bool) -> tuple[Figure, Axes, Axes | None]:
    table_h = 0.3 * k + 0.45
    if ax is None:
        fig = plt.figure(
            figsize=(FIGURE_WIDTH, 4.0 + (table_h if table else 0.0)), layout="constrained"
        )
        if not table:
            return fig, fig.add_subplot(), None
        gs = fig.add_gridspec(2, 1, height_ratios=[4.3, table_h])
        main = fig.add_subplot(gs[0])
        return fig, main, fig.add_subplot(gs[1], sharex=main)
    if not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    fig = ax.get_figure(root=True)
    if not table:
        return fig, ax, None
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    tab = make_axes_locatable(ax).append_axes("bottom", size=table_h - 0.2, pad=0.75, sharex=ax)
    return fig, ax, tab


def _draw_km_group(ax: Axes, t, e, conf_type: str, colour, name: str, show_ci: bool) -> None:
    tab = km_table(t, e, conf_type=conf_type)
    x = np.r_[0.0, tab["time"].to_numpy()]
    s = np.r_[1.0, tab["survival"].to_numpy()]
    ax.step(x, s, where="post", color=colour, label=name, gid="km-curve")
    if show_ci:
        lo = np.r_[1.0, tab["lower"].to_numpy()]
        hi = np.r_[1.0, tab["upper"].to_numpy()]
        ax.fill_between(x, lo, hi, step="post", color=colour, alpha=0.15, linewidth=0, gid="km-ci")
    cens = tab[tab["n_censor"] > 0]
    if len(cens):
        ax.plot(
            cens["time"],
            cens["survival"],
            linestyle="none",
            marker="+",
            markersize=8,
            markeredgewidth=1.4,
            color=colour,
            label="_nolegend_",
            gid="km-censor",
        )


def _draw_risk_table(tab: Axes, counts: pd.DataFrame, colours) -> None:
    k = len(counts)
    for i, (name, row) in enumerate(counts.iterrows()):
        for x, n in row.items():
            tab.text(
                float(x),
                i,
                str(int(n)),
                ha="center",
                va="center",
                color=colours[i],
                fontsize=10,
                gid="at-risk",
            )
    tab.set_ylim(k - 0.5, -0.5)
    tab.set_yticks(range(k), list(counts.index))
    for lab, c in zip(tab.get_yticklabels(), colours):
        lab.set_color(c)
    tab.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    tab.tick_params(axis="y", left=False)
    tab.grid(False)
    for side in tab.spines.values():
        side.set_visible(False)
    tab.set_title("Number at risk", loc="left", fontsize=10, fontweight="bold")
    tab.set_label("at-risk table")


@themed
def km_plot(
    df,
    time: str,
    event: str,
    group: str | None,
    *,
    labels: Mapping | None = None,
    at_risk_times: Sequence[float] | None = None,
    conf_type: str = "log",
    show_ci: bool = True,
    xlabel: str = "Months",
    ylabel: str = "Survival probability",
    title: str | None = None,
    ax: Axes | None = None,
    show_median: bool = True,
    show_test: bool = True,
) -> Figure:
    """Kaplan-Meier curves per group with a numbers-at-risk table below.

    The curves and their pointwise confidence bands come from
    :func:`hccrep.stats.survival.km_table` (Greenwood variance, R's interval
    transforms); censored follow-up times are marked ``+`` on the curve.
    Under the plot a table gives, for each group, the number at risk at each
    time in ``at_risk_times``, printed directly below the matching x tick:
    the number of patients with follow-up ``>= t``, as R's
    ``summary(fit, times = t)$n.risk`` and ``survminer`` count it (see
    :func:`at_risk_table`).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per patient.
    time : str
        Column of follow-up times (non-negative, finite).
    event : str
        Column of event indicators (1 = event, 0 = censored).
    group : str or None
        Column of group labels, one curve per group (None: one curve for all
        patients).  Groups are drawn in the order of the categories for a
        categorical column (unused categories are skipped), otherwise in order
        of first appearance.
    labels : mapping, optional
        Display label per group value, for the legend and the risk table;
        values without an entry are shown as they are.
    at_risk_times : sequence of float, optional
        Strictly increasing times for the x ticks and the risk table.  Default:
        evenly spaced "nice" times (steps of 1, 2, 3, 6 or 10 times a power of
        ten) from 0 to the longest follow-up.  An empty sequence draws no
        table (the x ticks are then matplotlib's).
    conf_type : {"log", "log-log", "plain"}, default "log"
        Transform of the 95% pointwise band (R ``survfit(conf.type=)``).
    show_ci : bool, default True
        Draw the confidence bands.
    xlabel, ylabel : str
        Axis labels.
    title : str, optional
        Title above the plot.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; the risk table is appended below it.  Default:
        a new figure.
    show_median : bool, default True
        Dashed lines from the 0.5 level to each group's median (R's rule,
        :func:`hccrep.stats.km_median`), as ``survminer``'s ``surv.median.line
        = "hv"``; a median not reached draws nothing.
    show_test : bool, default True
        With two or more groups, print the log-rank p-value in the plot
        (``survminer``'s ``pval = TRUE``) and, with exactly two, the hazard
        ratio of the second group against the first with its 95% Wald interval
        (Cox model, Efron ties).

    Returns
    -------
    matplotlib.figure.Figure
        With alt text (:func:`alt_text`) naming the groups, their sizes,
        events and medians, and the test when it is shown.

    Examples
    --------
    >>> d = pd.DataFrame({"months": [2, 5, 7, 9, 12, 4, 6, 15, 18, 20],
    ...                   "died": [1, 1, 0, 1, 0, 1, 0, 1, 0, 0],
    ...                   "arm": ["A"] * 5 + ["B"] * 5})
    >>> fig = km_plot(d, "months", "died", "arm", labels={"A": "Arm A", "B": "Arm B"},
    ...               at_risk_times=[0, 6, 12, 18])
    >>> [a.get_label() for a in fig.axes][1]
    'at-risk table'
    >>> "Arm A" in alt_text(fig)
    True
    """
    _check_frame(df, "df")
    _check_columns(df, {"time": time, "event": event, "group": group}, "df")
    check_choice(conf_type, CONF_TYPES, "conf_type")
    for value, name in ((xlabel, "xlabel"), (ylabel, "ylabel"), (title, "title")):
        _check_title(value, name)
    t, e = _as_time_event(df[time], df[event], f"time column {time!r}", f"event column {event!r}")
    levels, names, codes = _km_groups(df, group, labels)
    ticks = _risk_times(at_risk_times, t)
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(levels))]

    own_figure = ax is None
    fig, ax, tab = _km_axes(ax, len(levels), table=ticks.size > 0)
    for i, name in enumerate(names):
        m = codes == i
        _draw_km_group(ax, t[m], e[m], conf_type, colours[i], name, show_ci)
        if show_median:
            _draw_median_lines(ax, t[m], e[m])
    test_text = _km_test_text(t, e, codes, names) if show_test and len(names) > 1 else ""
    if test_text:
        ax.text(
            0.02,
            0.04,
            test_text,
            transform=ax.transAxes,
            ha="left",
            va="bottom",
            fontsize=10,
            gid="km-test",
            bbox={
                "boxstyle": "round,pad=0.3",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.75,
            },
        )

    xmax = max(float(t.max()), float(ticks.max()) if ticks.size else 0.0) or 1.0
    ax.set_xlim(-0.015 * xmax, 1.03 * xmax)
    ax.set_ylim(-0.02, 1.03)
    if ticks.size:
        ax.set_xticks(ticks)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    handles, leg_labels = ax.get_legend_handles_labels()
    if (e == 0).any():
        handles.append(
            Line2D(
                [], [], linestyle="none", marker="+", markersize=8, markeredgewidth=1.4, color=_GREY
            )
        )
        leg_labels.append("Censored")
    # above the plot, as survminer puts it: clear of the curves and of the test's box
    # the legend sits over the plot, which the risk table's row names push to the right
    room = ax.get_figure(root=True).get_figwidth() - 0.7 - _text_width_in(names, 10)
    ncols = _legend_columns(leg_labels, room, 3)
    ax.legend(handles, leg_labels, ncols=ncols, **_LEGEND_ABOVE_AXES)
    if title:
        rows = math.ceil(len(handles) / ncols)
        ax.set_title(title, pad=8 + 18 * rows)

    counts = None
    if tab is not None:
        counts = at_risk_table(df, time, event, group, ticks, labels=labels)
        _draw_risk_table(tab, counts, colours)

    # drawn into a caller's axes: the description of this panel is added to the figure's
    alt = _km_alt(t, e, codes, names, ticks, counts, conf_type, show_ci, xlabel, ylabel, title)
    if test_text:
        alt += " The plot prints " + test_text.replace(":\n", ": ").replace("\n", "; ") + "."
    set_alt_text(fig, alt, append=not own_figure)
    return fig


def _draw_median_lines(ax: Axes, t: np.ndarray, e: np.ndarray) -> None:
    """survminer's ``surv.median.line = "hv"``: to the 0.5 level and down to the axis."""
    med = km_median(t, e).median
    if math.isnan(med):
        return
    style = {"color": _GREY, "linestyle": "--", "linewidth": 0.9, "gid": "km-median"}
    ax.plot([0.0, med], [0.5, 0.5], **style)
    ax.plot([med, med], [0.0, 0.5], **style)


def _km_test_text(t: np.ndarray, e: np.ndarray, codes: np.ndarray, names) -> str:
    """Log-rank p (and, for two groups, the HR of the second against the first)."""
    p = _fmt_p(logrank(t, e, codes).pvalue)
    lines = [f"Log-rank p {p}" if p.startswith("<") else f"Log-rank p = {p}"]
    if len(names) == 2 and e.sum() > 0:
        d = pd.DataFrame({"t": t, "e": e, "second": (codes == 1).astype(float)})
        try:
            row = cox(d, "t", "e", ["second"]).table.loc["second"]
        except (ValueError, np.linalg.LinAlgError):  # no events in one group, etc.
            return lines[0]
        if np.isfinite([row["hr"], row["lower"], row["upper"]]).all():
            what = f"HR {names[1]} vs {names[0]}:"
            # long group names: the estimate goes on a line of its own
            lines.append(
                f"{what}{' ' if len(what) <= 24 else chr(10)}{row['hr']:.2f} "
                f"(95% CI {row['lower']:.2f}-{row['upper']:.2f})"
            )
    return "\n".join(lines)


def _km_alt(t, e, codes, names, ticks, counts, conf_type, show_ci, xlabel, ylabel, title) -> str:
    parts = []
    for i, name in enumerate(names):
        m = codes == i
        med = km_median(t[m], e[m]).median
        med_text = "median not reached" if math.isnan(med) else f"median {med:g} {xlabel.lower()}"
        parts.append(f"{name} (n = {int(m.sum())}, {int(e[m].sum())} events, {med_text})")
    what = f"{title}: " if title else ""
    text = (
        f"{what}Kaplan-Meier curves of {ylabel.lower()} against {xlabel.lower()} for "
        f"{len(names)} group{'s' if len(names) != 1 else ''}: {'; '.join(parts)}."
    )
    if show_ci:
        text += f" Shaded bands are 95% pointwise confidence intervals ({conf_type} transform)."
    if (e == 0).any():
        text += " Plus signs mark censored follow-up."
    if counts is not None:
        at = ", ".join(f"{x:g}" for x in ticks)
        rows = "; ".join(
            f"{name}: {', '.join(str(int(n)) for n in row)}" for name, row in counts.iterrows()
        )
        text += f" The table below gives the numbers at risk at {at} {xlabel.lower()}: {rows}."
    return text


# --------------------------------------------------------------------------
# forest plot
# --------------------------------------------------------------------------


def _forest_rows(
    table: pd.DataFrame, label, estimate, lower, upper, group, p_interaction, log_scale
):
    """Display rows: dicts with kind ('heading' | 'row'), text, est, lo, hi, p."""
    est = _numeric_column(table, estimate, "estimate")
    lo = _numeric_column(table, lower, "lower")
    hi = _numeric_column(table, upper, "upper")
    p = (
        _numeric_column(table, p_interaction, "p_interaction")
        if p_interaction
        else np.full(len(table), np.nan)
    )
    labels = table[label]
    if labels.isna().any():
        raise ValueError(f"label column {label!r} has missing values")
    bad_p = ~np.isnan(p) & ((p < 0) | (p > 1))
    if bad_p.any():
        raise ValueError(
            f"p_interaction column {p_interaction!r} has values outside [0, 1]: {p[bad_p].tolist()}"
        )
    for i, name in enumerate(labels):
        for v, role in ((est[i], "estimate"), (lo[i], "lower"), (hi[i], "upper")):
            if log_scale and v < 0:
                raise ValueError(
                    f"row {name!r}: negative {role} {v:g} on a log scale (log_scale=True)"
                )
        if math.isfinite(est[i]) and (lo[i] > est[i] * (1 + 1e-12) or hi[i] < est[i] * (1 - 1e-12)):
            raise ValueError(
                f"row {name!r}: the estimate {est[i]:g} lies outside its interval [{lo[i]:g}, {hi[i]:g}]"
            )
        if lo[i] > hi[i]:
            raise ValueError(f"row {name!r}: lower {lo[i]:g} exceeds upper {hi[i]:g}")

    rows, seen, current = [], set(), None
    groups = table[group] if group else pd.Series([np.nan] * len(table), index=table.index)
    for i, (name, g) in enumerate(zip(labels, groups)):
        in_group = not pd.isna(g)
        if in_group and g != current:
            if g in seen:
                raise ValueError(
                    f"group column {group!r}: the rows of group {g!r} are not consecutive"
                )
            seen.add(g)
            gp = p[(groups == g).to_numpy()]
            gp = np.unique(gp[~np.isnan(gp)])
            if gp.size > 1:
                raise ValueError(
                    f"p_interaction column {p_interaction!r}: group {g!r} has different values "
                    f"{gp.tolist()}"
                )
            rows.append(
                {
                    "kind": "heading",
                    "text": str(g),
                    "est": np.nan,
                    "lo": np.nan,
                    "hi": np.nan,
                    "p": float(gp[0]) if gp.size else np.nan,
                }
            )
        current = g if in_group else None
        rows.append(
            {
                "kind": "row",
                "index": i,
                "text": ("    " if in_group else "") + str(name),
                "label": str(name),
                "group": str(g) if in_group else None,
                "est": est[i],
                "lo": lo[i],
                "hi": hi[i],
                "p": np.nan if in_group else p[i],
            }
        )
    return rows


def _estimable(r: dict, log_scale: bool) -> bool:
    return r["kind"] == "row" and math.isfinite(r["est"]) and (r["est"] > 0 or not log_scale)


def _forest_limits(rows, log_scale: bool, reference_line) -> tuple[float, float]:
    vals = [r[k] for r in rows if _estimable(r, log_scale) for k in ("est", "lo", "hi")]
    if reference_line is not None:
        vals.append(reference_line)
    vals = np.array([v for v in vals if math.isfinite(v) and (v > 0 or not log_scale)], dtype=float)
    if log_scale:
        if vals.size == 0:
            return 0.1, 10.0
        lo, hi = vals.min(), vals.max()
        if hi / lo < 4:
            mid = math.sqrt(lo * hi)
            lo, hi = mid / 2, mid * 2
        return lo / 1.25, hi * 1.25
    if vals.size == 0:
        return -1.0, 1.0
    lo, hi = vals.min(), vals.max()
    pad = 0.08 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


@themed
def forest_plot(
    table,
    *,
    label: str = "label",
    estimate: str = "hr",
    lower: str = "lower",
    upper: str = "upper",
    group: str | None = None,
    p_interaction: str | None = None,
    reference_line: float | None = 1.0,
    log_scale: bool = True,
    xlabel: str = "Hazard ratio (95% CI)",
    estimate_title: str = "HR (95% CI)",
    decimals: int = 2,
    title: str | None = None,
    counts: str | None = None,
    counts_title: str = "n / events",
    favours: tuple[str, str] | None = None,
) -> Figure:
    """Forest plot: one row per estimate, point and confidence-interval whiskers.

    Rows are drawn top to bottom in table order.  Beside the plot a text
    column prints each estimate as ``"HR (lower–upper)"``; with
    ``p_interaction`` a further column prints the interaction p-value.

    Rows that cannot be drawn are handled without failing:

    * an estimate that is missing, infinite or (on a log scale) zero -- such
      as the ``HR 0 (0–Inf)`` of a subgroup with no events in one arm -- is
      not drawn and its text reads "not estimable";
    * an infinite bound, or a zero lower bound on a log scale, is drawn as a
      whisker to the edge of the plot ending in an arrow head;
    * a missing (NaN) bound is omitted.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per estimate.
    label, estimate, lower, upper : str
        Columns with the row label, the estimate and its confidence limits.
    group : str, optional
        Column naming the row group (for example ``"Age"`` for the rows
        ``"< 60"`` and ``">= 60"``).  Each group's rows must be consecutive;
        they are printed indented under a bold heading.  Rows with a missing
        group (such as an "Overall" row) get no heading.
    p_interaction : str, optional
        Column with interaction p-values.  With ``group`` the group's (single)
        non-missing value is printed on its heading; otherwise each row's
        value is printed on that row.  Missing values print nothing.
    reference_line : float or None, default 1.0
        x position of the dashed no-effect line (None: no line).
    log_scale : bool, default True
        Log x axis (ratios).  Values must then be non-negative.
    xlabel : str
        x-axis label.
    estimate_title : str
        Header of the text column.
    decimals : int, default 2
        Decimals of the printed estimates.
    title : str, optional
        Figure title.
    counts : str, optional
        Column with each row's sizes as text (for example ``"42 / 23"``, patients and
        events), printed in a column of its own before the estimates (missing values
        print nothing).
    counts_title : str, default "n / events"
        Header of the ``counts`` column.
    favours : (str, str), optional
        What an estimate left and right of the reference line favours, printed above
        the plot on either side of it (``("RT+IO+T", "IO+T")`` prints "← favours
        RT+IO+T" and "favours IO+T →"); needs ``reference_line``.

    Returns
    -------
    matplotlib.figure.Figure
        Axes: the plot, then one to three text columns.  Alt text lists each row.

    Examples
    --------
    >>> tab = pd.DataFrame({"sub": ["Male", "Female", "< 60", ">= 60"],
    ...                     "var": ["Sex", "Sex", "Age", "Age"],
    ...                     "hr": [0.6, 0.8, 0.0, 0.7], "lower": [0.3, 0.4, 0.0, 0.35],
    ...                     "upper": [1.2, 1.6, np.inf, 1.4], "p_int": [0.41, np.nan, 0.93, np.nan]})
    >>> fig = forest_plot(tab, label="sub", group="var", p_interaction="p_int")
    >>> len(fig.axes)
    3
    >>> "< 60: not estimable" in alt_text(fig)
    True
    """
    _check_frame(table, "table")
    _check_columns(
        table,
        {
            "label": label,
            "estimate": estimate,
            "lower": lower,
            "upper": upper,
            "group": group,
            "p_interaction": p_interaction,
            "counts": counts,
        },
        "table",
    )
    if favours is not None:
        if (
            not isinstance(favours, (tuple, list))
            or len(favours) != 2
            or not all(isinstance(f, str) and f.strip() for f in favours)
        ):
            raise ValueError(f"favours must be two non-empty strings, got {favours!r}")
        if reference_line is None:
            raise ValueError("favours needs a reference_line to place its two labels")
    if reference_line is not None:
        if (
            isinstance(reference_line, bool)
            or not isinstance(reference_line, (int, float, np.number))
            or not math.isfinite(reference_line)
            or (log_scale and reference_line <= 0)
        ):
            raise ValueError(
                f"reference_line must be a finite number (positive on a log scale) or None, "
                f"got {reference_line!r}"
            )
    if (
        isinstance(decimals, bool)
        or not isinstance(decimals, (int, np.integer))
        or not 0 <= decimals <= 6
    ):
        raise ValueError(f"decimals must be an integer from 0 to 6, got {decimals!r}")
    for value, name in ((xlabel, "xlabel"), (estimate_title, "estimate_title"), (title, "title")):
        _check_title(value, name)
    rows = _forest_rows(table, label, estimate, lower, upper, group, p_interaction, bool(log_scale))
    n = len(rows)
    with_p = p_interaction is not None

    with_n = counts is not None

    # each text column is as wide as its widest text (9-pt rows, 8.5-pt bold header); the row
    # labels and the plot share what is left of the figure's width
    def column(texts, header):
        head = _text_width_in(header.split("\n"), 8.5, "bold")
        return max(_text_width_in(texts, 9), head) + 0.1

    widths = []
    if with_n:
        widths.append(column([str(v) for v in table[counts].tolist()], counts_title))
    estimates = [
        f"{_fmt_number(r['est'], decimals)} ({_fmt_number(r['lo'], decimals)}{_EN_DASH}"
        f"{_fmt_number(r['hi'], decimals)})"
        for r in rows
        if r["kind"] == "row"
    ]
    widths.append(column(estimates + ["not estimable"], estimate_title))
    if with_p:
        widths.append(column([_fmt_p(r["p"]) for r in rows], "P for\ninteraction"))
    labels_in = _text_width_in(
        [r["text"] for r in rows if r["kind"] != "heading"], mpl.rcParams["ytick.labelsize"]
    )
    ratios = [max(FIGURE_WIDTH - 0.9 - labels_in - sum(widths), 1.0), *widths]
    fig = plt.figure(
        figsize=(FIGURE_WIDTH, 1.1 + 0.32 * n + (0.3 if favours else 0.0)), layout="constrained"
    )
    gs = fig.add_gridspec(1, len(ratios), width_ratios=ratios)
    ax = fig.add_subplot(gs[0])
    ntxt = fig.add_subplot(gs[1], sharey=ax) if with_n else None
    txt = fig.add_subplot(gs[1 + with_n], sharey=ax)
    ptxt = fig.add_subplot(gs[2 + with_n], sharey=ax) if with_p else None

    xlo, xhi = _forest_limits(rows, bool(log_scale), reference_line)
    if log_scale:
        _plain_log_axis(ax, xlo, xhi, width_in=ratios[0])
    ax.set_xlim(xlo, xhi)
    ax.set_ylim(n - 0.5, -0.6)
    if reference_line is not None:
        ax.axvline(reference_line, color=_GREY, linestyle="--", linewidth=1, gid="reference")

    colour = PALETTE[0]
    px, py = [], []
    for y, r in enumerate(rows):
        if not _estimable(r, bool(log_scale)):
            continue
        px.append(r["est"])
        py.append(y)
        lo_inf = (r["lo"] <= 0 and log_scale) or r["lo"] == -np.inf
        hi_inf = r["hi"] == np.inf
        left = xlo if lo_inf else r["lo"]
        right = xhi if hi_inf else r["hi"]
        if not math.isnan(left) or not math.isnan(right):
            a = r["est"] if math.isnan(left) else max(left, xlo)
            b = r["est"] if math.isnan(right) else min(right, xhi)
            ax.plot([a, b], [y, y], color=colour, linewidth=1.6, solid_capstyle="butt", gid="ci")
        for infinite, x, marker in ((lo_inf, xlo, "<"), (hi_inf, xhi, ">")):
            if infinite:  # an unbounded limit: an arrow at the edge of the axis
                ax.plot(
                    [x],
                    [y],
                    marker=marker,
                    color=colour,
                    markersize=7,
                    linestyle="none",
                    clip_on=False,
                    gid="ci-arrow",
                )
    ax.plot(px, py, linestyle="none", marker="s", markersize=7, color=colour, gid="estimates")

    ax.set_yticks(range(n), [r["text"] for r in rows])
    headings = []
    for tick, r in zip(ax.get_yticklabels(), rows):
        if r["kind"] == "heading":
            tick.set_fontweight("bold")
            # a heading row has no estimate: its name is written across the row instead, so
            # a long variable name does not widen the label column of a narrow figure
            tick.set_visible(False)
            headings.append((tick.get_text(), tick.get_position()[1]))
    pad_pt = _left_align_yticklabels(ax)
    if headings:
        # a tick label sits its pad plus the tick's length left of the axes
        pad_pt += ax.yaxis.get_major_ticks()[0].get_tick_padding()
        from matplotlib.transforms import ScaledTranslation, blended_transform_factory

        where = blended_transform_factory(ax.transAxes, ax.transData) + ScaledTranslation(
            -pad_pt / 72, 0, fig.dpi_scale_trans
        )
        for text, y in headings:
            heading = ax.text(
                0.0,
                y,
                text,
                transform=where,
                ha="left",
                va="center",
                fontweight="bold",
                fontsize=mpl.rcParams["ytick.labelsize"],
                clip_on=False,
                gid="heading",
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            )
            heading.set_in_layout(False)
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(xlabel, labelpad=16 if favours is not None else 4)
    if favours is not None:
        from matplotlib.transforms import ScaledTranslation, blended_transform_factory

        # under the tick labels, on either side of the reference line (clear of the columns)
        where = blended_transform_factory(ax.transData, ax.transAxes) + ScaledTranslation(
            0, -20 / 72, fig.dpi_scale_trans
        )
        for text, ha in (
            (f"\u2190 favours {favours[0]}", "right"),
            (f"favours {favours[1]} \u2192", "left"),
        ):
            side = ax.text(
                reference_line,
                0.0,
                f" {text} ",
                transform=where,
                ha=ha,
                va="top",
                fontsize=9,
                color=_GREY,
                gid="favours",
            )
            # the labels may reach under the row labels and the text columns, which are
            # empty there: they must not push the columns apart
            side.set_in_layout(False)
    if ntxt is not None:
        sizes = table[counts].tolist()
        for y, r in enumerate(rows):
            value = sizes[r["index"]] if r["kind"] == "row" else None
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                ntxt.text(0.0, y, str(value), va="center", ha="left", fontsize=9, gid="n-text")
        _text_column(ntxt, counts_title)

    texts = []
    for y, r in enumerate(rows):
        if r["kind"] == "heading":
            texts.append("")
            continue
        if _estimable(r, bool(log_scale)):
            s = (
                f"{_fmt_number(r['est'], decimals)} ({_fmt_number(r['lo'], decimals)}{_EN_DASH}"
                f"{_fmt_number(r['hi'], decimals)})"
            )
            txt.text(0.0, y, s, va="center", ha="left", fontsize=9, gid="estimate-text")
        else:
            s = "not estimable"
            txt.text(
                0.0,
                y,
                s,
                va="center",
                ha="left",
                fontsize=9,
                color=_GREY,
                style="italic",
                gid="estimate-text",
            )
        texts.append(s)
    _text_column(txt, estimate_title)
    if ptxt is not None:
        for y, r in enumerate(rows):
            if not math.isnan(r["p"]):
                ptxt.text(0.0, y, _fmt_p(r["p"]), va="center", ha="left", fontsize=9, gid="p-text")
        _text_column(ptxt, "P for\ninteraction")
    if title:
        fig.suptitle(title)

    alt = _forest_alt(rows, texts, xlabel, reference_line, log_scale, title)
    if favours is not None:
        alt += f" Left of the line favours {favours[0]}; right of it favours {favours[1]}."
    if counts is not None:
        alt += f" A column gives {counts_title} for each row."
    set_alt_text(fig, alt)
    return fig


def _text_width_in(texts, size: float, weight: str = "normal") -> float:
    """Width in inches of the widest of ``texts`` (one line each) at ``size`` points."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    prop = FontProperties(size=size, weight=weight)
    return (
        max(
            (
                TextPath((0, 0), str(t).replace("$", "\\$"), prop=prop).get_extents().width
                for t in texts
                if str(t).strip()
            ),
            default=0.0,
        )
        / 72.0
    )


def _legend_columns(labels, room_in: float, most: int) -> int:
    """Most legend columns (up to ``most``) whose widest row fits ``room_in`` inches."""
    size = mpl.rcParams["legend.fontsize"]
    size = size if isinstance(size, (int, float)) else mpl.rcParams["font.size"]
    for ncols in range(min(most, len(labels)), 1, -1):
        rows = [labels[i : i + ncols] for i in range(0, len(labels), ncols)]
        # each entry: its text, a 1.5-em handle, 0.8 em before the text, 1.2 em after
        widest = max(sum(_text_width_in([s], size) + 3.5 * size / 72 for s in r) for r in rows)
        if widest <= room_in:
            return ncols
    return 1


def _left_align_yticklabels(ax: Axes) -> float:
    """Left-align the visible y tick labels (so that leading spaces indent them); the pad in pt."""
    renderer = ax.get_figure(root=True).canvas.get_renderer()
    labels = [lab for lab in ax.get_yticklabels() if lab.get_visible()]
    width_px = max((lab.get_window_extent(renderer).width for lab in labels), default=0.0)
    width_pt = width_px * 72.0 / ax.get_figure(root=True).dpi
    for lab in ax.get_yticklabels():
        lab.set_horizontalalignment("left")
    ax.tick_params(axis="y", left=False, pad=width_pt + 6)
    return width_pt + 6


def _text_column(ax: Axes, header: str) -> None:
    ax.set_xlim(0, 1)
    ax.axis("off")
    ax.set_title(header, loc="left", fontsize=8.5, fontweight="bold")


def _forest_alt(rows, texts, xlabel, reference_line, log_scale, title) -> str:
    items, heading = [], None
    for r, s in zip(rows, texts):
        if r["kind"] == "heading":
            heading = r["text"]
            if not math.isnan(r["p"]):
                items.append(f"{heading} (interaction p {_fmt_p(r['p'])})")
            continue
        name = (
            f"{r['group']}, {r['label']}" if r["group"] and r["label"] != r["group"] else r["label"]
        )
        extra = f", p {_fmt_p(r['p'])}" if not math.isnan(r["p"]) else ""
        items.append(f"{name}: {s}{extra}")
    n = sum(r["kind"] == "row" for r in rows)
    what = f"{title}: " if title else ""
    text = f"{what}Forest plot of {n} estimate{'s' if n != 1 else ''}, {xlabel[:1].lower()}{xlabel[1:]}"
    text += " on a log scale" if log_scale else ""
    if reference_line is not None:
        text += f", with a dashed reference line at {reference_line:g}"
    return text + ". " + _list_text(items, limit=30) + "."


# --------------------------------------------------------------------------
# love plot
# --------------------------------------------------------------------------


def _as_smd(values, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        s = values.copy()
    elif isinstance(values, Mapping):
        s = pd.Series(dict(values), dtype=object)
    else:
        raise ValueError(
            f"{name} must be a mapping or a pandas Series (covariate -> SMD), got {type(values).__name__}"
        )
    if s.empty:
        raise ValueError(f"{name} is empty")
    if s.index.duplicated().any():
        raise ValueError(
            f"{name} lists covariates more than once: {sorted(map(str, s.index[s.index.duplicated()]))}"
        )
    try:
        s = pd.to_numeric(s, errors="raise").astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers") from None
    bad = s.index[~np.isfinite(s.to_numpy())]
    if len(bad):
        raise ValueError(f"{name} has missing or infinite values for {list(map(str, bad))}")
    return s


@themed
def love_plot(
    smd_before,
    smd_after,
    *,
    threshold: float | None = 0.1,
    sort: bool = True,
    labels: tuple[str, str] = ("Before matching", "After matching"),
    xlabel: str = "Absolute standardised mean difference",
    title: str | None = None,
) -> Figure:
    """Love plot: covariate balance before and after matching.

    Each covariate is one row with its absolute standardised mean difference
    (SMD) before matching (open circle) and after (filled circle), joined by a
    thin line; a dashed vertical line marks the balance threshold.

    Parameters
    ----------
    smd_before, smd_after : mapping or pandas.Series
        SMD per covariate (signed or absolute; the absolute value is drawn).
        Both must name the same covariates, with finite values.
    threshold : float or None, default 0.1
        Position of the dashed threshold line (None: no line); a common rule
        of thumb calls a covariate balanced when its absolute SMD is below 0.1.
    sort : bool, default True
        Order rows by absolute SMD before matching, largest at the top;
        otherwise keep the order of ``smd_before``.
    labels : (str, str)
        Legend entries of the two point sets.
    xlabel : str
        x-axis label.
    title : str, optional
        Title.

    Returns
    -------
    matplotlib.figure.Figure
        Alt text names the covariates above the threshold before and after.

    Examples
    --------
    >>> fig = love_plot({"age": -0.31, "male": 0.12, "afp": 0.05}, {"age": 0.04, "male": -0.02, "afp": 0.03})
    >>> len(fig.axes[0].get_lines())  # before, after, threshold
    3
    """
    before = _as_smd(smd_before, "smd_before")
    after = _as_smd(smd_after, "smd_after")
    only_before = [str(k) for k in before.index if k not in after.index]
    only_after = [str(k) for k in after.index if k not in before.index]
    if only_before or only_after:
        raise ValueError(
            f"smd_before and smd_after name different covariates: only in smd_before {only_before}, "
            f"only in smd_after {only_after}"
        )
    if threshold is not None and (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float, np.number))
        or not math.isfinite(threshold)
        or threshold <= 0
    ):
        raise ValueError(f"threshold must be a positive number or None, got {threshold!r}")
    if (
        not isinstance(labels, (tuple, list))
        or len(labels) != 2
        or not all(isinstance(x, str) for x in labels)
    ):
        raise ValueError(f"labels must be two strings, got {labels!r}")
    _check_title(xlabel, "xlabel")
    _check_title(title)
    b = before.abs()
    a = after.abs().reindex(b.index)
    if sort:
        order = b.sort_values(ascending=False, kind="stable").index
        b, a = b[order], a[order]
    k = len(b)
    y = np.arange(k)

    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 1.3 + 0.32 * k), layout="constrained")
    ax.hlines(y, np.minimum(a, b), np.maximum(a, b), color="0.75", linewidth=1, zorder=1)
    ax.plot(
        b.to_numpy(),
        y,
        linestyle="none",
        marker="o",
        markersize=7,
        markerfacecolor="white",
        markeredgewidth=1.6,
        color=PALETTE[3],
        label=labels[0],
        gid="smd-before",
        zorder=3,
    )
    ax.plot(
        a.to_numpy(),
        y,
        linestyle="none",
        marker="o",
        markersize=7,
        color=PALETTE[0],
        label=labels[1],
        gid="smd-after",
        zorder=3,
    )
    xmax = max(float(b.max()), float(a.max()), threshold or 0.0)
    if threshold is not None:
        ax.axvline(
            threshold,
            color=_GREY,
            linestyle="--",
            linewidth=1,
            label=f"Threshold {threshold:g}",
            gid="threshold",
        )
    ax.set_xlim(0, 1.1 * xmax if xmax > 0 else 1.0)
    ax.set_ylim(k - 0.5, -0.5)
    ax.set_yticks(y, [str(c) for c in b.index])
    ax.tick_params(axis="y", left=False)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    names = ax.get_legend_handles_labels()[1]
    fig.legend(
        loc="outside lower center",
        ncols=_legend_columns(names, fig.get_figwidth() - 0.3, 3),
        columnspacing=1.2,
    )

    set_alt_text(fig, _love_alt(b, a, threshold, labels, title))
    return fig


def _love_alt(b: pd.Series, a: pd.Series, threshold, labels, title) -> str:
    what = f"{title}: " if title else ""
    text = (
        f"{what}Love plot of absolute standardised mean differences for {len(b)} covariate"
        f"{'s' if len(b) != 1 else ''}, {labels[0].lower()} and {labels[1].lower()}."
    )
    if threshold is not None:
        text += f" A dashed line marks the threshold {threshold:g}."
        for s, lab in ((b, labels[0]), (a, labels[1])):
            over = [f"{c} {v:.2f}" for c, v in s.items() if v >= threshold]
            text += f" {lab}: {len(over)} at or above it" + (
                f" ({', '.join(over)})." if over else "."
            )
    else:
        text += " " + "; ".join(f"{c}: {b[c]:.2f} to {a[c]:.2f}" for c in b.index) + "."
    return text


# --------------------------------------------------------------------------
# reported versus replicated
# --------------------------------------------------------------------------


def _verdicts() -> tuple[str, ...]:
    from hccrep.replication import VERDICTS

    return tuple(VERDICTS)


@themed
def reported_vs_replicated_plot(card, *, scale: str = "ratio", title: str | None = None) -> Figure:
    """Scorecard figure: reported value, replicated value and Monte Carlo interval per check.

    One row per check, in card order: the Monte Carlo interval as a bar, the
    replicated value (book seed) as a dot and the reported value as a black
    open diamond, dot and bar coloured by the verdict (:data:`VERDICT_COLOURS`;
    the dot's shape also differs by verdict).  A text column prints the
    numbers.  Rows are named by the card's ``label`` column when it has one
    (:func:`hccrep.display.check_label`, wrapped over lines), else by ``key``.  Only rows whose reported and replicated values are finite (and,
    on the ratio scale, whose reported value is positive) are drawn; the
    interval is drawn where both of its ends are finite.

    Parameters
    ----------
    card : pandas.DataFrame
        Columns ``key, reported, replicated, mc_low, mc_high, verdict``, as
        :func:`hccrep.replication.scorecard` returns; verdicts must be among
        :data:`hccrep.replication.VERDICTS`.
    scale : {"ratio", "raw"}, default "ratio"
        ``"ratio"``: every value divided by the row's reported value, on a log
        axis, so that checks of different kinds (hazard ratios, medians in
        months, p-values) share one axis and the reported value sits on the
        dashed line at 1; ratios beyond 1/100 and 100 are drawn at the edge
        with an arrow head.  ``"raw"``: the values themselves on a linear
        axis, for a card of one kind of quantity.
    title : str, optional
        Title.

    Returns
    -------
    matplotlib.figure.Figure
        Alt text gives the verdict counts and the keys not reproduced.

    Examples
    --------
    >>> card = pd.DataFrame({"key": ["a.hr", "b.median", "c.p"], "reported": [0.5, 12.0, 0.2],
    ...                      "replicated": [0.55, 15.5, np.nan], "mc_low": [0.3, 13.0, np.nan],
    ...                      "mc_high": [0.9, 20.0, np.nan],
    ...                      "verdict": ["plausible", "not reproduced", "not checkable"]})
    >>> fig = reported_vs_replicated_plot(card)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['a.hr', 'b.median']
    """
    _check_frame(card, "card")
    cols = ("key", "reported", "replicated", "mc_low", "mc_high", "verdict")
    _check_columns(card, {c: c for c in cols}, "card")
    check_choice(scale, ("ratio", "raw"), "scale")
    _check_title(title)
    verdicts = _verdicts()
    bad = sorted(set(card["verdict"].astype(str)) - set(verdicts))
    if bad or card["verdict"].isna().any():
        raise ValueError(
            f"verdict column has values outside {list(verdicts)}: {bad or ['<missing>']}"
        )
    rep, rpl = (
        _numeric_column(card, "reported", "reported"),
        _numeric_column(card, "replicated", "replicated"),
    )
    low, high = (
        _numeric_column(card, "mc_low", "mc_low"),
        _numeric_column(card, "mc_high", "mc_high"),
    )
    drawn = np.isfinite(rep) & np.isfinite(rpl)
    if scale == "ratio":
        drawn &= rep > 0
        negative = (rpl < 0) | (np.isfinite(low) & (low < 0))
        if (drawn & negative).any():
            raise ValueError(
                "scale='ratio' needs non-negative replicated values and intervals; use scale='raw'"
            )
    idx = np.flatnonzero(drawn)
    k = len(idx)

    names = (
        (card["label"] if "label" in card.columns else card["key"])
        .fillna(card["key"])
        .astype(str)
        .to_numpy()
    )
    ticks = [_wrap_label(names[i]) for i in idx]
    lines = sum(t.count("\n") + 1 for t in ticks) if ticks else 1
    height = 1.6 + 0.3 * max(k, 1) + 0.17 * max(lines - k, 0)

    def values_text(i):  # the interval on a line of its own keeps the column narrow
        interval = (
            f"\n[{low[i]:.3g}{_EN_DASH}{high[i]:.3g}]"
            if np.isfinite(low[i]) and np.isfinite(high[i])
            else ""
        )
        return f"{rep[i]:.3g} | {rpl[i]:.3g}{interval}"

    header = "Reported |\nreplicated\n[MC interval]"
    column = max(
        _text_width_in([s for i in idx for s in values_text(i).split("\n")], 8.5),
        _text_width_in(header.split("\n"), 8.5, "bold"),
    )
    labels_in = _text_width_in([s for t in ticks for s in t.split("\n")], 8.5)
    lines = sum(max(t.count("\n"), values_text(i).count("\n")) + 1 for t, i in zip(ticks, idx))
    height = 1.6 + 0.3 * max(k, 1) + 0.17 * max(lines - k, 0)
    fig = plt.figure(figsize=(FIGURE_WIDTH, height), layout="constrained")
    gs = fig.add_gridspec(
        1, 2, width_ratios=[max(FIGURE_WIDTH - 0.9 - labels_in - column, 1.0), column + 0.1]
    )
    ax = fig.add_subplot(gs[0])
    txt = fig.add_subplot(gs[1], sharey=ax)
    keys = names
    verdict = card["verdict"].astype(str).to_numpy()

    def tr(v):
        return v[idx] / rep[idx] if scale == "ratio" else v[idx]

    r_rep, r_rpl, r_low, r_high = tr(rep), tr(rpl), tr(low), tr(high)
    if scale == "ratio":
        xlo, xhi = 1 / _RATIO_CLIP, _RATIO_CLIP
        finite = np.concatenate(
            [v[np.isfinite(v) & (v > 0)] for v in (r_rep, r_rpl, r_low, r_high)]
        )
        lo_data, hi_data = (finite.min(), finite.max()) if finite.size else (1.0, 1.0)
        xlo = max(xlo, min(lo_data, 0.5) / 1.3)
        xhi = min(xhi, max(hi_data, 2.0) * 1.3)
        _plain_log_axis(ax, xlo, xhi)
        ax.axvline(1.0, color=_GREY, linestyle="--", linewidth=1, gid="reference")
        xlabel = "Value relative to the reported value (log scale)"
    else:
        finite = np.concatenate([v[np.isfinite(v)] for v in (r_rep, r_rpl, r_low, r_high)])
        lo_data, hi_data = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        pad = 0.06 * (hi_data - lo_data) if hi_data > lo_data else max(abs(hi_data), 1.0) * 0.1
        xlo, xhi = lo_data - pad, hi_data + pad
        xlabel = "Value"

    def clip(v):
        return min(max(v, xlo), xhi)

    for y, i in enumerate(idx):
        c = VERDICT_COLOURS[verdict[i]]
        if (
            np.isfinite(r_low[y])
            and np.isfinite(r_high[y])
            and (scale == "raw" or r_low[y] > 0 or r_high[y] > 0)
        ):
            a = clip(r_low[y]) if r_low[y] > 0 or scale == "raw" else xlo
            b = clip(r_high[y])
            ax.barh(
                y, b - a, left=a, height=0.5, color=c, alpha=0.3, linewidth=0, gid="mc-interval"
            )
            if a <= xlo and (r_low[y] < xlo):
                ax.plot(
                    [xlo],
                    [y],
                    marker="<",
                    color=c,
                    markersize=6,
                    linestyle="none",
                    clip_on=False,
                    gid="clip-arrow",
                )
            if r_high[y] > xhi:
                ax.plot(
                    [xhi],
                    [y],
                    marker=">",
                    color=c,
                    markersize=6,
                    linestyle="none",
                    clip_on=False,
                    gid="clip-arrow",
                )
        ax.plot(
            [clip(r_rep[y])],
            [y],
            marker="D",
            markersize=7,
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=1.3,
            linestyle="none",
            gid="reported",
        )
        ax.plot(
            [clip(r_rpl[y])],
            [y],
            marker=_VERDICT_MARKERS[verdict[i]],
            markersize=7,
            color=c,
            linestyle="none",
            gid="replicated",
        )
        txt.text(
            0.0,
            y,
            values_text(i),
            va="center",
            ha="left",
            fontsize=8.5,
            gid="values-text",
        )

    ax.set_xlim(xlo, xhi)
    ax.set_ylim(max(k, 1) - 0.5, -0.5)
    ax.set_yticks(range(k), ticks, fontsize=8.5 if "label" in card.columns else None)
    ax.tick_params(axis="y", left=False)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel)
    if k == 0:
        ax.text(
            0.5,
            0.5,
            "No check has finite reported and replicated values",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=_GREY,
        )
    _text_column(txt, header)
    present = [v for v in verdicts if v in set(verdict[idx])]
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=_VERDICT_MARKERS[v],
            color=VERDICT_COLOURS[v],
            markersize=7,
            label=v,
        )
        for v in present
    ]
    handles += [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="D",
            markerfacecolor="none",
            markeredgecolor="black",
            markersize=7,
            label="Reported",
        ),
        Patch(facecolor="0.6", alpha=0.4, label="Monte Carlo interval"),
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=_legend_columns([h.get_label() for h in handles], fig.get_figwidth() - 0.3, 3),
        columnspacing=1.2,
    )
    if title:
        fig.suptitle(title)

    set_alt_text(fig, _card_alt(keys, verdict, idx, len(card), verdicts, scale, title))
    return fig


def _wrap_label(text: str, width: int = 26, max_lines: int = 4) -> str:
    """A row label over at most ``max_lines`` lines of about ``width`` characters."""
    import textwrap

    lines = textwrap.wrap(text, width=width, break_long_words=False) or [text]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "\u2026"
    return "\n".join(lines)


def reported_vs_replicated_plots(
    card, *, by: str = "source", scale: str = "ratio", title: str | None = None, max_rows: int = 30
) -> list[Figure]:
    """:func:`reported_vs_replicated_plot` once per table (or other value of ``by``), in card order.

    A scorecard of a whole paper in one figure is several thousand pixels
    tall; one figure per table keeps each readable.  A table with more than
    ``max_rows`` drawable checks is split further by its ``column`` (a model,
    an endpoint), or else into chunks of ``max_rows``.  Each figure's title
    names the table (after ``title``, when given), and what the title says is
    taken off the row labels.  Tables with nothing to draw are skipped.

    Parameters
    ----------
    card : DataFrame
        A scorecard (:func:`hccrep.replication.scorecard`), as for
        :func:`reported_vs_replicated_plot`, with the ``by`` column.
    by : str
        The column whose values get one figure each.
    scale : {"ratio", "raw"}
        As in :func:`reported_vs_replicated_plot`.
    title : str, optional
        Put before each figure's table name.
    max_rows : int
        The most checks drawn in one figure.

    Returns
    -------
    list of Figure
        One figure per table (or part of a table), in card order.

    Examples
    --------
    >>> card = pd.DataFrame({"key": ["a.hr", "b.hr"], "source": ["Table 2", "Table 3"],
    ...                      "reported": [0.5, 2.0], "replicated": [0.55, 1.5], "mc_low": [0.3, 1.2],
    ...                      "mc_high": [0.9, 2.5], "verdict": ["plausible", "plausible"]})
    >>> [f.get_suptitle() for f in reported_vs_replicated_plots(card)]
    ['Table 2', 'Table 3']
    """
    _check_frame(card, "card")
    if by not in card.columns:
        raise ValueError(f"card has no column {by!r} to split by")
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise ValueError(f"max_rows must be a positive int, got {max_rows!r}")

    def drawable(part) -> np.ndarray:
        rep = pd.to_numeric(part["reported"], errors="coerce").to_numpy(dtype=float)
        rpl = pd.to_numeric(part["replicated"], errors="coerce").to_numpy(dtype=float)
        return np.isfinite(rep) & np.isfinite(rpl) & ((rep > 0) if scale == "ratio" else True)

    def trimmed(part, prefix: str, suffix: str):
        if "label" not in part.columns:
            return part
        out = []
        for lb in part["label"]:
            if isinstance(lb, str):
                lb = lb[len(prefix) :] if prefix and lb.startswith(prefix) else lb
                lb = lb[: -len(suffix)] if suffix and lb.endswith(suffix) else lb
            out.append(lb)
        return part.assign(label=out)

    figures = []
    for name in pd.unique(card[by].astype(str)):
        part = card[card[by].astype(str) == name]
        part = part[drawable(part)]
        if part.empty:
            continue
        head = f"{title}: {name}" if title else name
        pieces = [(head, part, "")]
        if len(part) > max_rows:
            if (
                "column" in part.columns
                and part["column"].notna().all()
                and part["column"].nunique() > 1
            ):
                pieces = [
                    (f"{head} \u00b7 {col}", part[part["column"] == col], f" \u00b7 {col}")
                    for col in pd.unique(part["column"])
                ]
            else:
                n = -(-len(part) // max_rows)
                pieces = [
                    (f"{head} ({i + 1} of {n})", part.iloc[i * max_rows : (i + 1) * max_rows], "")
                    for i in range(n)
                ]
        for text, piece, suffix in pieces:
            piece = trimmed(piece, f"{name} \u00b7 ", suffix)
            figures.append(reported_vs_replicated_plot(piece, scale=scale, title=text))
    return figures


def _card_alt(keys, verdict, idx, total, verdicts, scale, title) -> str:
    what = f"{title}: " if title else ""
    counts = pd.Series(verdict[idx]).value_counts()
    count_text = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in verdicts)
    how = (
        "each value divided by the reported value on a log axis, the reported value on the dashed line at 1"
        if scale == "ratio"
        else "values on a linear axis"
    )
    text = (
        f"{what}Reported versus replicated values for {len(idx)} of {total} checks ({how}); "
        f"a bar shows the Monte Carlo interval, a dot the replicated value on the book's seed and a diamond "
        f"the reported value. Verdicts of the drawn checks: {count_text}."
    )
    missed = [keys[i] for i in idx if verdict[i] == "not reproduced"]
    if missed:
        text += f" Not reproduced: {_list_text(missed)}."
    if len(idx) < total:
        left_out = total - len(idx)
        text += (
            f" {left_out} check{' is' if left_out == 1 else 's are'} not drawn "
            f"(no finite reported and replicated value{'' if scale == 'raw' else ', or a reported value of 0'})."
        )
    return text


# --------------------------------------------------------------------------
# prediction models: ROC, calibration, decision curves
# --------------------------------------------------------------------------


def _panel(ax, figsize: tuple[float, float]) -> tuple[Figure, Axes, bool]:
    """A new figure with one axes, or the figure of a given axes (then the alt text is appended)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax, False
    if not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax.get_figure(root=True), ax, True


def _check_mapping(obj, name: str) -> None:
    if not isinstance(obj, Mapping) or len(obj) == 0:
        raise ValueError(f"{name} must be a non-empty mapping from a model name to its data")
    for key in obj:
        if not isinstance(key, str) or not key:
            raise ValueError(
                f"{name} keys must be non-empty strings (the legend labels), got {key!r}"
            )


@themed
def roc_plot(
    curves,
    ax: Axes | None = None,
    title: str | None = None,
    *,
    mark_youden: bool = True,
    conf_level: float = 0.95,
) -> Figure:
    """ROC curves of one or more models, the AUC and its DeLong CI in the legend.

    Each curve joins the (1 - specificity, sensitivity) points of
    :func:`hccrep.stats.prediction.roc_table` (pROC thresholds: a patient is
    positive when the score is at or above the threshold; higher scores mean
    "case").  The legend gives each model's AUC with its DeLong confidence
    interval (:func:`hccrep.stats.prediction.roc_auc`); the dotted diagonal
    is a model no better than chance.

    Parameters
    ----------
    curves : mapping of str to (y, score)
        Model name -> (0/1 outcome, risk score).  Different models may use
        different patients (for example one curve per cohort).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (its figure is returned and the alt text appended).
    title : str, optional
        Axes title.
    mark_youden : bool, default True
        Mark each curve's Youden cut-off
        (:func:`hccrep.stats.prediction.youden_cutoff`) with a dot.
    conf_level : float, default 0.95
        Level of the AUC intervals in the legend.

    Returns
    -------
    matplotlib.figure.Figure
        Alt text lists each model's AUC and interval.

    Examples
    --------
    >>> y = [0, 0, 1, 1, 0, 1, 0, 1]
    >>> fig = roc_plot({"Model A": (y, [1, 2, 3, 4, 2, 5, 1, 3]), "Model B": (y, [2, 1, 2, 3, 3, 2, 1, 4])})
    >>> [t.get_text().split(" (")[0] for t in fig.axes[0].get_legend().get_texts()]
    ['Model A', 'Model B']
    """
    from hccrep.stats.prediction import roc_auc, roc_table, youden_cutoff

    _check_mapping(curves, "curves")
    _check_title(title)
    rows = []
    for name, pair in curves.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"curves[{name!r}] must be a pair (y, score)")
        y, score = pair
        try:
            tab = roc_table(y, score)
            auc = roc_auc(y, score, conf_level=conf_level)
        except ValueError as exc:
            raise ValueError(f"curves[{name!r}]: {exc}") from None
        cut = youden_cutoff(y, score) if mark_youden else None
        rows.append((name, tab, auc, cut))

    fig, ax, appended = _panel(ax, (FIGURE_WIDTH, 4.9))
    ax.plot([0, 1], [0, 1], color=_GREY, linestyle=":", linewidth=1, gid="chance")
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(rows))]
    for (name, tab, auc, cut), colour in zip(rows, colours):
        x = 1.0 - tab["specificity"].to_numpy()[::-1]
        s = tab["sensitivity"].to_numpy()[::-1]
        label = (
            f"{name} (AUC {auc.auc:.3f}, {_EN_DASH.join([f'{auc.lower:.3f}', f'{auc.upper:.3f}'])})"
        )
        ax.plot(x, s, color=colour, label=label, gid="roc-curve")
        if cut is not None:
            ax.plot(
                [1 - cut.specificity],
                [cut.sensitivity],
                marker="o",
                markersize=7,
                color=colour,
                linestyle="none",
                label="_nolegend_",
                gid="youden",
            )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("1 \u2212 specificity (false-positive rate)")
    ax.set_ylabel("Sensitivity (true-positive rate)")
    ax.legend(loc="lower right", title=f"AUC ({conf_level:.0%} DeLong CI)")
    if title:
        ax.set_title(title)
    set_alt_text(fig, _roc_alt(rows, conf_level, mark_youden, title), append=appended)
    return fig


def _roc_alt(rows, conf_level, mark_youden, title) -> str:
    what = f"{title}: " if title else ""
    parts = []
    for name, _tab, auc, cut in rows:
        s = f"{name} AUC {auc.auc:.3f} ({conf_level:.0%} CI {auc.lower:.3f} to {auc.upper:.3f})"
        if cut is not None:
            s += (
                f", Youden cut-off {cut.threshold:.3g} with sensitivity {cut.sensitivity:.2f} "
                f"and specificity {cut.specificity:.2f}"
            )
        parts.append(s)
    return (
        f"{what}ROC curves of {len(rows)} model{'s' if len(rows) != 1 else ''}: sensitivity against "
        f"1 minus specificity, with a dotted diagonal for chance. {_list_text(parts)}."
        + (" Dots mark the Youden cut-offs." if mark_youden else "")
    )


@themed
def _wilson(events: np.ndarray, n: np.ndarray, z: float = 1.959963984540054):
    """Wilson score interval of a proportion (95% by default)."""
    centre = (events + z * z / 2) / (n + z * z)
    half = z * np.sqrt(events * (n - events) / n + z * z / 4) / (n + z * z)
    return centre - half, centre + half


def calibration_plot(
    tables, ax: Axes | None = None, title: str | None = None, *, raw=None
) -> Figure:
    """Calibration curves: observed event proportion against mean predicted risk per bin.

    One set of points per model, drawn from the tables of
    :func:`hccrep.stats.prediction.calibration_table`, each with the 95% Wilson
    interval of its observed proportion; points on the dashed 45-degree line mean
    perfect calibration, points below it over-prediction.  Point areas grow with
    the number of patients in the bin.  The points are not joined: a line between
    bins suggests values nobody observed.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Model name -> calibration table (columns mean_predicted, observed, n).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (its figure is returned and the alt text appended).
    title : str, optional
        Axes title.
    raw : mapping of str to (y, prob), optional
        For the models named, the patients' outcomes (0/1) and predicted risks: then
        a LOWESS smoother of the outcome on the risk is drawn (as R ``rms::val.prob``,
        ``lowess(p, y, iter = 0)``), the distribution of the risks is shown as bars
        along the bottom, and the legend gives the calibration intercept and slope
        (:func:`hccrep.stats.prediction.calibration_intercept_slope`).

    Returns
    -------
    matplotlib.figure.Figure
        Alt text gives each model's number of bins and largest gap from the
        diagonal.

    Examples
    --------
    >>> tab = pd.DataFrame({"bin": [1, 2], "n": [5, 5], "mean_predicted": [0.2, 0.7], "observed": [0.1, 0.8]})
    >>> fig = calibration_plot({"Model": tab})
    >>> "largest gap 0.10" in alt_text(fig)
    True
    """
    _check_mapping(tables, "tables")
    _check_title(title)
    data = []
    for name, tab in tables.items():
        _check_frame(tab, f"tables[{name!r}]")
        _check_columns(
            tab,
            {"mean_predicted": "mean_predicted", "observed": "observed", "n": "n"},
            f"tables[{name!r}]",
        )
        mp = _numeric_column(tab, "mean_predicted", "mean_predicted")
        ob = _numeric_column(tab, "observed", "observed")
        n = _numeric_column(tab, "n", "n")
        for v, col in ((mp, "mean_predicted"), (ob, "observed")):
            if not np.isfinite(v).all() or (v < 0).any() or (v > 1).any():
                raise ValueError(f"tables[{name!r}] column {col!r} must hold proportions in [0, 1]")
        if not np.isfinite(n).all() or (n <= 0).any():
            raise ValueError(f"tables[{name!r}] column 'n' must hold positive counts")
        data.append((name, mp, ob, n))

    if raw is not None:
        _check_mapping(raw, "raw")
        unknown = sorted(set(raw) - set(tables))
        if unknown:
            raise ValueError(f"raw names models that tables does not: {unknown}")
    fig, ax, appended = _panel(ax, (FIGURE_WIDTH, 4.9))
    ax.plot([0, 1], [0, 1], color=_GREY, linestyle="--", linewidth=1, gid="ideal", label="Ideal")
    nmax = max(float(n.max()) for *_, n in data)
    fits = {}
    for i, (name, mp, ob, n) in enumerate(data):
        colour = PALETTE[i % len(PALETTE)]
        label = name
        if raw is not None and name in raw:
            fits[name] = _draw_calibration_raw(ax, *raw[name], colour, i, len(data))
            a, b = (round(v, 2) + 0.0 for v in fits[name])  # never "-0.00"
            label = f"{name} (intercept {a:.2f}, slope {b:.2f})"
        ax.plot(
            mp,
            ob,
            color=colour,
            linestyle="none",
            marker="o",
            markersize=6,
            label=label,
            gid="calibration-curve",
        )
        lo, hi = _wilson(ob * n, n)
        bars = ax.errorbar(
            mp, ob, yerr=[ob - lo, hi - ob], fmt="none", ecolor=colour, elinewidth=1.2, capsize=3
        )
        for part in bars.lines[2]:
            part.set_gid("calibration-ci")
        ax.scatter(mp, ob, s=20 + 80 * n / nmax, color=colour, zorder=3, gid="calibration-points")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("Mean predicted risk")
    ax.set_ylabel("Observed proportion")
    ax.legend(loc="upper left")
    if title:
        ax.set_title(title)
    parts = [
        f"{name}: {len(mp)} bins, largest gap {float(np.max(np.abs(ob - mp))):.2f}"
        + (f", intercept {fits[name][0]:.2f}, slope {fits[name][1]:.2f}" if name in fits else "")
        for name, mp, ob, _n in data
    ]
    what = f"{title}: " if title else ""
    text = (
        f"{what}Calibration plot of {len(data)} model{'s' if len(data) != 1 else ''}: observed proportion "
        f"of events against mean predicted risk per risk bin, with 95% intervals and a dashed "
        f"diagonal for perfect calibration (points below it mean over-prediction). "
        f"{_list_text(parts)}."
    )
    if fits:
        text += (
            " Solid curves are LOWESS smoothers; bars along the bottom show the predicted risks."
        )
    set_alt_text(fig, text, append=appended)
    return fig


def _draw_calibration_raw(ax: Axes, y, prob, colour, i: int, k: int) -> tuple[float, float]:
    """Smoother, risk histogram and (intercept, slope) of one model's patients."""
    from statsmodels.nonparametric.smoothers_lowess import lowess

    from hccrep.stats.prediction import calibration_intercept_slope

    a, b = calibration_intercept_slope(y, prob)
    p = np.asarray(prob, dtype=float)
    smooth = lowess(np.asarray(y, dtype=float), p, frac=2 / 3, it=0)
    ax.plot(smooth[:, 0], smooth[:, 1], color=colour, linewidth=1.6, gid="calibration-smoother")
    counts, edges = np.histogram(p, bins=20, range=(0.0, 1.0))
    height = 0.1 * counts / max(counts.max(), 1)  # the tallest bar is a tenth of the axis
    width = (edges[1] - edges[0]) / k
    ax.bar(
        edges[:-1] + i * width,
        height,
        width=width,
        bottom=-0.02,
        align="edge",
        color=colour,
        alpha=0.45,
        gid="risk-histogram",
    )
    return float(a), float(b)


_NB_COLUMNS = ("threshold", "model", "treat_all", "treat_none")


def _check_nb(nb, name: str) -> dict[str, np.ndarray]:
    _check_frame(nb, name)
    _check_columns(nb, {c: c for c in _NB_COLUMNS}, name)
    out = {c: _numeric_column(nb, c, c) for c in _NB_COLUMNS}
    if not np.isfinite(out["threshold"]).all() or (np.diff(out["threshold"]) <= 0).any():
        raise ValueError(f"{name} thresholds must be finite and strictly increasing")
    return out


@themed
def decision_curve_plot(
    nb,
    ax: Axes | None = None,
    models=None,
    *,
    label: str = "Model",
    title: str | None = None,
    ylim: tuple[float, float] | None = None,
    thresholds: tuple[float, float] | None = None,
) -> Figure:
    """Decision curves: net benefit against threshold probability.

    Draws the ``model`` column of ``nb`` (from
    :func:`hccrep.stats.prediction.net_benefit` or
    :func:`~hccrep.stats.prediction.net_benefit_survival`), the ``model``
    column of every table in ``models``, and the two reference strategies of
    ``nb``: treat all (grey) and treat none (black, net benefit 0).  A model
    is useful at the thresholds where its curve lies above both.  By default
    the y axis runs from a little below 0 to a little above the largest net
    benefit, so the steep fall of "treat all" at high thresholds does not
    squash the curves.

    Parameters
    ----------
    nb : pandas.DataFrame
        Columns threshold, model, treat_all, treat_none (thresholds
        increasing).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into (its figure is returned and the alt text appended).
    models : mapping of str to pandas.DataFrame, optional
        Further models, each a table like ``nb`` with the same thresholds.
    label : str, default "Model"
        Legend label of ``nb``'s model column.
    title : str, optional
        Axes title.
    ylim : (float, float), optional
        y-axis limits.
    thresholds : (float, float), optional
        The range of threshold probabilities to show, the clinically sensible one
        (for example ``(0.05, 0.6)``): rows outside it are left out of the curves,
        the axis and the alt text.  Default: every row of ``nb``.

    Returns
    -------
    matplotlib.figure.Figure
        Alt text gives, per model, the threshold range where it beats both
        reference strategies.

    Examples
    --------
    >>> nb = pd.DataFrame({"threshold": [0.1, 0.3, 0.5], "model": [0.4, 0.2, 0.1],
    ...                    "treat_all": [0.3, 0.1, -0.2], "treat_none": [0.0, 0.0, 0.0]})
    >>> fig = decision_curve_plot(nb, label="TIPM")
    >>> "TIPM" in alt_text(fig)
    True
    """
    base = _check_nb(nb, "nb")
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be a non-empty string, got {label!r}")
    _check_title(title)
    series = [(label, base["model"])]
    if models is not None:
        _check_mapping(models, "models")
        for name, tab in models.items():
            if name == label:
                raise ValueError(f"models has a key equal to label {label!r}")
            m = _check_nb(tab, f"models[{name!r}]")
            if m["threshold"].shape != base["threshold"].shape or not np.allclose(
                m["threshold"], base["threshold"]
            ):
                raise ValueError(f"models[{name!r}] thresholds differ from those of nb")
            series.append((name, m["model"]))
    if ylim is not None:
        if (
            not isinstance(ylim, (tuple, list))
            or len(ylim) != 2
            or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in ylim)
            or ylim[0] >= ylim[1]
        ):
            raise ValueError(f"ylim must be two increasing finite numbers, got {ylim!r}")

    if thresholds is not None:
        if (
            not isinstance(thresholds, (tuple, list))
            or len(thresholds) != 2
            or not all(isinstance(v, (int, float)) and 0 <= v < 1 for v in thresholds)
            or thresholds[0] >= thresholds[1]
        ):
            raise ValueError(
                f"thresholds must be two increasing probabilities in [0, 1), got {thresholds!r}"
            )
        keep = (base["threshold"] >= thresholds[0]) & (base["threshold"] <= thresholds[1])
        if keep.sum() < 2:
            raise ValueError(f"fewer than two rows of nb lie in thresholds {thresholds!r}")
        base = {k: v[keep] for k, v in base.items()}
        series = [(name, y[keep]) for name, y in series]
    x = base["threshold"]
    fig, ax, appended = _panel(ax, (FIGURE_WIDTH, 4.2))
    for i, (name, y) in enumerate(series):
        ax.plot(x, y, color=PALETTE[i % len(PALETTE)], label=name, gid="nb-model")
    ax.plot(
        x, base["treat_all"], color="0.55", linewidth=1.5, label="Treat all", gid="nb-treat-all"
    )
    ax.plot(
        x, base["treat_none"], color="black", linewidth=1.2, label="Treat none", gid="nb-treat-none"
    )
    if ylim is None:
        top = max(float(np.nanmax(y)) for _, y in series)
        top = max(top, float(np.nanmax(base["treat_all"])), 0.01)
        ylim = (-0.1 * top - 0.01, 1.12 * top)
    ax.set_ylim(*ylim)
    ax.set_xlim(float(x.min()), float(x.max()))
    ax.set_xlabel("Threshold probability")
    ax.set_ylabel("Net benefit")
    # above the plot, in two columns: net-benefit curves fill the panel's corners
    names = ax.get_legend_handles_labels()[1]
    entries = len(names)
    ncols = _legend_columns(names, ax.get_figure(root=True).get_figwidth() - 0.9, 2)
    ax.legend(ncols=ncols, **_LEGEND_ABOVE_AXES)
    if title:
        ax.set_title(title, pad=8 + 18 * math.ceil(entries / ncols))
    set_alt_text(fig, _dca_alt(x, series, base, title), append=appended)
    return fig


def _dca_alt(x, series, base, title) -> str:
    what = f"{title}: " if title else ""
    ref = np.maximum(base["treat_all"], base["treat_none"])
    parts = []
    for name, y in series:
        better = y > ref + 1e-12
        if better.any():
            idx = np.flatnonzero(better)
            parts.append(
                f"{name} above both from {x[idx[0]]:.2f} to {x[idx[-1]]:.2f}"
                + ("" if idx.size == idx[-1] - idx[0] + 1 else " (with gaps)")
            )
        else:
            parts.append(f"{name} never above both")
    return (
        f"{what}Decision curves: net benefit against threshold probability from {x.min():.2f} to "
        f"{x.max():.2f} for {len(series)} model{'s' if len(series) != 1 else ''}, treat all (grey) and "
        f"treat none (black line at 0). {_list_text(parts)}."
    )


def pvalue_histogram(samples, reported, *, title: str | None = None, bins: int = 30):
    """Histogram of Monte Carlo p-values on a log axis, with reported p-values as vertical lines.

    Parameters
    ----------
    samples : mapping of str to array_like
        One distribution per label (e.g. one per simulation model), overlaid.
    reported : mapping of str to float
        Reported p-values, one dashed line each, labelled in the legend.
    title : str, optional
    bins : int
        Number of log-spaced bins.

    Returns
    -------
    matplotlib.figure.Figure
        With alt text (:func:`hccrep.plots.alt_text`) giving, for every
        distribution, its size, median and the share of cohorts at or below
        each reported p.

    Examples
    --------
    >>> fig = pvalue_histogram({"model": [0.01, 0.2, 0.5]}, {"reported": 0.05})
    >>> "33% at or below reported" in alt_text(fig)
    True
    """
    data = {k: np.asarray(v, float) for k, v in samples.items()}
    data = {k: v[np.isfinite(v) & (v > 0)] for k, v in data.items()}
    if not data or any(v.size == 0 for v in data.values()):
        raise ValueError("every sample needs at least one positive, finite p-value")
    lo = min(min(v.min() for v in data.values()), *reported.values()) / 2
    edges = np.logspace(np.log10(lo), 0, bins + 1)
    with mpl.rc_context(_theme_rc()):
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.6), layout="constrained")
        for i, (label, v) in enumerate(data.items()):
            ax.hist(
                v,
                bins=edges,
                alpha=0.5,
                color=PALETTE[i % len(PALETTE)],
                label=f"{label} (n = {v.size})",
            )
        styles = ["--", ":", "-."]
        for j, (label, p) in enumerate(reported.items()):
            ax.axvline(
                p, color="black", linestyle=styles[j % len(styles)], linewidth=1.5, label=label
            )
        ax.set_xscale("log")
        ax.set_xlabel("p-value (log scale)")
        ax.set_ylabel("Simulated cohorts")
        ax.legend(loc="upper left")
        if title:
            ax.set_title(title)
    parts = []
    for label, v in data.items():
        share = "; ".join(
            f"{100 * np.mean(v <= p):.0f}% at or below {label_r} ({p:g})"
            for label_r, p in reported.items()
        )
        parts.append(f"{label}: {v.size} cohorts, median p {np.median(v):.3g}, {share}")
    set_alt_text(
        fig,
        f"{title + ': ' if title else ''}Histogram of simulated p-values on a log axis with the reported "
        f"p-values as vertical lines. " + ". ".join(parts) + ".",
    )
    return fig


def count_histogram(
    samples: Mapping[str, Sequence[float]],
    reported: float,
    *,
    xlabel: str,
    title: str | None = None,
):
    """Bar chart of an integer count over simulated cohorts, one bar colour per sample, with the reported count.

    Parameters
    ----------
    samples : mapping of str to array_like
        One distribution of whole numbers per label (e.g. the matched pairs
        under each reading of a caliper); missing values are dropped.
    reported : float
        The printed count, drawn as a dashed line.
    xlabel : str
        What is counted (the x axis).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        With alt text (:func:`alt_text`) giving each sample's median, range
        and share of cohorts with exactly the reported count.

    Examples
    --------
    >>> fig = count_histogram({"a": [17, 18, 18, 19]}, 18, xlabel="Matched pairs")
    >>> "50% of cohorts with exactly 18" in alt_text(fig)
    True
    """
    arrays = {k: np.asarray(v, float) for k, v in samples.items()}
    data = {k: v[np.isfinite(v)].astype(int) for k, v in arrays.items()}
    if not data or any(v.size == 0 for v in data.values()):
        raise ValueError("every sample needs at least one finite count")
    lo = int(min(min(v.min() for v in data.values()), reported)) - 1
    hi = int(max(max(v.max() for v in data.values()), reported)) + 1
    xs = np.arange(lo, hi + 1)
    width = 0.8 / len(data)
    with mpl.rc_context(_theme_rc()):
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 4.6), layout="constrained")
        for i, (label, v) in enumerate(data.items()):
            counts = np.array([np.sum(v == x) for x in xs])
            ax.bar(
                xs - 0.4 + width * (i + 0.5),
                counts,
                width=width,
                color=PALETTE[i % len(PALETTE)],
                label=f"{label} (n = {v.size})",
            )
        ax.axvline(
            reported, color="black", linestyle="--", linewidth=1.5, label=f"reported: {reported:g}"
        )
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Simulated cohorts")
        ax.set_xticks(xs[:: max(1, len(xs) // 15)])
        fig.legend(loc="outside lower center", ncols=1, fontsize="small")
        if title:
            ax.set_title(title)
    parts = [
        f"{label}: median {np.median(v):g}, range {v.min()} to {v.max()}, "
        f"{100 * np.mean(v == reported):.0f}% of cohorts with exactly {reported:g}"
        for label, v in data.items()
    ]
    set_alt_text(
        fig,
        f"{title + ': ' if title else ''}Bar chart of {xlabel.lower()} in simulated cohorts, one "
        f"bar colour per sample, with the reported number as a dashed line. "
        + "; ".join(parts)
        + ".",
    )
    return fig


def marker_cutoff_plot(values: pd.Series, cutoffs: pd.DataFrame, *, label: str, log: bool = False):
    """Histogram of a simulated marker with the reported cut-offs as vertical lines (book theme, alt text).

    ``cutoffs`` is :func:`hccrep.cutoffs.cutoff_positions`' table.

    Parameters
    ----------
    values : Series
        The simulated marker values.
    cutoffs : DataFrame
        :func:`hccrep.cutoffs.cutoff_positions`.
    label : str
        The marker's name on the axis.
    log : bool
        Log scale on the marker axis.

    Returns
    -------
    matplotlib.figure.Figure
        With alt text.

    Examples
    --------
    >>> from hccrep.spec import load_study
    >>> from hccrep.cutoffs import cutoff_positions
    >>> v = pd.Series(np.linspace(1, 6, 50))
    >>> alt_text(marker_cutoff_plot(v, cutoff_positions(v, load_study("lv2025"), "NLR"), label="NLR")).startswith("Histogram")
    True
    """
    vals = np.asarray(values, dtype=float)
    if vals.size == 0:
        raise ValueError("values is empty")

    @themed
    def draw():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.6))
        data = np.log10(vals) if log else vals
        ax.hist(data, bins=30, color=PALETTE[0], alpha=0.7)
        for i, r in enumerate(cutoffs.itertuples()):
            x = math.log10(r.cutoff) if log else r.cutoff
            ax.axvline(
                x,
                color=PALETTE[(i % 6) + 1],
                ls="--",
                lw=1.5,
                label=f"{r.printed} ({r.reference})",
            )
        ax.set_xlabel(f"log10 {label}" if log else label)
        ax.set_ylabel("simulated patients")
        ax.legend(loc="upper right", fontsize=8.5)
        lines = "; ".join(
            f"{r.printed} from {r.reference} with {100 * r._5:.0f}% of patients at or above"
            for r in cutoffs.itertuples()
        )
        set_alt_text(
            fig,
            f"Histogram of {label} in {vals.size} simulated patients, median {np.median(vals):.3g}, "
            f"with the reported cut-offs as dashed lines: {lines}.",
        )
        return fig

    return draw()


def importance_pair_plot(table: pd.DataFrame, title: str | None = None):
    """Impurity and permutation importance side by side (a table from :func:`hccrep.stats.prediction.forest_importance`).

    Parameters
    ----------
    table : DataFrame
        :func:`hccrep.stats.prediction.forest_importance`.
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels, with alt text.
    """

    @themed
    def draw():
        t = table.sort_values("impurity")
        # the two rankings one under the other, at the width of the book's text column
        fig, axes = plt.subplots(2, 1, figsize=(FIGURE_WIDTH, 2 * (0.35 * len(t) + 1.2)))
        axes[0].barh(t.index, t["impurity"], color="0.45")
        axes[0].set_xlabel("Impurity (mean decrease in Gini)")
        axes[1].barh(t.index, t["permutation"], xerr=t["permutation_sd"], color="0.25")
        axes[1].axvline(0, color="0.5", lw=0.8)
        axes[1].set_xlabel("Permutation (drop in validation AUC)")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        top_i = ", ".join(table.sort_values("impurity", ascending=False).index[:4])
        top_p = ", ".join(table.sort_values("permutation", ascending=False).index[:4])
        set_alt_text(
            fig,
            (
                f"Two bar charts of random-forest importance for {len(t)} features. Impurity importance ranks first: "
                f"{top_i}. Permutation importance ranks first: {top_p}."
            ),
        )
        return fig

    return draw()
