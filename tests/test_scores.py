"""hccrep.scores against values worked by hand from each index's original definition.

Every expected value below is computed in the comment beside it from the published formula
(the source is named), never taken from the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrep import scores as S


# ----------------------------------------------------------------------------- unit converters


def test_converters_use_the_textbook_factors():
    # bilirubin: 1 mg/dL = 17.1 umol/L (molar mass 584.7 g/mol: 10 mg/L / 584.7 g/mol = 17.1 umol/L)
    assert S.bilirubin_mg_dl_to_umol_l(2.0) == pytest.approx(34.2)
    assert S.bilirubin_umol_l_to_mg_dl(51.3) == pytest.approx(3.0)
    # albumin: 1 g/dL = 10 g/L
    assert S.albumin_g_dl_to_g_l(3.5) == pytest.approx(35.0)
    assert S.albumin_g_l_to_g_dl(28.0) == pytest.approx(2.8)
    # CRP: 1 mg/dL = 10 mg/L; counts: 1 per uL = 1 per mm3 = 1e6 per L = 0.001 x 1e9/L
    assert S.crp_mg_dl_to_mg_l(1.2) == pytest.approx(12.0)
    assert S.cells_per_ul_to_1e9_l(1500.0) == pytest.approx(1.5)


def test_converters_round_trip_on_arrays():
    x = np.array([5.0, 17.1, 100.0])
    assert np.allclose(S.bilirubin_umol_l_to_mg_dl(S.bilirubin_mg_dl_to_umol_l(x)), x)


# ----------------------------------------------------------------------------- ALBI


def test_albi_matches_johnson_2015_worked_value():
    # Johnson et al., J Clin Oncol 2015: ALBI = 0.66 log10(bilirubin umol/L) - 0.085 albumin g/L.
    # bilirubin 20, albumin 35: 0.66 * 1.301030 = 0.858680; 0.085 * 35 = 2.975; ALBI = -2.116320
    assert S.albi(20.0, 35.0) == pytest.approx(-2.116320, abs=1e-6)
    assert S.albi_grade(20.0, 35.0) == 2


def test_albi_from_conventional_units_needs_conversion():
    # 1 mg/dL bilirubin = 17.1 umol/L; 4.0 g/dL albumin = 40 g/L.
    # 0.66 * log10(17.1) = 0.66 * 1.232996 = 0.813777; 0.085 * 40 = 3.4; ALBI = -2.586223 (grade 2)
    good = S.albi(S.bilirubin_mg_dl_to_umol_l(1.0), S.albumin_g_dl_to_g_l(4.0))
    assert good == pytest.approx(-2.586223, abs=1e-6)
    # the classic slip, the same patient in mg/dL and g/dL, would give 0.66 * log10(1) - 0.085 * 4 = -0.34
    # (grade 3); it is refused, the message naming the argument and the unit the value looks like
    assert S.grade_albi(good) == 2 and S.grade_albi(-0.34) == 3
    with pytest.raises(
        ValueError, match=r"bilirubin_umol_l: values look like mg/dL \(median 1\); give umol/L"
    ):
        S.albi(1.0, 4.0)
    with pytest.raises(
        ValueError, match=r"albumin_g_l: values look like g/dL \(median 4\); give g/L"
    ):
        S.albi(17.1, 4.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # the example: albumin 3.5 (g/dL) where g/L is expected, in every score that takes albumin
        (
            lambda: S.albi([20.0, 30.0], [3.5, 3.4]),
            r"albumin_g_l: values look like g/dL \(median 3\.45\); give g/L",
        ),
        (lambda: S.palbi(20.0, 3.5, 150.0), r"albumin_g_l: values look like g/dL \(median 3\.5\)"),
        (
            lambda: S.child_pugh(20.0, 3.5, 1.1, "none", "none"),
            r"albumin_g_l: values look like g/dL",
        ),
        (lambda: S.pni(3.5, 1.5), r"albumin_g_l: values look like g/dL"),
        (lambda: S.car(12.0, 3.5), r"albumin_g_l: values look like g/dL"),
        (lambda: S.gps(12.0, 3.5), r"albumin_g_l: values look like g/dL"),
        (
            lambda: S.sis(40.0, 4.0, albumin_cutoff_g_l=3.5, lmr_cutoff=3.0),
            r"albumin_cutoff_g_l: values look like g/dL",
        ),
        # bilirubin in mg/dL (normal 0.3-1.2) where umol/L is expected
        (
            lambda: S.child_pugh([0.8, 1.1, 2.5], [36.0, 30.0, 25.0], 1.1, "none", "none"),
            r"bilirubin_umol_l: values look like mg/dL \(median 1\.1\); give umol/L",
        ),
        (lambda: S.palbi(0.9, 38.0, 150.0), r"bilirubin_umol_l: values look like mg/dL"),
        # the converters' inputs the other way round
        (
            lambda: S.albumin_g_dl_to_g_l(35.0),
            r"albumin_g_dl: values look like g/L \(median 35\); give g/dL",
        ),
        (lambda: S.albumin_g_l_to_g_dl(3.5), r"albumin_g_l: values look like g/dL"),
        (lambda: S.bilirubin_mg_dl_to_umol_l(342.0), r"bilirubin_mg_dl: values look like umol/L"),
        # neither unit: a median no patient has
        (
            lambda: S.albi(20.0, 150.0),
            r"albumin_g_l: median 150 is outside the plausible median 10-70 g/L",
        ),
        (
            lambda: S.albi(5000.0, 40.0),
            r"bilirubin_umol_l: median 5e\+03 is outside the plausible median 3-1000 umol/L",
        ),
    ],
)
def test_albumin_and_bilirubin_in_the_wrong_unit_raise_naming_argument_and_unit(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_plausibility_judges_the_median_so_single_extreme_values_pass():
    # a cohort in the right unit with one extreme value each (as tu2025's simulated tails): the median decides
    albumin = [38.0, 41.0, 35.0, 4.0, 44.0]
    bilirubin = [15.0, 0.5, 22.0, 12.0, 900.0]
    assert np.isfinite(S.albi(bilirubin, albumin)).all()
    # the documented limits themselves are plausible
    assert np.isfinite(S.albi([3.0, 1000.0], [10.0, 70.0])).all()


def test_albi_grade_boundaries_are_closed_on_the_left_grade():
    # Johnson 2015: grade 1 <= -2.60 < grade 2 <= -1.39 < grade 3
    assert S.grade_albi([-2.60, -2.5999, -1.39, -1.3899]).tolist() == [1, 2, 2, 3]


def test_palbi_matches_the_published_formula():
    # Roayaie et al. 2015 (formula and grades as tabulated in Sci Rep 2018;8:4773, Table 1):
    # B = 10 (log 1), A = 40, P = 100 (log 2): 2.02 - 0.37 - 1.60 - 6.96 + 4.04 = -2.87 -> grade 1 (<= -2.53)
    assert S.palbi(10.0, 40.0, 100.0) == pytest.approx(-2.87)
    assert S.palbi_grade(10.0, 40.0, 100.0) == 1
    # B = 100 (log 2), A = 30, P = 10 (log 1): 4.04 - 1.48 - 1.20 - 3.48 + 1.01 = -1.11 -> grade 3 (> -2.09)
    assert S.palbi(100.0, 30.0, 10.0) == pytest.approx(-1.11)
    assert S.palbi_grade(100.0, 30.0, 10.0) == 3
    assert S.grade_palbi([-2.53, -2.5299, -2.09, -2.0899]).tolist() == [1, 2, 2, 3]


# ----------------------------------------------------------------------------- Child-Pugh


def test_child_pugh_worked_patients_from_pugh_1973():
    # Pugh et al., Br J Surg 1973 (INR version): bilirubin <2 / 2-3 / >3 mg/dL, albumin >3.5 / 2.8-3.5 / <2.8 g/dL,
    # INR <1.7 / 1.7-2.3 / >2.3, ascites none / slight / moderate, encephalopathy none / 1-2 / 3-4 -> 1 / 2 / 3 points.
    # A: bilirubin 1 mg/dL (17.1), albumin 3.6 g/dL (36), INR 1.2, none, none -> 1+1+1+1+1 = 5, class A
    # B: bilirubin 2.5 mg/dL (42.75), albumin 3.0 g/dL (30), INR 1.8, slight, none -> 2+2+2+2+1 = 9, class B
    # C: bilirubin 4 mg/dL (68.4), albumin 2.5 g/dL (25), INR 2.5, moderate, grade 3-4 -> 3*5 = 15, class C
    out = S.child_pugh(
        [17.1, 42.75, 68.4],
        [36.0, 30.0, 25.0],
        [1.2, 1.8, 2.5],
        ["none", "slight", "moderate"],
        ["none", "none", "grade_3_4"],
    )
    assert out["score"].tolist() == [5, 9, 15]
    assert out["class"].tolist() == ["A", "B", "C"]


def test_child_pugh_thresholds_put_printed_limits_in_the_middle_band():
    # "2-3 mg/dL" = 34.2-51.3 umol/L scores 2 at both ends; "2.8-3.5 g/dL" = 28-35 g/L likewise; "1.7-2.3" INR likewise.
    pts = S.child_pugh_points(
        [34.19, 34.2, 51.3, 51.31],
        [35.01, 35.0, 28.0, 27.99],
        [1.69, 1.7, 2.3, 2.31],
        ["none"] * 4,
        ["none"] * 4,
    )
    assert pts["bilirubin"].tolist() == [1, 2, 2, 3]
    assert pts["albumin"].tolist() == [1, 2, 2, 3]
    assert pts["inr"].tolist() == [1, 2, 2, 3]


def test_child_pugh_class_boundaries():
    # class A 5-6, B 7-9, C 10-15
    assert S.child_pugh_class([5, 6, 7, 9, 10, 15]).tolist() == ["A", "A", "B", "B", "C", "C"]
    with pytest.raises(ValueError, match="score"):
        S.child_pugh_class(4)
    with pytest.raises(ValueError, match="score"):
        S.child_pugh_class(7.5)


def test_child_pugh_accepts_west_haven_grades_for_encephalopathy():
    # West Haven 0 -> none (1 point), 1-2 -> 2 points, 3-4 -> 3 points
    pts = S.child_pugh_points([10.0] * 5, [40.0] * 5, [1.0] * 5, ["none"] * 5, [0, 1, 2, 3, 4])
    assert pts["encephalopathy"].tolist() == [1, 2, 2, 3, 3]


def test_child_pugh_unknown_categories_name_the_argument():
    with pytest.raises(ValueError, match="ascites: unknown category 'lots'"):
        S.child_pugh(10.0, 40.0, 1.0, "lots", "none")
    with pytest.raises(ValueError, match="encephalopathy: unknown category 5"):
        S.child_pugh(10.0, 40.0, 1.0, "none", 5)
    with pytest.raises(ValueError, match="encephalopathy"):
        S.child_pugh(10.0, 40.0, 1.0, "none", True)


# ----------------------------------------------------------------------------- blood-count ratios


def test_blood_count_indices_worked_values():
    # neutrophils 4.2, lymphocytes 1.4, monocytes 0.7, platelets 210 (all 1e9/L)
    assert S.nlr(4.2, 1.4) == pytest.approx(3.0)  # 4.2 / 1.4
    assert S.plr(210.0, 1.4) == pytest.approx(150.0)  # 210 / 1.4
    assert S.mlr(0.7, 1.4) == pytest.approx(0.5)  # 0.7 / 1.4
    assert S.lmr(1.4, 0.7) == pytest.approx(2.0)  # 1.4 / 0.7
    # SII (Hu et al. 2014) = P x N / L = 210 x 4.2 / 1.4 = 630
    assert S.sii(210.0, 4.2, 1.4) == pytest.approx(630.0)
    # SIRI (Qi et al. 2016) = N x M / L = 4.2 x 0.7 / 1.4 = 2.1
    assert S.siri(4.2, 0.7, 1.4) == pytest.approx(2.1)


def test_sii_and_siri_scale_with_the_count_unit_but_ratios_do_not():
    # the same patient in cells/uL: P = 210000, N = 4200, L = 1400, M = 700
    assert S.sii(210000.0, 4200.0, 1400.0) == pytest.approx(630000.0)  # 1000 x the value in 1e9/L
    assert S.siri(4200.0, 700.0, 1400.0) == pytest.approx(2100.0)  # 1000 x as well
    assert S.nlr(4200.0, 1400.0) == pytest.approx(3.0)  # a ratio of like counts does not move


def test_pni_matches_onodera_definition_in_both_unit_systems():
    # Onodera 1984: PNI = 10 x albumin (g/dL) + 0.005 x lymphocytes (/mm3) = 10 x 3.8 + 0.005 x 1500 = 38 + 7.5 = 45.5
    assert S.pni(S.albumin_g_dl_to_g_l(3.8), S.cells_per_ul_to_1e9_l(1500.0)) == pytest.approx(45.5)
    # the same in g/L and 1e9/L: 38 + 5 x 1.5 = 45.5
    assert S.pni(38.0, 1.5) == pytest.approx(45.5)


def test_sis_counts_abnormal_components_with_explicit_cutoffs():
    # Chang et al. 2015: SIS = [albumin < cut] + [LMR < cut]; cut-offs passed (the review gives none)
    out = S.sis(
        [45.0, 35.0, 45.0, 35.0], [5.0, 5.0, 3.0, 3.0], albumin_cutoff_g_l=40.0, lmr_cutoff=4.0
    )
    assert out.tolist() == [0, 1, 1, 2]
    with pytest.raises(TypeError):
        S.sis(40.0, 4.0)  # the cut-offs are required keywords
    with pytest.raises(ValueError, match="lmr_cutoff"):
        S.sis(40.0, 4.0, albumin_cutoff_g_l=40.0, lmr_cutoff=-1.0)


# ----------------------------------------------------------------------------- CRP, liver enzymes, markers


def test_car_is_unit_free_only_when_both_units_scale_together():
    # Kinoshita et al. 2015: CAR = CRP / albumin. CRP 12 mg/L, albumin 40 g/L -> 0.3 (= 1.2 mg/dL / 4.0 g/dL)
    assert S.car(12.0, 40.0) == pytest.approx(0.3)
    assert S.car(S.crp_mg_dl_to_mg_l(1.2), S.albumin_g_dl_to_g_l(4.0)) == pytest.approx(0.3)
    # mixing mg/L with g/dL would give 12 / 4.0 = 3.0, ten times too large: the g/dL albumin is refused
    with pytest.raises(ValueError, match="albumin_g_l: values look like g/dL"):
        S.car(12.0, 4.0)


def test_gps_and_mgps_differ_only_for_low_albumin_without_inflammation():
    # Forrest 2003: GPS = [CRP > 10 mg/L] + [albumin < 35 g/L]; McMillan 2008: mGPS = 0 if CRP <= 10.
    crp = [8.0, 8.0, 12.0, 12.0, 10.0]
    alb = [36.0, 33.0, 36.0, 33.0, 33.0]
    assert S.gps(crp, alb).tolist() == [0, 1, 1, 2, 1]  # CRP 10 is not > 10
    assert S.mgps(crp, alb).tolist() == [0, 0, 1, 2, 0]


def test_crafity_uses_closed_thresholds():
    # Scheiner et al. 2022: CRP >= 1 mg/dL (10 mg/L) and AFP >= 100 ng/mL, one point each
    assert S.crafity([9.9, 10.0, 10.0], [99.9, 99.9, 100.0]).tolist() == [0, 1, 2]


def test_aar_va_and_marker_ratios():
    assert S.aar(80.0, 40.0) == pytest.approx(2.0)  # De Ritis: AST / ALT = 80 / 40
    assert S.vwf_adamts13_ratio(250.0, 50.0) == pytest.approx(5.0)  # 250 % / 50 %
    assert S.marker_ratio(790.0, 1000.0) == pytest.approx(0.79)  # after / before
    assert S.marker_reduction_percent(790.0, 1000.0) == pytest.approx(
        21.0
    )  # 100 x (1000 - 790) / 1000


# ----------------------------------------------------------------------------- vectorisation


def test_series_in_series_out_with_the_same_index():
    idx = pd.Index(["p1", "p2"], name="patient")
    n = pd.Series([4.2, 6.0], index=idx)
    l = pd.Series([1.4, 2.0], index=idx)
    out = S.nlr(n, l)
    assert isinstance(out, pd.Series) and out.index.equals(idx)
    assert out.tolist() == pytest.approx([3.0, 3.0])
    arr = S.nlr(np.array([4.2, 6.0]), np.array([1.4, 2.0]))
    assert isinstance(arr, np.ndarray)
    assert isinstance(S.nlr(4.2, 1.4), float)


def test_series_with_different_indexes_are_refused():
    with pytest.raises(ValueError, match="index"):
        S.nlr(pd.Series([1.0], index=["a"]), pd.Series([1.0], index=["b"]))


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "bad, pattern",
    [
        (-1.0, "neutrophils_1e9_l cannot be negative"),
        (np.nan, "neutrophils_1e9_l must be finite"),
        (np.inf, "neutrophils_1e9_l must be finite"),
        ("4.2", "neutrophils_1e9_l must be numeric"),
        (True, "neutrophils_1e9_l must be numeric"),
        (np.array([[4.2]]), "neutrophils_1e9_l must be a scalar or one-dimensional"),
    ],
)
def test_invalid_values_name_the_argument(bad, pattern):
    with pytest.raises(ValueError, match=pattern):
        S.nlr(bad, 1.4)


def test_zero_denominators_and_log_arguments_are_refused():
    with pytest.raises(ValueError, match="lymphocytes_1e9_l must be positive"):
        S.nlr(4.0, 0.0)
    with pytest.raises(ValueError, match="bilirubin_umol_l must be positive"):
        S.albi(0.0, 40.0)
    with pytest.raises(ValueError, match="platelets_1e9_l must be positive"):
        S.palbi(10.0, 40.0, 0.0)


def test_inputs_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        S.sii([1.0, 2.0], [1.0, 2.0, 3.0], [1.0, 1.0])


# ----------------------------------------------------------------------------- calculate_all


def test_calculate_all_computes_what_the_columns_allow_for_a_worked_patient():
    # one patient: bilirubin 20 umol/L, albumin 35 g/L, INR 1.2, no ascites or encephalopathy,
    # N 4.2, L 1.4, M 0.7, P 210 (1e9/L), CRP 12 mg/L
    df = pd.DataFrame(
        {
            "bilirubin_umol_l": [20.0],
            "albumin_g_l": [35.0],
            "inr": [1.2],
            "ascites": ["none"],
            "encephalopathy": ["none"],
            "neutrophils_1e9_l": [4.2],
            "lymphocytes_1e9_l": [1.4],
            "monocytes_1e9_l": [0.7],
            "platelets_1e9_l": [210.0],
            "crp_mg_l": [12.0],
        },
        index=["p1"],
    )
    out = S.calculate_all(df)
    row = out.loc["p1"]
    assert row["albi"] == pytest.approx(-2.116320, abs=1e-6)  # worked above
    assert row["child_pugh_score"] == 6  # albumin 35 g/L is in the 28-35 band: 1+2+1+1+1
    assert row["child_pugh_class"] == "A"
    assert (
        row["nlr"] == pytest.approx(3.0)
        and row["sii"] == pytest.approx(630.0)
        and row["siri"] == pytest.approx(2.1)
    )
    assert row["pni"] == pytest.approx(42.0)  # 35 + 5 x 1.4
    assert row["car"] == pytest.approx(12.0 / 35.0)
    assert row["gps"] == 1 and row["mgps"] == 1  # CRP > 10, albumin not < 35
    assert "crafity" not in out.columns and "aar" not in out.columns and "sis" not in out.columns
    missing = S.missing_inputs(df)
    assert missing["crafity"] == ["afp_ng_ml"] and missing["aar"] == ["ast_u_l", "alt_u_l"]


def test_calculate_all_converts_other_units_and_refuses_two_units_for_one_quantity():
    df = pd.DataFrame({"bilirubin_mg_dl": [1.0], "albumin_g_dl": [4.0]})
    assert S.calculate_all(df)["albi"].iloc[0] == pytest.approx(-2.586223, abs=1e-6)  # worked above
    both = df.assign(bilirubin_umol_l=[17.1])
    with pytest.raises(ValueError, match="both 'bilirubin_umol_l' and 'bilirubin_mg_dl'"):
        S.calculate_all(both)


def test_calculate_all_names_the_bad_column():
    df = pd.DataFrame({"neutrophils_1e9_l": [4.0, -1.0], "lymphocytes_1e9_l": [2.0, 2.0]})
    with pytest.raises(ValueError, match="neutrophils_1e9_l"):
        S.calculate_all(df)
    with pytest.raises(ValueError, match="DataFrame"):
        S.calculate_all({"nlr": [1]})


def test_calculate_all_sis_only_with_cutoffs():
    df = pd.DataFrame({"albumin_g_l": [35.0], "lymphocytes_1e9_l": [1.4], "monocytes_1e9_l": [0.7]})
    assert "sis" not in S.calculate_all(df).columns
    # albumin 35 < 40 and LMR 2.0 < 4.0 -> both abnormal -> 2
    assert S.calculate_all(df, sis_cutoffs=(40.0, 4.0))["sis"].iloc[0] == 2


def test_not_defined_lists_the_review_scores_without_formula():
    assert "CCPS" in S.NOT_DEFINED and all(isinstance(v, str) and v for v in S.NOT_DEFINED.values())
    assert {spec.name for spec in S.INDICES} >= {
        "albi",
        "child_pugh_score",
        "nlr",
        "plr",
        "mlr",
        "sii",
        "siri",
        "pni",
    }
