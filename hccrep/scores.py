"""Clinical indices of liver function, inflammation and nutrition used in HCC studies.

Every function takes its inputs **in the unit its argument name states**
(``bilirubin_umol_l``, ``albumin_g_l``, ``neutrophils_1e9_l`` ...), works on
scalars, numpy arrays and pandas Series alike (a Series in gives a Series out,
with the same index), and validates strictly: a negative, infinite or missing
value, a zero denominator or an unknown category raises :class:`ValueError`
naming the argument.  Converters at the top turn other common units into the
ones the functions expect; a wrong unit is the most common way to get a
plausible-looking but wrong score (see the lv2025 calculator notebook), so
albumin and bilirubin -- whose g/dL and mg/dL values are numbers a g/L or
umol/L argument could take -- are also checked for plausibility: the median
of the values given must lie in :data:`PLAUSIBLE_RANGES` (albumin 10-70 g/L,
bilirubin 3-1000 umol/L), or a :class:`ValueError` names the argument and the
unit the values look like.  The median, not each value, is judged, so one
extreme value in a column (a simulated tail) does not stop a cohort; a single
value is its own median.

Definitions and their sources
-----------------------------
ALBI
    0.66 * log10(bilirubin, umol/L) - 0.085 * albumin (g/L); grade 1 <= -2.60,
    grade 2 in (-2.60, -1.39], grade 3 > -1.39 (Johnson et al., J Clin Oncol
    2015;33:550-558).
PALBI
    2.02*log10(B) - 0.37*log10(B)**2 - 0.04*A - 3.48*log10(P) + 1.01*log10(P)**2
    with B bilirubin (umol/L), A albumin (g/L), P platelets (1e9/L); grade 1 <=
    -2.53, grade 2 in (-2.53, -2.09], grade 3 > -2.09 (Roayaie et al.,
    Hepatology 2015;62:440-451; grades as tabulated in Sci Rep 2018;8:4773).
Child-Pugh
    five components scored 1-3 and summed (5-15); class A 5-6, B 7-9, C 10-15
    (Pugh et al., Br J Surg 1973;60:646-649; INR in place of the prothrombin
    time prolongation, as is now usual).
NLR, PLR, MLR, LMR
    neutrophil/lymphocyte, platelet/lymphocyte, monocyte/lymphocyte and
    lymphocyte/monocyte ratios (counts in the same unit: dimensionless).
SII
    platelets * neutrophils / lymphocytes (Hu et al., Clin Cancer Res
    2014;20:6212-6222), in 1e9/L: *not* dimensionless.
SIRI
    neutrophils * monocytes / lymphocytes (Qi et al., Cancer 2016;122:2158-2167),
    in 1e9/L: *not* dimensionless.
PNI
    10 * albumin (g/dL) + 0.005 * lymphocytes (per mm3) (Onodera et al., Nihon
    Geka Gakkai Zasshi 1984;85:1001-1005), i.e. albumin (g/L) + 5 * lymphocytes
    (1e9/L).
SIS
    0, 1 or 2 abnormal components among albumin and the LMR (Chang et al., Br J
    Cancer 2015;113:626-633).  Its cut-offs come from the deriving cohort; the
    lv2025 review gives none, so they are required arguments here.
CAR
    C-reactive protein / albumin (Kinoshita et al., Ann Surg Oncol
    2015;22:803-810); mg/L over g/L equals mg/dL over g/dL.
GPS, mGPS
    Glasgow prognostic score (Forrest et al., Br J Cancer 2003;89:1028-1030):
    one point each for CRP > 10 mg/L and albumin < 35 g/L; modified GPS
    (McMillan, Proc Nutr Soc 2008;67:257-262): 0 if CRP <= 10 mg/L, else 1, or 2
    when albumin is also < 35 g/L.  The review does not use them; they are the
    classic CRP-albumin scores beside CAR and CCPS.
CRAFITY
    one point each for CRP >= 1 mg/dL (10 mg/L) and AFP >= 100 ng/mL (Scheiner
    et al., J Hepatol 2022;76:353-363).
AAR (De Ritis ratio)
    AST / ALT (De Ritis et al., Clin Chim Acta 1957;2:70-74).
VWF/ADAMTS13 ratio
    von Willebrand factor antigen (%) over ADAMTS13 activity (%), the "VA" of
    lv2025 Table 1 (Takaya et al.).
AFP and DCP ratios
    post-treatment over pre-treatment level (lv2025, DCP section); the AFP
    reduction is 100 * (before - after) / before.

Indices the review names without a formula (CCPS, Wu et al.'s continuous SIS
model, ACTH, ARH, HAIC-manual) are listed in :data:`NOT_DEFINED` with the reason
and are not invented here.

Examples
--------
>>> round(float(albi(10, 40)), 2)
-2.74
>>> int(albi_grade(10, 40))
1
>>> child_pugh(10, 40, 1, "none", "none")["class"].tolist()
['A']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "BILIRUBIN_UMOL_PER_MG_DL",
    "ALBUMIN_G_L_PER_G_DL",
    "CRP_MG_L_PER_MG_DL",
    "CHILD_PUGH_THRESHOLDS",
    "PLAUSIBLE_RANGES",
    "NOT_DEFINED",
    "ALBI_COEFFICIENTS",
    "ALBI_GRADE_CUTS",
    "PALBI_COEFFICIENTS",
    "PALBI_GRADE_CUTS",
    "INDICES",
    "bilirubin_mg_dl_to_umol_l",
    "bilirubin_umol_l_to_mg_dl",
    "albumin_g_dl_to_g_l",
    "albumin_g_l_to_g_dl",
    "crp_mg_dl_to_mg_l",
    "cells_per_ul_to_1e9_l",
    "albi",
    "albi_grade",
    "grade_albi",
    "palbi",
    "palbi_grade",
    "grade_palbi",
    "child_pugh_points",
    "child_pugh",
    "child_pugh_class",
    "nlr",
    "plr",
    "mlr",
    "lmr",
    "sii",
    "siri",
    "pni",
    "sis",
    "car",
    "gps",
    "mgps",
    "crafity",
    "aar",
    "vwf_adamts13_ratio",
    "marker_ratio",
    "marker_reduction_percent",
    "calculate_all",
    "missing_inputs",
]

#: 1 mg/dL of bilirubin (molar mass 584.7 g/mol) is 17.1 umol/L.
BILIRUBIN_UMOL_PER_MG_DL = 17.1
#: 1 g/dL = 10 g/L.
ALBUMIN_G_L_PER_G_DL = 10.0
#: 1 mg/dL = 10 mg/L.
CRP_MG_L_PER_MG_DL = 10.0

#: Published constants of the index definitions (not results of any study): Johnson et al. 2015.
ALBI_COEFFICIENTS = {"log10_bilirubin_umol_l": 0.66, "albumin_g_l": -0.085}
#: ALBI grade cut-offs, Johnson et al. 2015: grade 1 <= first < grade 2 <= second < grade 3.
ALBI_GRADE_CUTS = (-2.60, -1.39)
#: PALBI coefficients (Roayaie et al. 2015) of log10 B, (log10 B)^2, A, log10 P, (log10 P)^2.
PALBI_COEFFICIENTS = (2.02, -0.37, -0.04, -3.48, 1.01)
#: PALBI grade cut-offs (as tabulated in Sci Rep 2018;8:4773).
PALBI_GRADE_CUTS = (-2.53, -2.09)

#: Glasgow prognostic score thresholds (Forrest et al. 2003): CRP > 10 mg/L, albumin < 35 g/L.
GPS_CRP_MG_L, GPS_ALBUMIN_G_L = 10, 35
#: CRAFITY thresholds (Scheiner et al. 2022): CRP >= 1 mg/dL (10 mg/L), AFP >= 100 ng/mL.
CRAFITY_CRP_MG_L, CRAFITY_AFP_NG_ML = 10, 100

#: Child-Pugh point thresholds in the units of :func:`child_pugh_points` (Pugh 1973, with INR).
#: Bilirubin: < 2 mg/dL -> 1, 2-3 -> 2, > 3 -> 3 (34.2 and 51.3 umol/L);
#: albumin: > 3.5 g/dL -> 1, 2.8-3.5 -> 2, < 2.8 -> 3 (35 and 28 g/L);
#: INR: < 1.7 -> 1, 1.7-2.3 -> 2, > 2.3 -> 3.  Values on a threshold take the middle points.
CHILD_PUGH_THRESHOLDS = {
    "bilirubin_umol_l": (2 * BILIRUBIN_UMOL_PER_MG_DL, 3 * BILIRUBIN_UMOL_PER_MG_DL),
    "albumin_g_l": (28, 35),
    "inr": (1.7, 2.3),
}


@dataclass(frozen=True)
class _Plausible:
    """Plausible range of an input's median, and the unit it is most often confused with."""

    low: float
    high: float
    unit: str
    other_unit: str
    factor: float  # a value in other_unit times factor is in unit
    converter: str


#: Plausible range of the *median* of the inputs whose unit is most often confused, in the unit
#: of the argument name.  A median outside it raises ValueError naming the argument and the unit
#: (a whole column in the other unit); a few extreme values in an otherwise plausible column do not.
#:
#: * albumin: 10-70 g/L (1-7 g/dL).  Serum albumin below 10 g/L is hardly compatible with life
#:   outside congenital analbuminaemia and total serum protein is about 60-80 g/L, so no
#:   patient, let alone a cohort, has a median outside it; albumin in g/dL (about 2-5) falls below.
#: * bilirubin: 3-1000 umol/L (0.18-58 mg/dL).  3 umol/L is the lower reference limit of
#:   laboratories and 1000 umol/L beyond the worst cholestasis; a cohort in mg/dL (median about
#:   0.5-2) falls below.  Single values of 3 mg/dL or more cannot be told from low umol/L values.
#: * The converters' inputs the other way round: albumin 1-7 g/dL, bilirubin 0.05-60 mg/dL.
PLAUSIBLE_RANGES: dict[str, _Plausible] = {
    "albumin_g_l": _Plausible(
        10.0, 70.0, "g/L", "g/dL", ALBUMIN_G_L_PER_G_DL, "albumin_g_dl_to_g_l"
    ),
    "albumin_cutoff_g_l": _Plausible(
        10.0, 70.0, "g/L", "g/dL", ALBUMIN_G_L_PER_G_DL, "albumin_g_dl_to_g_l"
    ),
    "bilirubin_umol_l": _Plausible(
        3.0, 1000.0, "umol/L", "mg/dL", BILIRUBIN_UMOL_PER_MG_DL, "bilirubin_mg_dl_to_umol_l"
    ),
    "albumin_g_dl": _Plausible(
        1.0, 7.0, "g/dL", "g/L", 1 / ALBUMIN_G_L_PER_G_DL, "albumin_g_l_to_g_dl"
    ),
    "bilirubin_mg_dl": _Plausible(
        0.05, 60.0, "mg/dL", "umol/L", 1 / BILIRUBIN_UMOL_PER_MG_DL, "bilirubin_umol_l_to_mg_dl"
    ),
}

_ASCITES = {
    "none": 1,
    "absent": 1,
    "slight": 2,
    "mild": 2,
    "moderate": 3,
    "severe": 3,
    "moderate_severe": 3,
}
_ENCEPHALOPATHY = {"none": 1, "absent": 1, "grade_1_2": 2, "mild": 2, "grade_3_4": 3, "severe": 3}
_WEST_HAVEN = {0: 1, 1: 2, 2: 2, 3: 3, 4: 3}

#: Scores the lv2025 review names without giving what is needed to compute them.
NOT_DEFINED: dict[str, str] = {
    "CCPS": "the review says CCPS combines cholesterol and CRP into three risk groups but gives neither the cut-offs nor the points",
    "SIS (Wu et al. model)": "Table 1 prints a negative cut-off, which no 0-2 SIS can take; the continuous model behind it is not given",
    "HAIC-manual": "five components are named (EM, arterial enhancement, tumour number, ALBI, lobe involvement), not their points",
    "ARH": "AFP, Child-Pugh score and tumour response are named, not their points or cut-offs",
    "ACTH": "Child-Pugh score, AFP and DCP response are named, not their points or cut-offs",
    "CRAFITY cut-offs as used by Zeng et al.": "the review only names CRAFITY as a comparator; hccrep uses the original Scheiner et al. cut-offs",
}


# ----------------------------------------------------------------------------- validation


def _is_pandas(x) -> bool:
    return isinstance(x, (pd.Series, pd.Index))


def _as_float(x, name: str, *, positive: bool = False) -> np.ndarray:
    """``x`` as a float array, every value finite and non-negative (or positive)."""
    if isinstance(x, (str, bytes)):
        raise ValueError(f"{name} must be numeric, got the string {x!r}")
    raw = np.asarray(x.to_numpy() if _is_pandas(x) else x)
    if raw.dtype == bool or isinstance(x, bool):
        raise ValueError(f"{name} must be numeric, got booleans")
    try:
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric, got {type(x).__name__}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(np.atleast_1d(arr)))
        raise ValueError(
            f"{name} must be finite (no NaN or infinity); position {int(bad[0])} is not"
        )
    if positive and np.any(arr <= 0):
        raise ValueError(
            f"{name} must be positive (it is a denominator or a logarithm's argument), got {float(np.atleast_1d(arr)[np.atleast_1d(arr) <= 0][0])}"
        )
    if np.any(arr < 0):
        raise ValueError(
            f"{name} cannot be negative, got {float(np.atleast_1d(arr)[np.atleast_1d(arr) < 0][0])}"
        )
    if name in PLAUSIBLE_RANGES and arr.size:
        _check_plausible(arr, name, PLAUSIBLE_RANGES[name])
    return arr


def _check_plausible(arr: np.ndarray, name: str, rule: _Plausible) -> None:
    """ValueError naming ``name`` and its unit when the median of ``arr`` lies outside ``rule``'s range."""
    median = float(np.median(arr))
    if rule.low <= median <= rule.high:
        return
    span = f"plausible median {rule.low:g}-{rule.high:g} {rule.unit}"
    if rule.low <= median * rule.factor <= rule.high:
        raise ValueError(
            f"{name}: values look like {rule.other_unit} (median {median:.3g}); give {rule.unit} "
            f"(hccrep.scores.{rule.converter} converts); {span}"
        )
    raise ValueError(
        f"{name}: median {median:.3g} is outside the {span}; check the values and their unit"
    )


def _index_of(*args) -> pd.Index | None:
    idx = None
    for a in args:
        if _is_pandas(a):
            this = a.index if isinstance(a, pd.Series) else pd.RangeIndex(len(a))
            if idx is None:
                idx = this
            elif not idx.equals(this):
                raise ValueError("pandas inputs must share one index")
    return idx


def _same_length(names: Sequence[str], arrays: Sequence[np.ndarray]) -> None:
    sizes = {n: a.size for n, a in zip(names, arrays) if a.ndim == 1}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"inputs differ in length: {sizes}")


def _wrap(values: np.ndarray, index: pd.Index | None, name: str):
    """Series (pandas in), float (all scalars in) or array."""
    if index is not None:
        return pd.Series(np.broadcast_to(values, (len(index),)).copy(), index=index, name=name)
    if np.ndim(values) == 0:
        v = values.item()
        return v
    return values


def _numeric(
    name: str,
    fn: Callable[..., np.ndarray],
    args: Mapping[str, object],
    positive: Sequence[str] = (),
):
    arrays = [_as_float(v, k, positive=k in positive) for k, v in args.items()]
    _same_length(list(args), arrays)
    return _wrap(np.asarray(fn(*arrays), dtype=float), _index_of(*args.values()), name)


def _grades(score: np.ndarray, cut1: float, cut2: float) -> np.ndarray:
    return np.where(score <= cut1, 1, np.where(score <= cut2, 2, 3))


# ----------------------------------------------------------------------------- unit converters


def bilirubin_mg_dl_to_umol_l(bilirubin_mg_dl):
    """Bilirubin from mg/dL to umol/L (times 17.1).

    Parameters
    ----------
    bilirubin_mg_dl : float or array_like
        Total bilirubin in mg/dL.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> bilirubin_mg_dl_to_umol_l(2)
    34.2
    """
    return _numeric(
        "bilirubin_umol_l",
        lambda b: b * BILIRUBIN_UMOL_PER_MG_DL,
        {"bilirubin_mg_dl": bilirubin_mg_dl},
    )


def bilirubin_umol_l_to_mg_dl(bilirubin_umol_l):
    """Bilirubin from umol/L to mg/dL (divided by 17.1).

    Parameters
    ----------
    bilirubin_umol_l : float or array_like
        Total bilirubin in umol/L.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> bilirubin_umol_l_to_mg_dl(34.2)
    2.0
    """
    return _numeric(
        "bilirubin_mg_dl",
        lambda b: b / BILIRUBIN_UMOL_PER_MG_DL,
        {"bilirubin_umol_l": bilirubin_umol_l},
    )


def albumin_g_dl_to_g_l(albumin_g_dl):
    """Albumin from g/dL to g/L (times 10).

    Parameters
    ----------
    albumin_g_dl : float or array_like
        Serum albumin in g/dL.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> albumin_g_dl_to_g_l(4) == 40
    True
    """
    return _numeric(
        "albumin_g_l", lambda a: a * ALBUMIN_G_L_PER_G_DL, {"albumin_g_dl": albumin_g_dl}
    )


def albumin_g_l_to_g_dl(albumin_g_l):
    """Albumin from g/L to g/dL (divided by 10).

    Parameters
    ----------
    albumin_g_l : float or array_like
        Serum albumin in g/L.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> albumin_g_l_to_g_dl(40) == 4
    True
    """
    return _numeric(
        "albumin_g_dl", lambda a: a / ALBUMIN_G_L_PER_G_DL, {"albumin_g_l": albumin_g_l}
    )


def crp_mg_dl_to_mg_l(crp_mg_dl):
    """C-reactive protein from mg/dL to mg/L (times 10).

    Parameters
    ----------
    crp_mg_dl : float or array_like
        C-reactive protein in mg/dL.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> crp_mg_dl_to_mg_l(1)
    10.0
    """
    return _numeric("crp_mg_l", lambda c: c * CRP_MG_L_PER_MG_DL, {"crp_mg_dl": crp_mg_dl})


def cells_per_ul_to_1e9_l(cells_per_ul):
    """A blood count from cells per microlitre (= per mm3) to 10^9 cells per litre (divided by 1000).

    Parameters
    ----------
    cells_per_ul : float or array_like
        A cell count per microlitre (per mm3).

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> cells_per_ul_to_1e9_l(1500)
    1.5
    """
    return _numeric("cells_1e9_l", lambda c: c / 1000.0, {"cells_per_ul": cells_per_ul})


# ----------------------------------------------------------------------------- liver function


def albi(bilirubin_umol_l, albumin_g_l):
    """ALBI score: 0.66 * log10(bilirubin, umol/L) - 0.085 * albumin (g/L) (Johnson et al. 2015).

    Parameters
    ----------
    bilirubin_umol_l : float or array_like
        Total bilirubin in umol/L (convert mg/dL with :func:`bilirubin_mg_dl_to_umol_l`); positive,
        with a median of 3-1000 umol/L (:data:`PLAUSIBLE_RANGES`).
    albumin_g_l : float or array_like
        Serum albumin in g/L (convert g/dL with :func:`albumin_g_dl_to_g_l`); median 10-70 g/L.

    Returns
    -------
    float, ndarray or Series

    Raises
    ------
    ValueError
        Naming the argument, for invalid values or a median outside its plausible range (the
        message says when the values look like mg/dL or g/dL).

    Examples
    --------
    >>> round(albi(10, 40), 2)
    -2.74
    >>> albi(1.2, 3.4)  # mg/dL and g/dL
    Traceback (most recent call last):
    ...
    ValueError: bilirubin_umol_l: values look like mg/dL (median 1.2); give umol/L (hccrep.scores.bilirubin_mg_dl_to_umol_l converts); plausible median 3-1000 umol/L
    """
    cb, ca = ALBI_COEFFICIENTS["log10_bilirubin_umol_l"], ALBI_COEFFICIENTS["albumin_g_l"]
    return _numeric(
        "albi",
        lambda b, a: cb * np.log10(b) + ca * a,
        {"bilirubin_umol_l": bilirubin_umol_l, "albumin_g_l": albumin_g_l},
        positive=("bilirubin_umol_l",),
    )


def grade_albi(albi_score):
    """ALBI grade (1, 2, 3) of an ALBI score: <= -2.60, (-2.60, -1.39], > -1.39.

    Parameters
    ----------
    albi_score : float or array_like
        ALBI scores (:func:`albi`).

    Returns
    -------
    int, ndarray or Series
        Grades 1, 2 or 3, in the shape of the input.

    Examples
    --------
    >>> grade_albi([-3, -2, -1]).tolist()
    [1, 2, 3]
    """
    arr = np.asarray(albi_score.to_numpy() if _is_pandas(albi_score) else albi_score, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError("albi_score must be finite")
    return _wrap(_grades(arr, *ALBI_GRADE_CUTS).astype(int), _index_of(albi_score), "albi_grade")


def albi_grade(bilirubin_umol_l, albumin_g_l):
    """ALBI grade (1, 2, 3) from bilirubin (umol/L) and albumin (g/L).

    Parameters
    ----------
    bilirubin_umol_l : float or array_like
        Total bilirubin in umol/L.
    albumin_g_l : float or array_like
        Serum albumin in g/L.

    Returns
    -------
    int, ndarray or Series
        Grades 1, 2 or 3 (:func:`grade_albi` of :func:`albi`).

    Examples
    --------
    >>> albi_grade(10, 40)
    1
    """
    return grade_albi(albi(bilirubin_umol_l, albumin_g_l))


def palbi(bilirubin_umol_l, albumin_g_l, platelets_1e9_l):
    """PALBI score (Roayaie et al. 2015): ALBI with the platelet count added.

    ``2.02*log10(B) - 0.37*log10(B)**2 - 0.04*A - 3.48*log10(P) + 1.01*log10(P)**2``
    with B bilirubin (umol/L), A albumin (g/L), P platelets (1e9/L).

    Parameters
    ----------
    bilirubin_umol_l : float or array_like
        Total bilirubin in umol/L.
    albumin_g_l : float or array_like
        Serum albumin in g/L.
    platelets_1e9_l : float or array_like
        Platelet count in 1e9/L.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> round(palbi(10, 40, 100), 1)
    -2.9
    """

    def f(b, a, p):
        lb, lp = np.log10(b), np.log10(p)
        c1, c2, c3, c4, c5 = PALBI_COEFFICIENTS
        return c1 * lb + c2 * lb**2 + c3 * a + c4 * lp + c5 * lp**2

    return _numeric(
        "palbi",
        f,
        {
            "bilirubin_umol_l": bilirubin_umol_l,
            "albumin_g_l": albumin_g_l,
            "platelets_1e9_l": platelets_1e9_l,
        },
        positive=("bilirubin_umol_l", "platelets_1e9_l"),
    )


def grade_palbi(palbi_score):
    """PALBI grade (1, 2, 3): <= -2.53, (-2.53, -2.09], > -2.09.

    Parameters
    ----------
    palbi_score : float or array_like
        PALBI scores (:func:`palbi`).

    Returns
    -------
    int, ndarray or Series
        Grades 1, 2 or 3, in the shape of the input.

    Examples
    --------
    >>> grade_palbi([-3, -2.3, -2]).tolist()
    [1, 2, 3]
    """
    arr = np.asarray(
        palbi_score.to_numpy() if _is_pandas(palbi_score) else palbi_score, dtype=float
    )
    if not np.all(np.isfinite(arr)):
        raise ValueError("palbi_score must be finite")
    return _wrap(_grades(arr, *PALBI_GRADE_CUTS).astype(int), _index_of(palbi_score), "palbi_grade")


def palbi_grade(bilirubin_umol_l, albumin_g_l, platelets_1e9_l):
    """PALBI grade from bilirubin (umol/L), albumin (g/L) and platelets (1e9/L).

    Parameters
    ----------
    bilirubin_umol_l : float or array_like
        Total bilirubin in umol/L.
    albumin_g_l : float or array_like
        Serum albumin in g/L.
    platelets_1e9_l : float or array_like
        Platelet count in 1e9/L.

    Returns
    -------
    int, ndarray or Series
        Grades 1, 2 or 3 (:func:`grade_palbi` of :func:`palbi`).

    Examples
    --------
    >>> palbi_grade(10, 40, 100)
    1
    """
    return grade_palbi(palbi(bilirubin_umol_l, albumin_g_l, platelets_1e9_l))


def _categories(
    values, name: str, mapping: Mapping, numeric: Mapping[int, int] | None = None
) -> np.ndarray:
    raw = values.to_numpy() if _is_pandas(values) else values
    arr = np.atleast_1d(np.asarray(raw, dtype=object))
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or one-dimensional")
    out = np.empty(arr.size, dtype=int)
    for i, v in enumerate(arr):
        if isinstance(v, str) and v.strip().lower() in mapping:
            out[i] = mapping[v.strip().lower()]
        elif (
            numeric is not None
            and isinstance(v, (int, np.integer))
            and not isinstance(v, (bool, np.bool_))
            and int(v) in numeric
        ):
            out[i] = numeric[int(v)]
        else:
            allowed = sorted(mapping) + ([f"integer grade {sorted(numeric)}"] if numeric else [])
            raise ValueError(f"{name}: unknown category {v!r} at position {i}; allowed: {allowed}")
    return out if np.ndim(raw) else out.reshape(())


def child_pugh_points(bilirubin_umol_l, albumin_g_l, inr, ascites, encephalopathy) -> pd.DataFrame:
    """Points (1-3) of each Child-Pugh component (Pugh et al. 1973, INR version).

    Parameters
    ----------
    bilirubin_umol_l : array_like
        < 34.2 -> 1, 34.2-51.3 -> 2, > 51.3 -> 3 (2 and 3 mg/dL); median 3-1000 umol/L
        (:data:`PLAUSIBLE_RANGES`, else ValueError).
    albumin_g_l : array_like
        > 35 -> 1, 28-35 -> 2, < 28 -> 3 (3.5 and 2.8 g/dL); median 10-70 g/L.
    inr : array_like
        < 1.7 -> 1, 1.7-2.3 -> 2, > 2.3 -> 3.
    ascites : str or array_like of str
        ``"none"`` (1), ``"slight"``/``"mild"`` (2), ``"moderate"``/``"severe"`` (3).
    encephalopathy : str, int or array_like
        ``"none"`` (1), ``"grade_1_2"``/``"mild"`` (2), ``"grade_3_4"``/``"severe"`` (3),
        or the West Haven grade as an integer 0-4.

    Returns
    -------
    DataFrame
        Columns ``bilirubin, albumin, inr, ascites, encephalopathy`` (points).

    Examples
    --------
    >>> child_pugh_points(40, 30, 1.2, "mild", "none").iloc[0].tolist()
    [2, 2, 1, 2, 1]
    """
    b = _as_float(bilirubin_umol_l, "bilirubin_umol_l")
    a = _as_float(albumin_g_l, "albumin_g_l")
    i = _as_float(inr, "inr", positive=True)
    asc = _categories(ascites, "ascites", _ASCITES)
    enc = _categories(encephalopathy, "encephalopathy", _ENCEPHALOPATHY, _WEST_HAVEN)
    _same_length(
        ["bilirubin_umol_l", "albumin_g_l", "inr", "ascites", "encephalopathy"], [b, a, i, asc, enc]
    )
    b1, b2 = CHILD_PUGH_THRESHOLDS["bilirubin_umol_l"]
    a1, a2 = CHILD_PUGH_THRESHOLDS["albumin_g_l"]
    i1, i2 = CHILD_PUGH_THRESHOLDS["inr"]
    # a value exactly on a printed threshold belongs to the middle band ("2-3 mg/dL", "2.8-3.5 g/dL")
    pts = {
        "bilirubin": np.where(b < b1 - 1e-9, 1, np.where(b <= b2 + 1e-9, 2, 3)),
        "albumin": np.where(a > a2 + 1e-9, 1, np.where(a >= a1 - 1e-9, 2, 3)),
        "inr": np.where(i < i1 - 1e-9, 1, np.where(i <= i2 + 1e-9, 2, 3)),
        "ascites": asc,
        "encephalopathy": enc,
    }
    n = max(np.size(v) for v in pts.values())
    idx = _index_of(bilirubin_umol_l, albumin_g_l, inr, ascites, encephalopathy)
    frame = pd.DataFrame({k: np.broadcast_to(v, (n,)).astype(int) for k, v in pts.items()})
    if idx is not None:
        frame.index = idx
    return frame


def child_pugh_class(score):
    """Child-Pugh class of a score 5-15: A (5-6), B (7-9), C (10-15).

    Parameters
    ----------
    score : float or array_like
        Child-Pugh scores, whole numbers 5-15.

    Returns
    -------
    str, ndarray or Series
        ``"A"``, ``"B"`` or ``"C"``; a str for a scalar score.

    Examples
    --------
    >>> child_pugh_class([5, 6, 7, 9, 10, 15]).tolist()
    ['A', 'A', 'B', 'B', 'C', 'C']
    """
    arr = _as_float(score, "score")
    if np.any((arr < 5) | (arr > 15)) or np.any(arr != np.round(arr)):
        raise ValueError("score must be an integer from 5 to 15")
    out = np.where(arr <= 6, "A", np.where(arr <= 9, "B", "C")).astype(object)
    return _wrap(out, _index_of(score), "child_pugh_class") if np.ndim(out) else str(out)


def child_pugh(bilirubin_umol_l, albumin_g_l, inr, ascites, encephalopathy) -> pd.DataFrame:
    """Child-Pugh score (5-15) and class (A/B/C) (Pugh et al. 1973, INR version).

    Arguments as :func:`child_pugh_points`.

    Parameters
    ----------
    bilirubin_umol_l, albumin_g_l, inr, ascites, encephalopathy
        As in :func:`child_pugh_points`.

    Returns
    -------
    DataFrame
        Columns ``score`` (int) and ``class`` (``"A"``, ``"B"``, ``"C"``).

    Examples
    --------
    >>> child_pugh(40, 30, 1.2, "mild", "none").to_dict("records")
    [{'score': 8, 'class': 'B'}]
    """
    pts = child_pugh_points(bilirubin_umol_l, albumin_g_l, inr, ascites, encephalopathy)
    score = pts.sum(axis=1).astype(int)
    return pd.DataFrame(
        {"score": score, "class": np.asarray(child_pugh_class(score.to_numpy()), dtype=object)},
        index=pts.index,
    )


# ----------------------------------------------------------------------------- inflammation


def nlr(neutrophils_1e9_l, lymphocytes_1e9_l):
    """Neutrophil-to-lymphocyte ratio (both counts in one unit; dimensionless).

    Parameters
    ----------
    neutrophils_1e9_l : float or array_like
        Neutrophil count.
    lymphocytes_1e9_l : float or array_like
        Lymphocyte count, in the neutrophils' unit; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> nlr(4, 2)
    2.0
    """
    return _numeric(
        "nlr",
        lambda n, l: n / l,
        {"neutrophils_1e9_l": neutrophils_1e9_l, "lymphocytes_1e9_l": lymphocytes_1e9_l},
        positive=("lymphocytes_1e9_l",),
    )


def plr(platelets_1e9_l, lymphocytes_1e9_l):
    """Platelet-to-lymphocyte ratio (both in 1e9/L; dimensionless).

    Parameters
    ----------
    platelets_1e9_l : float or array_like
        Platelet count in 1e9/L.
    lymphocytes_1e9_l : float or array_like
        Lymphocyte count in 1e9/L; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> plr(150, 1.5)
    100.0
    """
    return _numeric(
        "plr",
        lambda p, l: p / l,
        {"platelets_1e9_l": platelets_1e9_l, "lymphocytes_1e9_l": lymphocytes_1e9_l},
        positive=("lymphocytes_1e9_l",),
    )


def mlr(monocytes_1e9_l, lymphocytes_1e9_l):
    """Monocyte-to-lymphocyte ratio (dimensionless).

    Parameters
    ----------
    monocytes_1e9_l : float or array_like
        Monocyte count.
    lymphocytes_1e9_l : float or array_like
        Lymphocyte count, in the monocytes' unit; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> mlr(0.5, 2)
    0.25
    """
    return _numeric(
        "mlr",
        lambda m, l: m / l,
        {"monocytes_1e9_l": monocytes_1e9_l, "lymphocytes_1e9_l": lymphocytes_1e9_l},
        positive=("lymphocytes_1e9_l",),
    )


def lmr(lymphocytes_1e9_l, monocytes_1e9_l):
    """Lymphocyte-to-monocyte ratio, the reciprocal of :func:`mlr`.

    Parameters
    ----------
    lymphocytes_1e9_l : float or array_like
        Lymphocyte count.
    monocytes_1e9_l : float or array_like
        Monocyte count, in the lymphocytes' unit; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> lmr(2, 0.5) == 4
    True
    """
    return _numeric(
        "lmr",
        lambda l, m: l / m,
        {"lymphocytes_1e9_l": lymphocytes_1e9_l, "monocytes_1e9_l": monocytes_1e9_l},
        positive=("monocytes_1e9_l",),
    )


def sii(platelets_1e9_l, neutrophils_1e9_l, lymphocytes_1e9_l):
    """Systemic immune-inflammation index: platelets * neutrophils / lymphocytes, in 1e9/L.

    Not dimensionless: with counts per microlitre the value is 1000 times larger.

    Parameters
    ----------
    platelets_1e9_l : float or array_like
        Platelet count in 1e9/L.
    neutrophils_1e9_l : float or array_like
        Neutrophil count in 1e9/L.
    lymphocytes_1e9_l : float or array_like
        Lymphocyte count in 1e9/L; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> sii(200, 4, 2)
    400.0
    """
    return _numeric(
        "sii",
        lambda p, n, l: p * n / l,
        {
            "platelets_1e9_l": platelets_1e9_l,
            "neutrophils_1e9_l": neutrophils_1e9_l,
            "lymphocytes_1e9_l": lymphocytes_1e9_l,
        },
        positive=("lymphocytes_1e9_l",),
    )


def siri(neutrophils_1e9_l, monocytes_1e9_l, lymphocytes_1e9_l):
    """Systemic inflammation response index: neutrophils * monocytes / lymphocytes, in 1e9/L.

    Not dimensionless: with counts per microlitre the value is 1000 times larger.

    Parameters
    ----------
    neutrophils_1e9_l : float or array_like
        Neutrophil count in 1e9/L.
    monocytes_1e9_l : float or array_like
        Monocyte count in 1e9/L.
    lymphocytes_1e9_l : float or array_like
        Lymphocyte count in 1e9/L; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> siri(4, 0.5, 2)
    1.0
    """
    return _numeric(
        "siri",
        lambda n, m, l: n * m / l,
        {
            "neutrophils_1e9_l": neutrophils_1e9_l,
            "monocytes_1e9_l": monocytes_1e9_l,
            "lymphocytes_1e9_l": lymphocytes_1e9_l,
        },
        positive=("lymphocytes_1e9_l",),
    )


def pni(albumin_g_l, lymphocytes_1e9_l):
    """Onodera's prognostic nutritional index: albumin (g/L) + 5 * lymphocytes (1e9/L).

    The same as 10 * albumin (g/dL) + 0.005 * lymphocytes (per mm3).

    Parameters
    ----------
    albumin_g_l : float or array_like
        Serum albumin in g/L.
    lymphocytes_1e9_l : float or array_like
        Lymphocyte count in 1e9/L.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> pni(40, 1.5)
    47.5
    """
    return _numeric(
        "pni",
        lambda a, l: a + 5 * l,
        {"albumin_g_l": albumin_g_l, "lymphocytes_1e9_l": lymphocytes_1e9_l},
    )


def sis(albumin_g_l, lmr_value, *, albumin_cutoff_g_l: float, lmr_cutoff: float):
    """Systemic inflammation score (Chang et al. 2015): the number of abnormal components, 0-2.

    A component is abnormal when albumin < ``albumin_cutoff_g_l`` or the LMR <
    ``lmr_cutoff``.  The cut-offs belong to the cohort that derived them and the
    lv2025 review gives none, so they must be passed explicitly.  Albumin and
    its cut-off are in g/L and checked against :data:`PLAUSIBLE_RANGES` (a
    cut-off of 3.5 g/dL would make every patient's albumin "normal").

    Parameters
    ----------
    albumin_g_l : float or array_like
        Serum albumin in g/L.
    lmr_value : float or array_like
        Lymphocyte-to-monocyte ratio (:func:`lmr`).
    albumin_cutoff_g_l : float
        Albumin below it is abnormal (g/L).
    lmr_cutoff : float
        An LMR below it is abnormal.

    Returns
    -------
    int, ndarray or Series
        The score 0, 1 or 2, in the shape of the input.

    Examples
    --------
    >>> sis([45, 35, 35], [5, 5, 3], albumin_cutoff_g_l=40, lmr_cutoff=4).tolist()
    [0, 1, 2]
    """
    for nm, v in (("albumin_cutoff_g_l", albumin_cutoff_g_l), ("lmr_cutoff", lmr_cutoff)):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v <= 0:
            raise ValueError(f"{nm} must be a positive finite number, got {v!r}")
    _as_float(
        albumin_cutoff_g_l, "albumin_cutoff_g_l"
    )  # a cut-off in g/dL would make every albumin "normal"
    out = _numeric(
        "sis",
        lambda a, r: (a < albumin_cutoff_g_l).astype(int) + (r < lmr_cutoff).astype(int),
        {"albumin_g_l": albumin_g_l, "lmr_value": lmr_value},
    )
    return out.astype(int) if isinstance(out, (pd.Series, np.ndarray)) else int(out)


def car(crp_mg_l, albumin_g_l):
    """C-reactive protein to albumin ratio: CRP (mg/L) / albumin (g/L) (= mg/dL over g/dL).

    Parameters
    ----------
    crp_mg_l : float or array_like
        C-reactive protein in mg/L.
    albumin_g_l : float or array_like
        Serum albumin in g/L; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> car(10, 40)
    0.25
    """
    return _numeric(
        "car",
        lambda c, a: c / a,
        {"crp_mg_l": crp_mg_l, "albumin_g_l": albumin_g_l},
        positive=("albumin_g_l",),
    )


def gps(crp_mg_l, albumin_g_l):
    """Glasgow prognostic score (Forrest et al. 2003): [CRP > 10 mg/L] + [albumin < 35 g/L].

    Parameters
    ----------
    crp_mg_l : float or array_like
        C-reactive protein in mg/L.
    albumin_g_l : float or array_like
        Serum albumin in g/L.

    Returns
    -------
    int, ndarray or Series
        The score 0, 1 or 2, in the shape of the input.

    Examples
    --------
    >>> gps([5, 20, 20], [40, 40, 30]).tolist()
    [0, 1, 2]
    """
    out = _numeric(
        "gps",
        lambda c, a: (c > GPS_CRP_MG_L).astype(int) + (a < GPS_ALBUMIN_G_L).astype(int),
        {"crp_mg_l": crp_mg_l, "albumin_g_l": albumin_g_l},
    )
    return out.astype(int) if isinstance(out, (pd.Series, np.ndarray)) else int(out)


def mgps(crp_mg_l, albumin_g_l):
    """Modified Glasgow prognostic score (McMillan 2008): 0 if CRP <= 10 mg/L; else 1, or 2 if albumin < 35 g/L.

    Parameters
    ----------
    crp_mg_l : float or array_like
        C-reactive protein in mg/L.
    albumin_g_l : float or array_like
        Serum albumin in g/L.

    Returns
    -------
    int, ndarray or Series
        The score 0, 1 or 2, in the shape of the input.

    Examples
    --------
    >>> mgps([5, 5, 20, 20], [30, 40, 40, 30]).tolist()
    [0, 0, 1, 2]
    """
    out = _numeric(
        "mgps",
        lambda c, a: np.where(c > GPS_CRP_MG_L, 1 + (a < GPS_ALBUMIN_G_L).astype(int), 0),
        {"crp_mg_l": crp_mg_l, "albumin_g_l": albumin_g_l},
    )
    return out.astype(int) if isinstance(out, (pd.Series, np.ndarray)) else int(out)


def crafity(crp_mg_l, afp_ng_ml):
    """CRAFITY score (Scheiner et al. 2022): [CRP >= 10 mg/L] + [AFP >= 100 ng/mL], 0-2.

    Parameters
    ----------
    crp_mg_l : float or array_like
        C-reactive protein in mg/L.
    afp_ng_ml : float or array_like
        Alpha-fetoprotein in ng/mL.

    Returns
    -------
    int, ndarray or Series
        The score 0, 1 or 2, in the shape of the input.

    Examples
    --------
    >>> crafity([5, 10, 10], [50, 50, 100]).tolist()
    [0, 1, 2]
    """
    out = _numeric(
        "crafity",
        lambda c, f: (c >= CRAFITY_CRP_MG_L).astype(int) + (f >= CRAFITY_AFP_NG_ML).astype(int),
        {"crp_mg_l": crp_mg_l, "afp_ng_ml": afp_ng_ml},
    )
    return out.astype(int) if isinstance(out, (pd.Series, np.ndarray)) else int(out)


def aar(ast_u_l, alt_u_l):
    """AST/ALT (De Ritis) ratio; both in the same unit (U/L).

    Parameters
    ----------
    ast_u_l : float or array_like
        Aspartate aminotransferase in U/L.
    alt_u_l : float or array_like
        Alanine aminotransferase in U/L; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> aar(60, 40)
    1.5
    """
    return _numeric(
        "aar", lambda s, t: s / t, {"ast_u_l": ast_u_l, "alt_u_l": alt_u_l}, positive=("alt_u_l",)
    )


def vwf_adamts13_ratio(vwf_antigen_pct, adamts13_activity_pct):
    """von Willebrand factor antigen over ADAMTS13 activity (both in % of normal): the "VA" of lv2025 Table 1.

    Parameters
    ----------
    vwf_antigen_pct : float or array_like
        von Willebrand factor antigen, % of normal.
    adamts13_activity_pct : float or array_like
        ADAMTS13 activity, % of normal; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> vwf_adamts13_ratio(300, 60) == 5
    True
    """
    return _numeric(
        "vwf_adamts13_ratio",
        lambda v, a: v / a,
        {"vwf_antigen_pct": vwf_antigen_pct, "adamts13_activity_pct": adamts13_activity_pct},
        positive=("adamts13_activity_pct",),
    )


def marker_ratio(after, before):
    """Post-treatment over pre-treatment level of a tumour marker (the AFP or DCP ratio).

    Parameters
    ----------
    after : float or array_like
        The marker's level after treatment.
    before : float or array_like
        Its level before treatment, in the same unit; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> marker_ratio(50, 200)
    0.25
    """
    return _numeric(
        "marker_ratio", lambda a, b: a / b, {"after": after, "before": before}, positive=("before",)
    )


def marker_reduction_percent(after, before):
    """Reduction of a tumour marker in percent of its baseline: 100 * (before - after) / before.

    Negative when the marker rose.

    Parameters
    ----------
    after : float or array_like
        The marker's level after treatment.
    before : float or array_like
        Its level before treatment, in the same unit; positive.

    Returns
    -------
    float, ndarray or Series
        The same shape as the input (a Series keeps its index).

    Examples
    --------
    >>> marker_reduction_percent(82, 100)
    18.0
    """
    return _numeric(
        "marker_reduction_percent",
        lambda a, b: 100.0 * (b - a) / b,
        {"after": after, "before": before},
        positive=("before",),
    )


# ----------------------------------------------------------------------------- calculate_all


@dataclass(frozen=True)
class IndexSpec:
    """One index of :func:`calculate_all`: its column name, inputs and function.

    Attributes
    ----------
    name : str
        The output column.
    inputs : tuple of str
        The input columns, in the function's argument order.
    func : callable
        Computes the index from the inputs.
    definition : str
        The formula in words, with its reference.
    """

    name: str
    inputs: tuple[str, ...]
    func: Callable
    definition: str


def _cp_score(b, a, i, asc, enc):
    return child_pugh(b, a, i, asc, enc)["score"]


def _cp_class(b, a, i, asc, enc):
    return child_pugh(b, a, i, asc, enc)["class"]


#: Every index :func:`calculate_all` computes, with the input columns it needs (in the units the names state).
INDICES: tuple[IndexSpec, ...] = (
    IndexSpec(
        "albi",
        ("bilirubin_umol_l", "albumin_g_l"),
        albi,
        "linear in log10(bilirubin) and albumin (Johnson 2015)",
    ),
    IndexSpec("albi_grade", ("bilirubin_umol_l", "albumin_g_l"), albi_grade, "ALBI grade 1-3"),
    IndexSpec(
        "palbi",
        ("bilirubin_umol_l", "albumin_g_l", "platelets_1e9_l"),
        palbi,
        "PALBI (Roayaie 2015)",
    ),
    IndexSpec(
        "palbi_grade",
        ("bilirubin_umol_l", "albumin_g_l", "platelets_1e9_l"),
        palbi_grade,
        "PALBI grade 1-3",
    ),
    IndexSpec(
        "child_pugh_score",
        ("bilirubin_umol_l", "albumin_g_l", "inr", "ascites", "encephalopathy"),
        _cp_score,
        "Child-Pugh score 5-15 (Pugh 1973)",
    ),
    IndexSpec(
        "child_pugh_class",
        ("bilirubin_umol_l", "albumin_g_l", "inr", "ascites", "encephalopathy"),
        _cp_class,
        "Child-Pugh class A-C",
    ),
    IndexSpec("nlr", ("neutrophils_1e9_l", "lymphocytes_1e9_l"), nlr, "neutrophils / lymphocytes"),
    IndexSpec("plr", ("platelets_1e9_l", "lymphocytes_1e9_l"), plr, "platelets / lymphocytes"),
    IndexSpec("mlr", ("monocytes_1e9_l", "lymphocytes_1e9_l"), mlr, "monocytes / lymphocytes"),
    IndexSpec("lmr", ("lymphocytes_1e9_l", "monocytes_1e9_l"), lmr, "lymphocytes / monocytes"),
    IndexSpec(
        "sii",
        ("platelets_1e9_l", "neutrophils_1e9_l", "lymphocytes_1e9_l"),
        sii,
        "platelets x neutrophils / lymphocytes (1e9/L)",
    ),
    IndexSpec(
        "siri",
        ("neutrophils_1e9_l", "monocytes_1e9_l", "lymphocytes_1e9_l"),
        siri,
        "neutrophils x monocytes / lymphocytes (1e9/L)",
    ),
    IndexSpec(
        "pni",
        ("albumin_g_l", "lymphocytes_1e9_l"),
        pni,
        "albumin (g/L) + 5 x lymphocytes (1e9/L) (Onodera 1984)",
    ),
    IndexSpec("car", ("crp_mg_l", "albumin_g_l"), car, "CRP / albumin"),
    IndexSpec("gps", ("crp_mg_l", "albumin_g_l"), gps, "Glasgow prognostic score 0-2"),
    IndexSpec("mgps", ("crp_mg_l", "albumin_g_l"), mgps, "modified Glasgow prognostic score 0-2"),
    IndexSpec("crafity", ("crp_mg_l", "afp_ng_ml"), crafity, "CRAFITY 0-2 (Scheiner 2022)"),
    IndexSpec("aar", ("ast_u_l", "alt_u_l"), aar, "AST / ALT (De Ritis)"),
    IndexSpec(
        "vwf_adamts13_ratio",
        ("vwf_antigen_pct", "adamts13_activity_pct"),
        vwf_adamts13_ratio,
        "VWF antigen / ADAMTS13 activity",
    ),
)

#: Columns in another unit that :func:`calculate_all` converts, with the converter.
_ALTERNATIVES = {
    "bilirubin_umol_l": ("bilirubin_mg_dl", bilirubin_mg_dl_to_umol_l),
    "albumin_g_l": ("albumin_g_dl", albumin_g_dl_to_g_l),
    "crp_mg_l": ("crp_mg_dl", crp_mg_dl_to_mg_l),
    "neutrophils_1e9_l": ("neutrophils_per_ul", cells_per_ul_to_1e9_l),
    "lymphocytes_1e9_l": ("lymphocytes_per_ul", cells_per_ul_to_1e9_l),
    "monocytes_1e9_l": ("monocytes_per_ul", cells_per_ul_to_1e9_l),
    "platelets_1e9_l": ("platelets_per_ul", cells_per_ul_to_1e9_l),
}


def _standardise_units(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for target, (alt, conv) in _ALTERNATIVES.items():
        if alt in df.columns:
            if target in df.columns:
                raise ValueError(
                    f"df has both {target!r} and {alt!r}: give each quantity in one unit only"
                )
            out[target] = conv(df[alt])
    return out


def missing_inputs(df: pd.DataFrame) -> dict[str, list[str]]:
    """For each index of :data:`INDICES` that ``df`` cannot feed, the input columns it lacks.

    Parameters
    ----------
    df : DataFrame
        Columns named as the indices' inputs (``bilirubin_umol_l``, ``albumin_g_l``, ...).

    Returns
    -------
    dict
        Index name -> the input columns ``df`` lacks, for every index that cannot be computed.

    Examples
    --------
    >>> missing_inputs(pd.DataFrame({"bilirubin_umol_l": [10]}))["albi"]
    ['albumin_g_l']
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    cols = set(_standardise_units(df).columns)
    return {
        s.name: [c for c in s.inputs if c not in cols] for s in INDICES if not set(s.inputs) <= cols
    }


def calculate_all(
    df: pd.DataFrame, *, sis_cutoffs: tuple[float, float] | None = None
) -> pd.DataFrame:
    """Every index of :data:`INDICES` that the columns of ``df`` allow.

    Input columns are named by quantity and unit (``bilirubin_umol_l``,
    ``albumin_g_l``, ``inr``, ``ascites``, ``encephalopathy``,
    ``neutrophils_1e9_l``, ``lymphocytes_1e9_l``, ``monocytes_1e9_l``,
    ``platelets_1e9_l``, ``crp_mg_l``, ``afp_ng_ml``, ``ast_u_l``, ``alt_u_l``,
    ``vwf_antigen_pct``, ``adamts13_activity_pct``).  A column in another
    common unit (``bilirubin_mg_dl``, ``albumin_g_dl``, ``crp_mg_dl``,
    ``*_per_ul`` counts) is converted first; giving a quantity in two units is
    an error.  Which indices could not be computed, and why, is
    :func:`missing_inputs`.

    Parameters
    ----------
    df : DataFrame
        One row per patient.
    sis_cutoffs : (albumin g/L, LMR), optional
        Cut-offs for :func:`sis`; without them SIS is not computed (the review
        gives none).

    Returns
    -------
    DataFrame
        Same index as ``df``, one column per computed index.

    Raises
    ------
    ValueError
        If an input column fails validation (the message names the column).

    Examples
    --------
    >>> d = pd.DataFrame({"neutrophils_1e9_l": [4], "lymphocytes_1e9_l": [2]})
    >>> calculate_all(d).columns.tolist()
    ['nlr']
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    data = _standardise_units(df)
    out = {}
    for spec in INDICES:
        if set(spec.inputs) <= set(data.columns):
            out[spec.name] = spec.func(*(data[c] for c in spec.inputs))
    if sis_cutoffs is not None:
        if len(sis_cutoffs) != 2:
            raise ValueError("sis_cutoffs must be (albumin g/L, LMR)")
        if {"albumin_g_l", "lymphocytes_1e9_l", "monocytes_1e9_l"} <= set(data.columns):
            out["sis"] = sis(
                data["albumin_g_l"],
                lmr(data["lymphocytes_1e9_l"], data["monocytes_1e9_l"]),
                albumin_cutoff_g_l=float(sis_cutoffs[0]),
                lmr_cutoff=float(sis_cutoffs[1]),
            )
    return pd.DataFrame(out, index=df.index)
