"""The Monte Carlo gives the same numbers on every backend (serial, joblib, dask.distributed).

Cohort ``i`` is always simulated from the ``i``-th child of ``SeedSequence(base_seed)``;
the backend only decides where it runs.  The reference is the serial backend, the
in-process loop every notebook used before backends existed.  The runner is the
fonc2025 Table 1 runner (a cohort in a few tens of milliseconds), so the whole file
stays well under 30 s; the dask tests use an in-process LocalCluster
(``processes=False``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from hccrep.replication import BACKENDS, DeclaredRunner, monte_carlo, scorecard


@pytest.fixture(scope="module")
def table1_runner(study):
    return DeclaredRunner(study, only=["table1"])


@pytest.fixture(scope="module")
def serial(table1_runner):
    return monte_carlo(
        table1_runner, 8, base_seed=41, backend="serial", progress=False, cache_dir=""
    )


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_backends_are_the_three_documented_ones():
    assert BACKENDS == ("serial", "joblib", "dask")


def test_serial_backend_is_the_default_for_one_job(table1_runner, serial):
    default = monte_carlo(table1_runner, 8, base_seed=41, progress=False, cache_dir="")
    pd.testing.assert_frame_equal(default, serial, check_exact=True)
    assert serial.shape[0] == 8 and serial.notna().all().all()


@pytest.mark.parametrize("batch_size", [1, 3, 8])
def test_serial_results_do_not_depend_on_batch_size(table1_runner, serial, batch_size):
    other = monte_carlo(
        table1_runner,
        8,
        base_seed=41,
        backend="serial",
        batch_size=batch_size,
        progress=False,
        cache_dir="",
    )
    pd.testing.assert_frame_equal(other, serial, check_exact=True)


def test_joblib_backend_gives_identical_results(table1_runner, serial):
    par = monte_carlo(
        table1_runner, 8, base_seed=41, backend="joblib", n_jobs=2, progress=False, cache_dir=""
    )
    pd.testing.assert_frame_equal(par, serial, check_exact=True)


def test_dask_backend_with_a_client_gives_identical_results(table1_runner, serial, dask_client):
    d = monte_carlo(
        table1_runner,
        8,
        base_seed=41,
        backend="dask",
        scheduler=dask_client,
        batch_size=3,
        progress=False,
        cache_dir="",
    )
    pd.testing.assert_frame_equal(d, serial, check_exact=True)


def test_dask_backend_with_a_scheduler_address_gives_identical_results(table1_runner, serial):
    distributed = pytest.importorskip("distributed")
    # a cluster of its own, reached only through its address (what a real cluster's "tcp://host:8786" is)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        d = monte_carlo(
            table1_runner,
            8,
            base_seed=41,
            backend="dask",
            scheduler=cluster.scheduler_address,
            progress=False,
            cache_dir="",
        )
    pd.testing.assert_frame_equal(d, serial, check_exact=True)


def test_scorecard_is_identical_on_serial_and_dask(table1_runner, dask_client):
    a = scorecard(table1_runner, n_mc=6, backend="serial", progress=False, cache_dir="")
    b = scorecard(
        table1_runner, n_mc=6, backend="dask", scheduler=dask_client, progress=False, cache_dir=""
    )
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_old_call_signatures_still_work(table1_runner, serial):
    # how the notebooks call them: no backend argument
    card = scorecard(table1_runner, n_mc=4, seed=3, n_jobs=1, progress=False, cache_dir="")
    assert len(card) == len(table1_runner.checks)
    mc = monte_carlo(table1_runner, 8, base_seed=41, n_jobs=1, progress=False, cache_dir="")
    pd.testing.assert_frame_equal(mc, serial, check_exact=True)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"backend": "spark"}, "backend must be one of"),
        ({"backend": "joblib", "scheduler": "tcp://localhost:8786"}, "scheduler is only used"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_bad_arguments_raise_a_named_error(table1_runner, kwargs, match):
    with pytest.raises(ValueError, match=match):
        monte_carlo(table1_runner, 2, progress=False, cache_dir="", **kwargs)


def test_bad_scheduler_type_is_rejected(table1_runner):
    with pytest.raises(ValueError, match="scheduler must be"):
        monte_carlo(table1_runner, 2, backend="dask", scheduler=42, progress=False, cache_dir="")


def test_negative_n_is_rejected(table1_runner):
    with pytest.raises(ValueError, match="n must be"):
        monte_carlo(table1_runner, -1, progress=False, cache_dir="")


def test_max_jobs_variable_caps_workers_and_leaves_results_unchanged(
    table1_runner, serial, monkeypatch
):
    """HCCREP_MAX_JOBS=1 (what `hccrep.book execute` sets for notebooks run side by side) turns
    n_jobs=2 into the in-process loop: no worker starts, and the values are the serial ones."""
    import joblib

    from hccrep.parallel import cap_jobs

    monkeypatch.setenv("HCCREP_MAX_JOBS", "1")
    assert cap_jobs(2) == 1 and cap_jobs(-1) == 1

    def no_parallel(*args, **kwargs):
        raise AssertionError("joblib.Parallel was used although HCCREP_MAX_JOBS=1")

    monkeypatch.setattr(joblib, "Parallel", no_parallel)
    got = monte_carlo(
        table1_runner, len(serial), base_seed=41, n_jobs=2, progress=False, cache_dir=""
    )
    pd.testing.assert_frame_equal(got, serial)
    monkeypatch.setenv("HCCREP_MAX_JOBS", "two")
    with pytest.raises(ValueError, match="HCCREP_MAX_JOBS must be a positive integer"):
        monte_carlo(table1_runner, 2, n_jobs=2, progress=False, cache_dir="")
