"""hccrep performance figures, printed one per line with the machine's core count.

Run from the repository root::

    .venv/bin/python benchmarks/run.py                      # the Monte Carlo figures (several minutes)
    .venv/bin/python benchmarks/run.py --n-mc 200            # a smaller Monte Carlo
    .venv/bin/python benchmarks/run.py --only scorecard mc   # the goals of issue 20 item 4 only
    .venv/bin/python benchmarks/run.py --memory 10000        # + peak memory of a 10 000-cohort Monte Carlo
    .venv/bin/python benchmarks/run.py --book-cold --book-rebuild   # + the book builds (minutes)

Figures (goal in brackets):

* ``reference`` -- two yardsticks of the machine's speed during the run, timed at the start
  and at the end: a fixed pure-Python loop, and a plain numpy survival workload that uses no
  hccrep code (:func:`reference_numpy`: for a 71-patient cohort of fixed seed, two
  Kaplan-Meier curves with the median and its confidence interval, a log-rank test and 26
  one-covariate Cox fits by Newton-Raphson); and the loop in two processes at once;
* ``simulate <study>`` / ``cpu per cohort <study>`` -- one cohort of every study in
  ``data/`` (:func:`hccrep.spec.list_studies`): the median wall time of the simulation
  [<= 100 ms], and the CPU time per cohort of ``runner.run`` (simulate + every check) over
  ``--cpu-n`` cohorts in this process, which other load on the machine changes far less
  than wall time;
* ``scorecard <study>`` -- ``hccrep scorecard STUDY --mc N --jobs 2`` as a user runs it
  (a new process: imports, the study's files, the book's seed, the Monte Carlo with its
  worker start-up, the causes of the misses), wall time, no result cache
  [N = 1000 in <= 30 s on 2 cores];
* ``mc fonc2025 every check`` -- ``--n-mc`` Monte Carlo cohorts of fonc2025 with every check
  (:func:`hccrep.replication.monte_carlo`, ``--jobs`` workers started inside the clock)
  [1000 in <= 15 s on 2 cores]; ``--survival`` adds the survival checks alone (KM, log-rank,
  Cox of Table 5 and the subgroups, RT target);
* ``cpu per cohort, deng2025 model collection`` (``--models-n``) -- the five
  survival models of deng2025 fitted on one cohort's training set and every
  declared number about them computed (CPU time of analyse with the models on,
  minus the same cohort without them; the median over the cohorts, with the load
  average), split into fitting and the numbers [half of 88a6bd3's: 456-556 ms cpu
  there on the 2-core machine, measured beside this code at load 6-9; the fitting
  is scikit-survival's, the numbers hccrep's];
* ``speed-up`` -- the same cohorts (fonc2025, every check) on a pool of 2 worker processes
  against a pool of 1; both pools are started, and each worker has imported hccrep and run
  one cohort, before the clock starts, and every task sends only its seeds [>= 1.8x];
* ``overhead`` -- hccrep's lifelines-based wrappers (:mod:`hccrep.stats.survival`)
  against lifelines called directly on the same data (called in turn, fastest of
  ``3 * --repeat`` runs each), and the numpy engine (:mod:`hccrep.stats.fastsurv`)
  beside them [wrapper / lifelines <= 1.2];
* ``memory`` (``--memory N``) -- peak traced memory and peak RSS of a Monte
  Carlo of N cohorts with a cheap runner that returns as many checks as the
  fonc2025 runner, and the bytes kept per cohort;
* ``book cold`` / ``book rebuild`` (``--book-cold``, ``--book-rebuild``) -- a
  cold build of a copy of the repository as ``make book`` runs it: every notebook
  executed on ``--book-jobs`` workers into an empty execution cache, then
  ``jupyter-book build``; both parts and their sum are printed [sum <= 5 min]; and
  a rebuild after one text edit with the execution cache on [<= 30 s].

Nothing here is a test: the figures depend on the machine and its load (the load average
is printed before each Monte Carlo figure; the yardsticks show how fast the machine was).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORES = os.cpu_count() or 1


def line(name: str, value: str, goal: str = "", cores: int = CORES) -> None:
    """Print one figure: name, value, goal, core count."""
    print(
        f"{name:<46} {value:>18}   cores={cores}" + (f"   goal: {goal}" if goal else ""), flush=True
    )


def paired(fa, fb, repeat: int) -> tuple[float, float]:
    """Fastest wall time of ``fa`` and of ``fb`` over ``repeat`` rounds, the two called in turn.

    Taking turns exposes both to the same drift of the machine's speed, and the
    fastest run is the one least disturbed by other load (as ``timeit`` advises).
    """
    ta, tb = [], []
    for _ in range(repeat):
        for f, out in ((fa, ta), (fb, tb)):
            t0 = time.perf_counter()
            f()
            out.append(time.perf_counter() - t0)
    return min(ta), min(tb)


def timed(fn, repeat: int = 1) -> float:
    """Median wall time of ``repeat`` calls of ``fn`` (seconds)."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


# ---------------------------------------------------------------------------- figures


def bench_simulate(repeat: int, cpu_n: int) -> None:
    from hccrep.replication import runner_for, seeds_for
    from hccrep.spec import list_studies

    for key in list_studies():
        runner = runner_for(key)
        n = len(runner.simulate(1))
        sim = timed(lambda: runner.simulate(2), repeat)
        line(f"simulate {key} ({n} patients)", f"{1e3 * sim:.1f} ms", "<= 100 ms")
        runner.run(3)  # imports and memoised set-up outside the clock
        c0 = time.process_time()
        for s in seeds_for(7, cpu_n):
            runner.run(s)
        cpu = (time.process_time() - c0) / cpu_n
        line(f"cpu per cohort {key} (simulate + all checks)", f"{1e3 * cpu:.1f} ms")
        line("  -> 1000 cohorts on 2 idle cores (cpu x 500)", f"{cpu * 500:.1f} s")


def _scorecard_env() -> dict:
    """The environment of a user's shell, with this checkout first and no Monte Carlo cache."""
    env = {k: v for k, v in os.environ.items() if k != "HCCREP_CACHE_DIR"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def bench_scorecard(n_mc: int, jobs: int, studies: list[str] | None = None) -> None:
    """``hccrep scorecard STUDY --mc N --jobs J`` of every study, timed as a whole command."""
    import resource

    from hccrep.spec import list_studies

    for key in studies or list_studies():
        with tempfile.TemporaryDirectory(prefix="hccrep-bench-card-") as tmp:
            cmd = [sys.executable, "-m", "hccrep.cli", "scorecard", key, "--mc", str(n_mc)]
            cmd += ["--jobs", str(jobs), "--quiet", "--output", str(Path(tmp) / "card.csv")]
            load = _load()
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            done = subprocess.run(cmd, cwd=ROOT, env=_scorecard_env(), capture_output=True)
            dt = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            print(done.stdout.decode()[-2000:], done.stderr.decode()[-2000:], file=sys.stderr)
            raise SystemExit(f"hccrep scorecard {key} failed")
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        line(
            f"scorecard {key} --mc {n_mc} --jobs {jobs}",
            f"{dt:.1f} s",
            "<= 30 s (1000 cohorts, 2 jobs)",
        )
        line("  cpu of the command and its workers; load before", f"{cpu:.1f} s; {load}")


def bench_models(n: int) -> None:
    """deng2025's model collection, per cohort: the five survival models fitted and every model
    number (Table 3, the text's Brier scores, the claims) computed; CPU time of this process."""
    from hccrep.replication import runner_for

    models, base = runner_for("deng2025", variants={"models": "fast"}), runner_for("deng2025")
    cohorts = [models.simulate(s) for s in range(100, 100 + n)]
    models.run(1)  # imports and first-call costs out of the clock
    load = _load()
    total, fit = [], []
    for c in cohorts:
        c0 = time.process_time()
        models.analyse(c)
        c1 = time.process_time()
        base.analyse(c)
        c2 = time.process_time()
        view = models.view(c.reset_index(drop=True))
        c3 = time.process_time()
        view.models("deng2025")
        c4 = time.process_time()
        total.append((c1 - c0) - (c2 - c1))
        fit.append(c4 - c3)
    med, med_fit = statistics.median(total), statistics.median(fit)
    line(
        f"cpu per cohort, deng2025 model collection ({n} cohorts)",
        f"{1e3 * med:.0f} ms",
        "half of 88a6bd3's (456-556 ms cpu on the 2-core machine)",
    )
    line("  of which fitting the five models", f"{1e3 * med_fit:.0f} ms")
    line("  of which the model numbers (metrics, claims)", f"{1e3 * (med - med_fit):.0f} ms")
    line(
        "  range over the cohorts; load average before",
        f"{1e3 * min(total):.0f}-{1e3 * max(total):.0f} ms; {load}",
    )


def survival_runner(**kwargs):
    """fonc2025 restricted to its survival checks: KM, log-rank, Cox (Table 5, subgroups), RT target."""
    from hccrep.spec import load_study
    from hccrep.replication import runner_for

    return runner_for(
        load_study("fonc2025"),
        only=("survival_text", "figure4", "table5", "subgroups", "rt_site"),
        **kwargs,
    )


def bench_monte_carlo(n_mc: int, jobs: int, survival: bool) -> None:
    """fonc2025 every check (and, with ``survival``, its survival checks alone) on ``jobs`` workers.

    The worker processes are started inside the clock: no joblib pool exists yet in this
    process when the figure runs first (``main`` runs it before the speed-up figure).
    """
    from hccrep.replication import monte_carlo, runner_for

    runners = [("every check", runner_for("fonc2025"), "<= 15 s")]
    if survival:
        runners.append(("survival checks", survival_runner(), "<= 30 s"))
    for name, runner, goal in runners:
        load = _load()
        t = timed(
            lambda: monte_carlo(
                runner, n_mc, base_seed=11, n_jobs=jobs, progress=False, cache_dir=""
            )
        )
        line(
            f"mc fonc2025 {name}: {n_mc} cohorts, {jobs} worker(s)",
            f"{t:.1f} s",
            f"1000 cohorts {goal} on 2 cores",
        )
        line("  load average before", load)
        if n_mc != 1000:
            line("  -> scaled to 1000 cohorts", f"{t * 1000 / n_mc:.1f} s")


_RUNNER = None


_LIMITS = None


def _pool_init(study: str) -> None:
    """Worker start-up for the speed-up figure: import hccrep, build the runner, run one cohort.

    BLAS runs on one thread in every worker, as joblib's workers do on a machine with as
    many cores as workers; otherwise the single worker's BLAS calls would borrow the idle
    second core and the two sides would not do the same work.
    """
    global _RUNNER, _LIMITS
    from threadpoolctl import threadpool_limits

    from hccrep.replication import runner_for

    _LIMITS = threadpool_limits(1)

    _RUNNER = runner_for(study)
    _RUNNER.run(1)


def _pool_batch(seeds) -> int:
    for s in seeds:
        _RUNNER.run(s)
    return len(seeds)


def _pool_ready(_) -> int:
    time.sleep(0.2)  # long enough for every worker of the pool to take one
    return os.getpid()


def bench_speedup(n: int, study: str = "fonc2025") -> None:
    """The same cohorts on a pool of 2 worker processes against a pool of 1.

    Both pools are built the same way, and their start-up (imports, the runner, one
    cohort per worker) is done before the clock starts; each task carries its seeds only,
    10 cohorts a task, and every worker's BLAS uses one thread.  So both sides do the same work and the figure is the pool's
    scaling.  The 1-worker pool runs first; the 2-worker pool's processes are new, so
    neither side profits from what the other has memoised.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from hccrep.replication import seeds_for

    seeds = seeds_for(21, n)
    batches = [seeds[i : i + 10] for i in range(0, n, 10)]
    ctx = multiprocessing.get_context("spawn")
    walls = {}
    for workers in (1, 2):
        with ProcessPoolExecutor(workers, ctx, initializer=_pool_init, initargs=(study,)) as pool:
            pids = set(pool.map(_pool_ready, range(4 * workers)))
            if len(pids) != workers:
                raise SystemExit(f"speed-up: {len(pids)} of {workers} workers started")
            t0 = time.perf_counter()
            done = sum(pool.map(_pool_batch, batches))
            walls[workers] = time.perf_counter() - t0
            assert done == n
    one, two = walls[1], walls[2]
    line(f"speed-up 2 vs 1 workers ({n} {study} cohorts)", f"{one / two:.2f}x", ">= 1.8x")
    line("  1 worker / 2 workers", f"{one:.1f} s / {two:.1f} s")


def bench_overhead(repeat: int) -> None:
    """hccrep wrappers vs lifelines on the same arrays (one simulated fonc2025 cohort)."""
    import warnings

    import pandas as pd
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    from hccrep.replication import runner_for
    from hccrep.stats import survival

    try:
        from hccrep.stats import fastsurv
    except ImportError:  # an older hccrep (for "before" figures)
        fastsurv = None

    r = runner_for("fonc2025")
    c = r.simulate(5)
    arm = c[r.group_column].astype(str).to_numpy()
    t, e = c["pfs_time"].to_numpy(float), c["pfs_event"].to_numpy(int)
    a = arm == arm[0]
    x = (arm == arm[0]).astype(float)
    d = pd.DataFrame({"x": x, "__T": t, "__E": e})

    def ll_km():
        k = KaplanMeierFitter().fit(t[a], e[a])
        return k.median_survival_time_, k.confidence_interval_

    def ll_cox():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            CoxPHFitter().fit(
                d,
                duration_col="__T",
                event_col="__E",
                fit_options={"precision": 1e-15, "r_precision": 0.0, "max_steps": 200},
            )

    cases = [
        (
            "KM median + CI",
            ll_km,
            lambda: survival.km_median(t[a], e[a]),
            fastsurv and (lambda: fastsurv.km_median(t[a], e[a])),
        ),
        (
            "log-rank",
            lambda: multivariate_logrank_test(t, arm, e),
            lambda: survival.logrank(t, e, arm),
            fastsurv and (lambda: fastsurv.logrank(t, e, arm)),
        ),
        (
            "Cox (1 covariate, Efron)",
            ll_cox,
            lambda: survival.cox(d.rename(columns={"__T": "t", "__E": "e"}), "t", "e", ["x"]),
            None,
        ),
    ]
    for name, ll, wrap, fast in cases:
        for f in (ll, wrap) + ((fast,) if fast else ()):
            f()  # warm caches and imports
        t_ll, t_wrap = paired(ll, wrap, 3 * repeat)  # in turn, fastest of each
        line(f"overhead {name}: hccrep / lifelines", f"{t_wrap / t_ll:.2f}x", "<= 1.2x")
        extra = f"{1e3 * t_ll:.2f} / {1e3 * t_wrap:.2f} ms"
        if fast:
            extra += f"; numpy {1e3 * timed(fast, repeat):.3f} ms"
        line("  lifelines / hccrep", extra)


class _CheapRunner:
    """A runner with the fonc2025 runner's check keys and a trivial analysis (for the memory figure)."""

    def __init__(self):
        from hccrep.replication import runner_for

        full = runner_for("fonc2025")
        self.study = full.study
        self.keys = sorted(full.run(1))
        self.variants, self.not_checkable = {}, {}

    def run(self, seed):
        rng = np.random.default_rng(seed)
        return dict(zip(self.keys, rng.random(len(self.keys)).tolist()))


def bench_memory(n: int) -> None:
    import resource
    import tracemalloc

    from hccrep.replication import Runner, monte_carlo

    cheap = _CheapRunner()
    runner = Runner(cheap.study)
    runner.run = cheap.run  # type: ignore[method-assign]
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.perf_counter()
    mc = monte_carlo(runner, n, base_seed=1, progress=False, cache_dir="")
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    kept = mc.memory_usage(deep=True).sum()
    line(
        f"memory: {n} cohorts x {mc.shape[1]} checks",
        f"{peak / 2**20:.0f} MiB peak",
        "summary statistics only",
    )
    line("  result frame / per cohort", f"{kept / 2**20:.1f} MiB / {kept / n / 1024:.2f} KiB")
    line(
        "  peak RSS of the process (before -> after)",
        f"{base_rss / 1024:.0f} -> {rss / 1024:.0f} MiB",
    )
    line("  time", f"{dt:.1f} s")


def _book_copy(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for f in filter(None, files):
        src = ROOT / f.decode()
        if src.is_file():
            (dest / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f.decode())
    for folder in ("book", "data", "hccrep"):  # files not yet committed count too
        shutil.copytree(
            ROOT / folder,
            dest / folder,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    for name in ("_toc.yml", "_config.yml"):
        shutil.copy2(ROOT / name, dest / name)


def _build(where: Path, env: dict, *flags: str) -> float:
    jb = Path(sys.executable).parent / "jupyter-book"
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(jb), "build", ".", "--keep-going", *flags],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
    )
    dt = time.perf_counter() - t0
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"jupyter-book build failed in {where}")
    executed = (done.stdout + done.stderr).count("Executing notebook")
    print(
        f"# jupyter-book build: {executed} notebook(s) executed by the build itself"
        f"{' (the pre-execution had not cached them)' if executed else ''}",
        flush=True,
    )
    return dt


def _pre_execute(where: Path, env: dict, jobs: int) -> float:
    """``make book``'s first step: a fresh execution cache, every notebook on ``jobs`` workers."""
    shutil.rmtree(where / "_build" / ".jupyter_cache", ignore_errors=True)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "hccrep.book", "execute", "--jobs", str(jobs)],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
    )
    dt = time.perf_counter() - t0
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"python -m hccrep.book execute failed in {where}")
    summary = [ln for ln in done.stdout.splitlines() if ln.startswith("executed ")]
    if summary:
        print(f"# {summary[-1]}", flush=True)
    return dt


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_book(cold: bool, rebuild: bool, keep: bool, jobs: int = CORES) -> None:
    """Builds in a temporary copy, never in the repository's own ``_build``.

    The cold figure times what ``make book`` runs: an empty execution cache, the parallel
    pre-execution (``python -m hccrep.book execute --jobs N``) and ``jupyter-book build -W
    --keep-going --all`` (which then takes every notebook from the cache).
    """
    where = Path(tempfile.mkdtemp(prefix="hccrep-bench-book-"))
    try:
        _book_copy(where)
        env = {
            **os.environ,
            "HCCREP_CACHE_DIR": str(where / "_build" / ".hccrep_cache"),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            # the kernels import the copy's hccrep, not the one the virtual environment was
            # installed from (an editable install points at one checkout only)
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(where), os.environ.get("PYTHONPATH", "")])
            ),
        }
        env.pop("MPLBACKEND", None)
        if cold:
            print(f"# book cold build: load average before {_load()}", flush=True)
            pre = _pre_execute(where, env, jobs)
            line(f"  pre-execution ({jobs} worker(s))", f"{pre:.0f} s", cores=CORES)
            sphinx = _build(where, env, "-W", "--all")
            line("  jupyter-book build (from the cache)", f"{sphinx:.0f} s")
            line(
                "book cold build (make book: pre-execution + build)",
                f"{pre + sphinx:.0f} s",
                "<= 300 s",
            )
            print(f"# load average after {_load()}", flush=True)
        if rebuild:
            cfg = where / "_config.yml"
            cfg.write_text(
                cfg.read_text().replace("execute_notebooks: force", "execute_notebooks: cache")
            )
            if not cold:  # fill the cache the way make book does
                line(
                    f"  pre-execution ({jobs} worker(s))", f"{_pre_execute(where, env, jobs):.0f} s"
                )
            first = _build(where, env)
            page = where / "book" / "fonc2025" / "01_baseline.md"
            text = page.read_text()
            marker = "## Summary"
            if marker not in text:
                raise SystemExit(f"{page}: no '{marker}' heading to edit after")
            page.write_text(
                text.replace(marker, marker + "\n\nOne sentence added by the benchmark.\n", 1)
            )
            line("book build with the execution cache (first)", f"{first:.0f} s")
            line(
                "book rebuild after one text edit (cache on)",
                f"{_build(where, env):.0f} s",
                "<= 30 s",
            )
    finally:
        if keep:
            print(f"book copy kept in {where}")
        else:
            shutil.rmtree(where, ignore_errors=True)


def reference_loop() -> float:
    """CPU seconds of a fixed pure-Python loop (10 million additions): the machine's speed now.

    A shared machine's speed drifts from minute to minute; dividing a figure by
    this one (taken in the same run) makes runs on different days comparable.
    """
    t0 = time.process_time()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.process_time() - t0


def reference_numpy(repeat: int = 5) -> float:
    """CPU seconds (fastest of ``repeat``) of a plain numpy survival workload without hccrep code.

    A 71-patient cohort of fixed seed (two arms, exponential times, uniform censoring):
    two Kaplan-Meier curves with Greenwood variances, each median with its plain
    confidence interval, a two-group log-rank test, and 26 one-covariate Cox fits
    (Breslow ties, Newton-Raphson to 1e-9) on 26 fixed covariates.  It is about the
    arithmetic of one Monte Carlo cohort's survival checks, written as directly as numpy
    allows, and shows the machine's numpy speed in the same run as the other figures.
    """
    rng = np.random.default_rng(20250)
    n = 71
    arm = (np.arange(n) < 42).astype(float)
    t_event = rng.exponential(np.where(arm == 1, 10.0, 16.0))
    cens = rng.uniform(6.0, 36.0, n)
    time_, event = np.minimum(t_event, cens), (t_event <= cens).astype(float)
    covs = rng.normal(size=(n, 26))

    def km(t, e):
        order = np.argsort(t, kind="stable")
        t, e = t[order], e[order]
        at_risk = t.size - np.arange(t.size)
        s = np.cumprod(1.0 - e / at_risk)
        with np.errstate(divide="ignore", invalid="ignore"):
            var = np.cumsum(e / (at_risk * (at_risk - e)))
            half = 1.959963984540054 * s * np.sqrt(var)
        below = np.flatnonzero(s <= 0.5)
        median = t[below[0]] if below.size else np.inf
        lo, hi = np.flatnonzero(s - half <= 0.5), np.flatnonzero(s + half <= 0.5)
        return median, t[lo[0]] if lo.size else np.inf, t[hi[0]] if hi.size else np.inf

    def logrank(t, e, g):
        ut = np.unique(t[e == 1])
        at_risk = (t[None, :] >= ut[:, None]).sum(1)
        at_risk1 = ((t[None, :] >= ut[:, None]) & (g[None, :] == 1)).sum(1)
        d = ((t[None, :] == ut[:, None]) & (e[None, :] == 1)).sum(1)
        d1 = ((t[None, :] == ut[:, None]) & (e[None, :] == 1) & (g[None, :] == 1)).sum(1)
        exp1 = d * at_risk1 / at_risk
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.nansum(
                d * (at_risk1 / at_risk) * (1 - at_risk1 / at_risk) * (at_risk - d) / (at_risk - 1)
            )
        return (d1.sum() - exp1.sum()) ** 2 / v

    def cox1(t, e, x):
        order = np.argsort(-t, kind="stable")
        t, e, x = t[order], e[order], x[order]
        beta = 0.0
        for _ in range(50):
            w = np.exp(beta * x)
            s0, s1, s2 = np.cumsum(w), np.cumsum(w * x), np.cumsum(w * x * x)
            mean = s1 / s0
            grad = np.sum(e * (x - mean))
            info = np.sum(e * (s2 / s0 - mean * mean))
            step = grad / info
            beta += step
            if abs(step) < 1e-9:
                break
        return beta, 1.0 / np.sqrt(info)

    def work():
        for a in (0.0, 1.0):
            km(time_[arm == a], event[arm == a])
        logrank(time_, event, arm)
        for j in range(covs.shape[1]):
            cox1(time_, event, covs[:, j])

    out = []
    for _ in range(repeat):
        t0 = time.process_time()
        work()
        out.append(time.process_time() - t0)
    return min(out)


def reference_pair() -> float:
    """Wall seconds for two :func:`reference_loop` runs in two processes at once.

    About the single loop's time when two cores are really free; more when
    the machine's second core is shared with other work, which slows every
    two-worker figure (Monte Carlo, speed-up, book build) by as much.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(_noop, range(2))  # start-up outside the clock
        t0 = time.perf_counter()
        pool.map(_loop_in_worker, range(2))
        return time.perf_counter() - t0


def _noop(_):
    return None


def _loop_in_worker(_):
    return reference_loop()


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--n-mc",
        type=int,
        default=1000,
        help="Monte Carlo cohorts of the scorecards and of fonc2025 (default 1000)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=min(2, CORES),
        help="workers for the Monte Carlo figures (default 2)",
    )
    p.add_argument(
        "--survival",
        action="store_true",
        help="also time fonc2025's survival checks alone",
    )
    p.add_argument(
        "--studies", nargs="*", help="studies of the scorecard figure (default: every study)"
    )
    p.add_argument(
        "--speedup-n",
        type=int,
        default=300,
        help="cohorts for the 2-vs-1 speed-up (default 300: long enough to average out drift)",
    )
    p.add_argument(
        "--cpu-n", type=int, default=20, help="cohorts for the CPU time per cohort (default 20)"
    )
    p.add_argument(
        "--repeat", type=int, default=7, help="repeats of the per-call timings (default 7)"
    )
    p.add_argument(
        "--memory",
        type=int,
        default=0,
        metavar="N",
        help="peak memory of an N-cohort Monte Carlo (e.g. 10000)",
    )
    p.add_argument(
        "--book-cold", action="store_true", help="time a cold jupyter-book build (minutes)"
    )
    p.add_argument(
        "--book-rebuild",
        action="store_true",
        help="time a rebuild after a text edit, cache on (minutes)",
    )
    p.add_argument("--keep-book", action="store_true", help="keep the temporary book copy")
    p.add_argument(
        "--models-n",
        type=int,
        default=10,
        help="cohorts for the deng2025 model-collection figure (default 10)",
    )
    p.add_argument(
        "--book-jobs", type=int, default=CORES, help="notebooks executed at once (default: cores)"
    )
    figures = ["simulate", "scorecard", "mc", "speedup", "overhead", "memory", "book", "models"]
    p.add_argument("--only", nargs="*", choices=figures, help="run only these figures")
    a = p.parse_args(argv)
    for name in ("n_mc", "jobs", "speedup_n", "cpu_n", "repeat", "book_jobs", "models_n"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if a.memory < 0:
        p.error("--memory must be non-negative")
    only = set(a.only or figures)
    import platform

    print(
        f"# hccrep benchmarks on {platform.node()}: {CORES} cores, python {platform.python_version()}, "
        f"load average {_load()}, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}"
    )
    line("reference: pure-Python loop, 1e7 additions (start)", f"{reference_loop():.2f} s")
    line(
        "reference: plain numpy survival workload, cpu (start)", f"{1e3 * reference_numpy():.2f} ms"
    )
    if CORES >= 2:
        line(
            "reference: the same loop in 2 processes at once",
            f"{reference_pair():.2f} s",
            "about the single loop when 2 cores are free",
        )
    if "simulate" in only:
        bench_simulate(a.repeat, a.cpu_n)
    if "mc" in only:  # before any figure that starts a joblib pool in this process
        bench_monte_carlo(a.n_mc, a.jobs, a.survival)
    if "scorecard" in only:
        bench_scorecard(a.n_mc, a.jobs, a.studies)
    if "models" in only:
        bench_models(a.models_n)
    if "speedup" in only and CORES >= 2:
        bench_speedup(a.speedup_n)
    if "overhead" in only:
        bench_overhead(a.repeat)
    if "memory" in only and a.memory:
        bench_memory(a.memory)
    if "book" in only and (a.book_cold or a.book_rebuild):
        bench_book(a.book_cold, a.book_rebuild, a.keep_book, a.book_jobs)
    line("reference: pure-Python loop, 1e7 additions (end)", f"{reference_loop():.2f} s")
    line("reference: plain numpy survival workload, cpu (end)", f"{1e3 * reference_numpy():.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
