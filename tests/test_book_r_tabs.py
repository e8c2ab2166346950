"""The R tabs of the book, run live against the hccrep helpers they stand beside.

The first time a chapter uses a method, its page shows the R equivalent in a
tab (sphinx-design) whose code is included from ``tests/r/book/<name>.R`` with
``literalinclude``. The page cannot drift from what is tested because this
module runs exactly those files: each case writes a data frame ``d`` built from
a simulated cohort as the page builds it to ``d.csv``, sources the snippet with
``Rscript`` in that folder, reads the objects the snippet created and compares
them with the hccrep helper the page uses. The reference is R itself (survival,
pROC, MatchIt and base R's ``glm``/``chisq.test``/``fisher.test``); agreement is
required to 1e-6 relative (counts exactly).

``test_every_r_tab_is_a_parity_tested_file`` checks the other direction: every
``literalinclude`` of ``tests/r/book/`` in a page names a file listed in
``CASES``, and every file of that folder is listed.

Without R these tests are skipped with the reason; with ``HCCREP_REQUIRE_R=1``
(CI) they fail instead.
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._rhelpers import R_DIR, read_kv, require_r, rscript
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _rhelpers import R_DIR, read_kv, require_r, rscript

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = R_DIR / "book"
REL = 1e-6
INCLUDE = re.compile(r"```\{literalinclude\}\s+(\S+)")


@functools.cache
def _cohort(study_key: str) -> pd.DataFrame:
    from hccrep.replication import runner_for
    from hccrep.spec import load_study

    study = load_study(study_key)
    return runner_for(study).simulate(study.meta.book_seed)


# --------------------------------------------------------------------------
# the data frames the pages hand to R (the same columns, the same coding)
# --------------------------------------------------------------------------


def _fonc_counts() -> pd.DataFrame:
    c = _cohort("fonc2025")
    return pd.DataFrame({"x": c["bclc"].astype(str), "group": c["arm"].astype(str)})


def _deng_counts() -> pd.DataFrame:
    c = _cohort("deng2025")
    return pd.DataFrame({"x": c["pvtt"].astype(str), "group": c["treatment"].astype(str)})


def _tu_samples() -> pd.DataFrame:
    c = _cohort("tu2025")
    return pd.DataFrame({"y": c["age"], "group": c["cohort"].astype(str)})


def _fonc_km() -> pd.DataFrame:
    c = _cohort("fonc2025")
    return pd.DataFrame(
        {"time": c["pfs_time"], "status": c["pfs_event"], "group": c["arm"].astype(str)}
    )


def _deng_km() -> pd.DataFrame:
    c = _cohort("deng2025")
    return pd.DataFrame(
        {"time": c["os_time"], "status": c["os_event"], "group": c["treatment"].astype(str)}
    )


def _fonc_cox() -> pd.DataFrame:
    c = _cohort("fonc2025")
    return pd.DataFrame(
        {
            "time": c["pfs_time"],
            "status": c["pfs_event"],
            "rt": (c["arm"] == "rt_io_t").astype(int),
            "bclc_c": (c["bclc"] == "C").astype(int),
        }
    )


def _deng_cox() -> pd.DataFrame:
    c = _cohort("deng2025")
    return pd.DataFrame(
        {
            "time": c["os_time"],
            "status": c["os_event"],
            "tace": (c["treatment"] == "tace").astype(int),
            "rt": (c["treatment"] == "rt").astype(int),
        }
    )


def _tu_train() -> pd.DataFrame:
    c = _cohort("tu2025")
    return c[c["cohort"] == "train"].reset_index(drop=True)


def _tu_logistic() -> pd.DataFrame:
    t = _tu_train()
    return pd.DataFrame(
        {
            "y": t["tin"],
            "nlr_gt3": (t["nlr"] == "gt3").astype(int),
            "satellite": (t["satellite"] == "yes").astype(int),
            "afp_gt200": (t["afp"] == "gt200").astype(int),
        }
    )


def _tu_roc() -> pd.DataFrame:
    t = _tu_train()
    return pd.DataFrame({"y": t["tin"], "a": t["tipm_prob"], "b": -t["albi"]})


def _tu_risk() -> pd.DataFrame:
    c = _cohort("tu2025")
    t = c[c["cohort"] == "external"].reset_index(drop=True)
    return pd.DataFrame({"y": t["tin"], "p": t["tipm_prob"]})


def _fonc_psm() -> pd.DataFrame:
    c = _cohort("fonc2025")
    return pd.DataFrame(
        {
            "treat": (c["arm"] == "rt_io_t").astype(int),
            "bclc_c": (c["bclc"] == "C").astype(int),
            "afp_ge400": (c["afp"] == "ge400").astype(int),
            "pvi": (c["portal_vein_invasion"] == "yes").astype(int),
        }
    )


def _deng_concordance() -> pd.DataFrame:
    c = _cohort("deng2025")
    # a coarse score with many ties, so that tied risks and tied times both occur
    risk = (c["pvtt"] == "yes").astype(int) + (c["metastasis"] == "yes").astype(int)
    return pd.DataFrame(
        {"time": c["os_time"].round(0), "status": c["os_event"], "risk": risk.astype(float)}
    )


# --------------------------------------------------------------------------
# what hccrep computes on the same frame, and what R is asked for
# --------------------------------------------------------------------------


def _py_counts(d: pd.DataFrame) -> dict[str, float]:
    from hccrep.stats import compare_counts

    tab = pd.crosstab(d["x"], d["group"]).to_numpy()
    chisq = compare_counts(tab, test="chisq")
    return {
        "chisq": chisq.statistic,
        "chisq_p": chisq.pvalue,
        "fisher_p": compare_counts(tab, test="fisher").pvalue,
    }


R_COUNTS = """
emit("chisq", pearson$statistic); emit("chisq_p", pearson$p.value)
emit("fisher_p", fisher$p.value)
"""


def _py_samples(d: pd.DataFrame) -> dict[str, float]:
    from hccrep.stats import compare_samples

    groups = [g["y"].to_numpy() for _, g in d.groupby("group")]
    anova = compare_samples(groups, test="anova")
    kw = compare_samples(groups, test="kruskal")
    return {
        "anova_f": anova.statistic,
        "anova_p": anova.pvalue,
        "kw": kw.statistic,
        "kw_p": kw.pvalue,
    }


R_SAMPLES = """
emit("anova_f", anova$statistic); emit("anova_p", anova$p.value)
emit("kw", kw$statistic); emit("kw_p", kw$p.value)
"""


def _py_km(d: pd.DataFrame) -> dict[str, float]:
    from hccrep.stats import km_median, logrank

    out: dict[str, float] = {}
    for i, (_, g) in enumerate(sorted(d.groupby("group"), key=lambda kv: kv[0])):
        m = km_median(g["time"], g["status"], conf_type="log")
        out.update({f"median{i}": m.median, f"lower{i}": m.lower, f"upper{i}": m.upper})
    lr = logrank(d["time"], d["status"], d["group"])
    out.update({"chisq": lr.statistic, "p": lr.pvalue})
    return out


R_KM = """
tb <- summary(fit)$table
for (i in seq_len(nrow(tb))) {
  emit(paste0("median", i - 1), tb[i, "median"])
  emit(paste0("lower", i - 1), tb[i, "0.95LCL"])
  emit(paste0("upper", i - 1), tb[i, "0.95UCL"])
}
emit("chisq", lr$chisq)
emit("p", pchisq(lr$chisq, df = length(lr$n) - 1, lower.tail = FALSE))
"""


def _py_cox(d: pd.DataFrame) -> dict[str, float]:
    from hccrep.stats import cox

    covs = [c for c in d.columns if c not in ("time", "status")]
    tab = cox(d, "time", "status", covs, ties="efron").table
    out: dict[str, float] = {}
    for name in covs:
        row = tab.loc[name]
        out.update(
            {
                f"{name}.hr": row["hr"],
                f"{name}.lower": row["lower"],
                f"{name}.upper": row["upper"],
                f"{name}.p": row["p"],
            }
        )
    return out


R_COX = """
ci <- summary(fit)$conf.int; co <- summary(fit)$coefficients
for (v in rownames(ci)) {
  emit(paste0(v, ".hr"), ci[v, "exp(coef)"])
  emit(paste0(v, ".lower"), ci[v, "lower .95"]); emit(paste0(v, ".upper"), ci[v, "upper .95"])
  emit(paste0(v, ".p"), co[v, "Pr(>|z|)"])
}
"""


def _py_logistic(d: pd.DataFrame) -> dict[str, float]:
    from hccrep.stats.prediction import logit_fit

    x = d.drop(columns="y")
    tab = logit_fit(x, d["y"]).table()
    out: dict[str, float] = {}
    for i, name in enumerate(tab.index):
        key = "(Intercept)" if i == 0 else name
        out.update({f"{key}.coef": tab.iloc[i]["coef"], f"{key}.p": tab.iloc[i]["p"]})
    return out


R_LOGISTIC = """
co <- summary(fit)$coefficients
for (v in rownames(co)) {
  emit(paste0(v, ".coef"), co[v, "Estimate"]); emit(paste0(v, ".p"), co[v, "Pr(>|z|)"])
}
"""


def _py_roc(d: pd.DataFrame) -> dict[str, float]:
    from hccrep.stats.prediction import delong_test, roc_auc, youden_cutoff

    auc = roc_auc(d["y"], d["a"])
    test = delong_test(d["y"], d["a"], d["b"])
    cut = youden_cutoff(d["y"], d["a"])
    return {
        "auc": auc.auc,
        "auc_lower": auc.lower,
        "auc_upper": auc.upper,
        # ``p`` is being renamed ``pvalue`` in the result classes; read either
        "delong_p": getattr(test, "pvalue", getattr(test, "p", np.nan)),
        "threshold": cut.threshold,
        "sensitivity": cut.sensitivity,
        "specificity": cut.specificity,
    }


R_ROC = """
ci <- ci.auc(roc_a, method = "delong")
emit("auc", ci[2]); emit("auc_lower", ci[1]); emit("auc_upper", ci[3])
emit("delong_p", roc.test(roc_a, roc_b, method = "delong", paired = TRUE)$p.value)
best <- coords(roc_a, "best", best.method = "youden",
               ret = c("threshold", "sensitivity", "specificity"))
emit("threshold", best$threshold[1])
emit("sensitivity", best$sensitivity[1]); emit("specificity", best$specificity[1])
"""


def _py_calibration(d: pd.DataFrame) -> dict[str, float]:
    from hccrep.stats.prediction import brier_score, calibration_intercept_slope

    a, b = calibration_intercept_slope(d["y"], d["p"])
    return {"intercept": a, "slope": b, "brier": brier_score(d["y"], d["p"])}


R_CALIBRATION = """
emit("intercept", intercept); emit("slope", slope); emit("brier", brier)
"""

#: the thresholds of tests/r/book/net_benefit.R (the page uses the same grid)
NB_THRESHOLDS = np.round(np.arange(0.05, 0.6001, 0.05), 2)


def _py_net_benefit(d: pd.DataFrame) -> dict[str, float]:
    from hccrep.stats.prediction import net_benefit

    nb = net_benefit(d["y"], d["p"], NB_THRESHOLDS)
    out = {f"model.{i}": v for i, v in enumerate(nb["model"])}
    out.update({f"all.{i}": v for i, v in enumerate(nb["treat_all"])})
    out.update({f"pt.{i}": v for i, v in enumerate(nb["threshold"])})
    return out


R_NET_BENEFIT = """
for (i in seq_along(pt)) {
  emit(paste0("model.", i - 1), net_benefit[i]); emit(paste0("all.", i - 1), treat_all[i])
  emit(paste0("pt.", i - 1), pt[i])
}
"""


def _py_psm(d: pd.DataFrame) -> dict[str, float]:
    from hccrep.stats import propensity_scores

    covs = [c for c in d.columns if c != "treat"]
    ps = propensity_scores(d, "treat", covs)
    return {f"ps.{i}": v for i, v in enumerate(ps)}


R_PSM = """
for (i in seq_along(m$distance)) emit(paste0("ps.", i - 1), m$distance[i])
"""


def _py_concordance(d: pd.DataFrame) -> dict[str, float]:
    from sksurv.metrics import concordance_index_censored

    c = concordance_index_censored(d["status"].astype(bool), d["time"], d["risk"])
    return {"c": c[0]}


R_CONCORDANCE = """
emit("c", cc$concordance)
"""


@dataclass(frozen=True)
class Case:
    """One page's use of one R snippet."""

    snippet: str
    frame: Callable[[], pd.DataFrame]
    python: Callable[[pd.DataFrame], dict[str, float]]
    r_emit: str
    packages: tuple[str, ...] = ()


CASES: dict[str, Case] = {
    "fonc2025-counts": Case("counts_tests.R", _fonc_counts, _py_counts, R_COUNTS),
    "deng2025-counts": Case("counts_tests.R", _deng_counts, _py_counts, R_COUNTS),
    "tu2025-samples": Case("samples_tests.R", _tu_samples, _py_samples, R_SAMPLES),
    "fonc2025-km": Case("km_logrank.R", _fonc_km, _py_km, R_KM, ("survival",)),
    "deng2025-km": Case("km_logrank.R", _deng_km, _py_km, R_KM, ("survival",)),
    "fonc2025-cox": Case("cox.R", _fonc_cox, _py_cox, R_COX, ("survival",)),
    "deng2025-cox": Case("cox.R", _deng_cox, _py_cox, R_COX, ("survival",)),
    "tu2025-logistic": Case("logistic.R", _tu_logistic, _py_logistic, R_LOGISTIC),
    "tu2025-roc": Case("roc_delong.R", _tu_roc, _py_roc, R_ROC, ("pROC",)),
    "tu2025-calibration": Case("calibration.R", _tu_risk, _py_calibration, R_CALIBRATION),
    "tu2025-net-benefit": Case("net_benefit.R", _tu_risk, _py_net_benefit, R_NET_BENEFIT),
    "fonc2025-psm": Case("psm.R", _fonc_psm, _py_psm, R_PSM, ("MatchIt",)),
    "deng2025-concordance": Case(
        "concordance.R", _deng_concordance, _py_concordance, R_CONCORDANCE, ("survival",)
    ),
}


def run_snippet(case: Case, workdir: Path) -> dict[str, float]:
    """Write ``d.csv``, source the snippet in ``workdir`` and read what it emits."""
    case.frame().to_csv(workdir / "d.csv", index=False)
    program = (
        f"source({str(R_DIR / '_common.R')!r})\n"
        "suppressPackageStartupMessages(suppressWarnings("
        f"source({str(SNIPPETS / case.snippet)!r}, echo = FALSE)))\n"
        'out <- kv_open("out.csv"); emit <- out$emit\n'
        f"{case.r_emit}\nout$close()\n"
    )
    (workdir / "harness.R").write_text(program)
    exe = rscript()
    done = subprocess.run(
        [exe, "--vanilla", "harness.R"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{case.snippet} failed in R:\n{done.stderr[-3000:]}", pytrace=False)
    return read_kv(workdir / "out.csv")


@pytest.mark.r
@pytest.mark.parametrize("name", list(CASES))
def test_r_tab_gives_the_numbers_of_the_hccrep_helper(name, tmp_path):
    case = CASES[name]
    require_r(("survival", *case.packages))
    r_values = run_snippet(case, tmp_path)
    py_values = case.python(case.frame())
    assert set(r_values) == set(py_values), (sorted(r_values), sorted(py_values))
    for key, expected in r_values.items():
        actual = float(py_values[key])
        if np.isnan(expected):
            assert np.isnan(actual), f"{name} {key}: R NA, hccrep {actual}"
        else:
            assert actual == pytest.approx(expected, rel=REL, abs=1e-9), f"{name} {key}"


def _included_snippets() -> dict[str, list[str]]:
    """``tests/r/book`` file -> the pages that include it."""
    found: dict[str, list[str]] = {}
    for page in sorted((ROOT / "book").rglob("*.md")):
        for target in INCLUDE.findall(page.read_text()):
            if "tests/r/book/" in target:
                found.setdefault(target.rsplit("/", 1)[-1], []).append(str(page.relative_to(ROOT)))
    return found


def test_every_r_tab_is_a_parity_tested_file():
    tested = {case.snippet for case in CASES.values()}
    included = _included_snippets()
    untested = {name: pages for name, pages in included.items() if name not in tested}
    assert not untested, f"R tabs whose file no parity case runs: {untested}"
    files = {p.name for p in SNIPPETS.glob("*.R")}
    assert files == tested, (
        f"files without a case: {files - tested}; cases without a file: {tested - files}"
    )
    missing = [
        target
        for page in (ROOT / "book").rglob("*.md")
        for target in INCLUDE.findall(page.read_text())
        if "tests/r/book/" in target and not (ROOT / target.lstrip("/")).is_file()
    ]
    assert not missing, f"literalinclude of a missing file: {missing}"


def test_r_tabs_appear_in_the_book():
    # each snippet is shown on at least one page; an unused file would be tested for nothing
    included = _included_snippets()
    assert set(included) == {p.name for p in SNIPPETS.glob("*.R")}
