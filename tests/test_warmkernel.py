"""Kernels forked from a preloaded zygote (:mod:`hccrep.warmkernel`).

The reference is a kernel started the usual way by ``jupyter_client`` (a new
``python -m ipykernel_launcher`` process): a forked kernel must look the same to the code
of a notebook (working folder, argv, environment, pandas' kernel-dependent defaults,
matplotlib's inline backend, its own process group) and give the same outputs on a real
page of the book. Its failures must surface as a usual kernel's do (a kernel that dies, a
cell past its timeout), and a zygote that cannot start must leave kernels to start the
usual way.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
jupytext = pytest.importorskip("jupytext")

from hccrep import warmkernel  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forked kernels need os.fork")

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import os, sys
import pandas as pd, matplotlib
print("max_columns", pd.get_option("display.max_columns"), pd.get_option("display.width"))
print("backend", matplotlib.rcParams._get_backend_or_none())
print("inline imported before %matplotlib", "matplotlib_inline" in sys.modules)
print("argv", os.path.basename(sys.argv[0]), sys.argv[1:2])
print("cwd", os.getcwd())
print("env", os.environ.get("HCCREP_PROBE"), os.environ.get("MPLBACKEND"))
print("shell", type(get_ipython()).__name__)
print("own session", os.getsid(0) == os.getpid(), os.getpgid(0) == os.getpid())
"""

FIGURE = """%matplotlib inline
import matplotlib.pyplot as plt
plt.plot([0, 1], [1, 0]);"""


@pytest.fixture(scope="module")
def zygote():
    z = warmkernel.Zygote()
    previous = warmkernel._ZYGOTE
    warmkernel._ZYGOTE = z
    yield z
    warmkernel._ZYGOTE = previous
    z.close()


def _notebook(cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _run(cells, cwd, manager=None, timeout=60):
    nb = _notebook(cells)
    kwargs = {"kernel_manager_class": manager} if manager is not None else {}
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=timeout,
                                     resources={"metadata": {"path": str(cwd)}}, **kwargs)
    client.execute()
    return nb, client


def _outputs(nb) -> list:
    """Each cell's outputs, streams joined (their chunking depends on timing), without the
    random ids pandas' Styler and object reprs carry."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs, stream = [], {}
        for o in cell.outputs:
            if o.output_type == "stream":
                stream[o.name] = stream.get(o.name, "") + o.text
                continue
            data = {k: v for k, v in o.get("data", {}).items()}
            outs.append(re.sub(r"T_[0-9a-f]{5}|at 0x[0-9a-f]+", "<id>", repr(sorted(data.items()))))
        cells.append((stream, outs))
    return cells


def test_the_zygote_imports_the_libraries_but_not_the_inline_backend_or_the_build_machinery(zygote):
    loaded = set(zygote.ready)
    assert {"pandas", "matplotlib.pyplot", "lifelines", "hccrep.replication", "hccrep.studies.fonc2025",
            "ipykernel.kernelapp"} <= loaded
    assert not any(m.startswith("matplotlib_inline") for m in loaded)
    assert not loaded & {"hccrep.book", "hccrep.bookexec", "hccrep.cli"}


def test_a_forked_kernel_looks_like_a_usual_kernel_to_the_notebook(zygote, tmp_path, monkeypatch):
    monkeypatch.setenv("HCCREP_PROBE", "seen")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    usual, _ = _run([PROBE, FIGURE], tmp_path)
    warm, client = _run([PROBE, FIGURE], tmp_path, warmkernel.WarmKernelManager)
    assert _outputs(warm) == _outputs(usual)
    text = _outputs(warm)[0][0]["stdout"]
    # the reference values themselves: what ipykernel gives any kernel
    assert "max_columns 20 80" in text  # pandas' default inside a Jupyter kernel
    assert "backend module://matplotlib_inline.backend_inline" in text
    assert f"cwd {tmp_path}" in text and "env seen module://matplotlib_inline.backend_inline" in text
    assert "argv ipykernel_launcher.py ['-f']" in text and "own session True True" in text
    assert any("image/png" in o for o in _outputs(warm)[1][1])  # the inline figure is shown


def test_a_real_page_gives_the_same_outputs_in_a_forked_and_a_usual_kernel(zygote, tmp_path, monkeypatch):
    monkeypatch.setenv("HCCREP_CACHE_DIR", "")  # no Monte Carlo cache shared between the two runs
    page = ROOT / "book" / "tu2025" / "07_agreement.md"
    cells = [c.source for c in jupytext.read(page).cells if c.cell_type == "code"]
    usual, _ = _run(cells, page.parent)
    warm, _ = _run(cells, page.parent, warmkernel.WarmKernelManager)
    assert _outputs(warm) == _outputs(usual)


def test_a_forked_kernel_that_dies_is_reported_dead(zygote, tmp_path):
    with pytest.raises(nbclient.exceptions.DeadKernelError):
        _run(["import os\nos._exit(3)"], tmp_path, warmkernel.WarmKernelManager)


def test_a_cell_past_its_timeout_fails_and_the_forked_kernel_is_gone(zygote, tmp_path, monkeypatch):
    kernels = []
    spawn = warmkernel.Zygote.spawn
    monkeypatch.setattr(warmkernel.Zygote, "spawn", lambda self, *a, **k: kernels.append(spawn(self, *a, **k)) or kernels[-1])
    with pytest.raises(nbclient.exceptions.CellTimeoutError):
        _run(["import time\ntime.sleep(60)"], tmp_path, warmkernel.WarmKernelManager, timeout=3)
    assert len(kernels) == 1 and kernels[0].wait(timeout=30) == 0  # shut down, and reaped by the zygote


def test_a_zygote_that_cannot_start_raises_and_start_zygote_falls_back(monkeypatch, capsys):
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(OSError, match="exited before it was ready"):
        warmkernel.Zygote(("json",))
    monkeypatch.setattr(warmkernel, "_ZYGOTE", None)
    assert warmkernel.start_zygote(("json",)) is None
    assert "kernels start the usual way" in capsys.readouterr().err


def test_only_this_interpreters_ipykernel_command_is_forked():
    assert warmkernel.is_ipykernel_command([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not warmkernel.is_ipykernel_command(["/usr/bin/other-python", "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not warmkernel.is_ipykernel_command([sys.executable, "-m", "other_kernel", "-f", "k.json"])


def test_a_forked_kernel_can_start_and_wait_for_processes_of_its_own(zygote, tmp_path):
    # the zygote ignores SIGCHLD (its kernels are reaped by the system); a kernel must not
    # inherit that, or subprocess's wait and joblib's worker processes would fail in it
    code = """import subprocess, sys
from joblib import Parallel, delayed
print(subprocess.run([sys.executable, "-c", "raise SystemExit(7)"]).returncode)
print(sum(Parallel(n_jobs=2, backend="loky")(delayed(abs)(-i) for i in range(10))))"""
    nb, _ = _run([code], tmp_path, warmkernel.WarmKernelManager)
    assert _outputs(nb)[0][0]["stdout"] == "7\n45\n"


def test_closing_the_zygote_ends_its_process():
    z = warmkernel.Zygote(("json",))
    assert z.ready == ["json"] and z._proc.poll() is None
    z.close()
    assert z._proc.returncode == 0
