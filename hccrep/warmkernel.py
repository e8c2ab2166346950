"""Kernels forked from a process that has already imported the book's libraries.

Every notebook of the book runs in a fresh IPython kernel. A fresh kernel spends about
three seconds of CPU importing numpy, pandas, scipy, matplotlib, lifelines, scikit-survival and
hccrep before the notebook's own work starts; over the book's 34 notebooks that is about two
minutes of CPU, a third of the cold build on two cores.

:class:`Zygote` pays that cost once per worker: a child process imports :data:`PRELOAD`
and then only waits. For each notebook it forks, and the fork becomes the kernel
(``ipykernel``'s own ``IPKernelApp``, with the environment, working directory and
connection file that ``jupyter_client`` prepared). The fork starts from the state the
imports left, the same for every notebook, never from another notebook's state: the zygote
runs no notebook code, so the pages stay independent and their order does not matter.

:class:`WarmKernelManager` is the ``jupyter_client`` kernel manager that launches through
the zygote of this process (:func:`start_zygote`); without one, or for a kernel command that
is not this interpreter's ``ipykernel_launcher``, it launches the usual way. POSIX only
(``os.fork``); elsewhere :func:`start_zygote` returns ``None``.

What differs from a kernel started by ``jupyter_client``:

- the kernel's parent is the zygote, not the worker (ipykernel's parent poller then watches
  for the zygote's exit);
- the kernel's exit status is not known to the worker (the zygote reaps it); a kernel that
  has gone reports status 0, and a kernel that died mid-notebook is still reported as dead
  by nbclient;
- warning filters that a preloaded library installs when imported (statsmodels does) are in
  place from the start, even in a notebook that never imports that library.

Two import-time differences are handled: pandas picks its ``display.max_columns`` default by
asking whether it runs in a Jupyter kernel (the zygote answers as a kernel would), and
``matplotlib_inline`` is not preloaded (importing it in a kernel hooks figures into IPython).
``tests/test_warmkernel.py`` compares forked and usual kernels on a probe notebook and on a page
of the book.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from multiprocessing.connection import Connection

__all__ = ["PRELOAD", "PRELOAD_ENV", "preload_modules", "Zygote", "ForkedKernel", "WarmKernelManager", "start_zygote", "current_zygote"]  # noqa: F822 (WarmKernelManager is created on first use, see __getattr__)

#: Modules the zygote imports before forking kernels: what the notebooks import, and what
#: those imports pull in. ``matplotlib_inline`` is deliberately absent: importing it inside a
#: running kernel is what hooks the inline figures into IPython.
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.stats",
    "scipy.optimize",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
    "lifelines",
    "sklearn.ensemble",
    "sksurv.ensemble",
    "sksurv.linear_model",
    "sksurv.metrics",
    "statsmodels.api",
    "hccrep.*",
    "ipykernel.kernelapp",
)

#: Environment variable with a comma-separated list of modules that replaces :data:`PRELOAD`
#: (the tests of the pre-executor preload little, their notebooks import little).
PRELOAD_ENV = "HCCREP_WARM_PRELOAD"


def preload_modules() -> tuple[str, ...]:
    """:data:`PRELOAD`, or the modules listed in :data:`PRELOAD_ENV` when it is set.

    Examples
    --------
    >>> os.environ[PRELOAD_ENV] = "json, ipykernel.kernelapp"
    >>> preload_modules()
    ('json', 'ipykernel.kernelapp')
    >>> del os.environ[PRELOAD_ENV]
    >>> preload_modules() == PRELOAD
    True
    """
    raw = os.environ.get(PRELOAD_ENV, "").strip()
    return tuple(m.strip() for m in raw.split(",") if m.strip()) if raw else PRELOAD


#: Modules of hccrep the zygote leaves out of ``hccrep.*``: the book's build machinery and the CLI.
PRELOAD_SKIP = ("hccrep.book", "hccrep.bookexec", "hccrep.cli", "hccrep.warmkernel")


def _expand(modules) -> list[str]:
    """The module names of ``modules``, a name ending in ``.*`` standing for the package and all
    its submodules but :data:`PRELOAD_SKIP`."""
    import pkgutil

    names = []
    for name in modules:
        if not name.endswith(".*"):
            names.append(name)
            continue
        package = importlib.import_module(name[:-2])
        names.append(package.__name__)
        names.extend(m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
                     if not any(m.name == s or m.name.startswith(s + ".") for s in PRELOAD_SKIP))
    return names


#: ipykernel's default backend, set before matplotlib is imported, as ipykernel sets it in a
#: kernel before any notebook code runs (``IPKernelApp.init_gui_pylab``).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

_ZYGOTE: Zygote | None = None


class _KernelLikeShell:
    """What ``get_ipython()`` returns in a kernel, as far as import-time checks look."""

    kernel = True


def _kernel_like_shell() -> _KernelLikeShell:
    return _KernelLikeShell()


def _exit_after(fn, *args, run_atexit: bool = False) -> None:
    """Run ``fn(*args)`` in a forked or helper process, then leave with its exit code and without
    the parent's cleanup (``os._exit``); ``run_atexit`` first runs this process's own exit
    handlers, as an exiting kernel would."""
    code = 0
    try:
        fn(*args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - report it, then exit
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            if run_atexit:
                import atexit

                atexit._run_exitfuncs()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)


class ForkedKernel:
    """The handle of a kernel forked by a :class:`Zygote`, shaped like :class:`subprocess.Popen`.

    ``jupyter_client``'s local provisioner polls, waits for, signals, kills and terminates its
    kernel through these methods. The kernel is not this process's child, so ``poll`` asks
    whether the process still exists (the zygote reaps it at once, so a gone kernel does
    not linger as a zombie).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0  # the status went to the zygote
            except PermissionError:  # pragma: no cover - the pid was reused by another user
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    """A child process that imports ``modules`` once, then forks one kernel per request.

    Parameters
    ----------
    modules : sequence of str
        Modules to import before the first fork (:data:`PRELOAD` by default). A module that
        fails to import is skipped (the kernel imports it itself, and fails there if it must).

    Examples
    --------
    >>> z = Zygote(modules=("json",))            # doctest: +SKIP
    >>> k = z.spawn([sys.executable, "-m", "ipykernel_launcher", "-f", "kernel.json"],
    ...             env=dict(os.environ), cwd=".")   # doctest: +SKIP
    >>> z.close()                                # doctest: +SKIP
    """

    def __init__(self, modules=PRELOAD):
        if not hasattr(os, "fork"):
            raise OSError("forked kernels need os.fork (POSIX)")
        import tempfile

        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        # a fresh interpreter, not a fork of this one: what the kernels start from must not
        # depend on what the calling process happened to import (a kernel imports everything
        # afresh); -P keeps its folder off sys.path, so it imports hccrep as a kernel does
        code = "import sys; from hccrep.warmkernel import _main; _main(sys.argv[1:])"
        try:
            self._proc = subprocess.Popen([sys.executable, "-P", "-c", code, str(req_r), str(resp_w), *modules],
                                          pass_fds=(req_r, resp_w), stdin=subprocess.DEVNULL,
                                          cwd=tempfile.gettempdir())
        finally:
            os.close(req_r)
            os.close(resp_w)
        self.pid = self._proc.pid
        self._req = Connection(req_w, readable=False)
        self._resp = Connection(resp_r, writable=False)
        try:
            self.ready = self._resp.recv()  # the modules it imported, once it has
        except EOFError:
            self.close()
            raise OSError(f"the zygote (pid {self.pid}) exited before it was ready") from None

    # ---------------------------------------------------------------- in the zygote
    @staticmethod
    def _serve(req: Connection, resp: Connection, modules: tuple[str, ...]) -> None:
        os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
        # ipykernel reads its parent's pid when its module is imported (IPKernelApp.parent_handle):
        # the parent of the kernels is this process
        os.environ["JPY_PARENT_PID"] = str(os.getpid())
        import builtins

        # Code that asks at import time whether it runs in a Jupyter kernel, the way pandas
        # does for display.max_columns (a ``get_ipython`` builtin whose shell has a
        # ``kernel``), must get the answer a kernel gives: yes.
        builtins.get_ipython = _kernel_like_shell
        loaded = []
        try:
            for name in _expand(modules):
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 - optional: the kernel will import it (or fail) itself
                    continue
                loaded.append(name)
        finally:
            del builtins.get_ipython
        # the kernels it forks are reaped by the system: no zombies, no handler to run
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        resp.send(loaded)
        while True:
            try:
                cmd, env, cwd = req.recv()
            except EOFError:  # the worker is gone
                return
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                req.close()
                resp.close()
                _exit_after(Zygote._become_kernel, cmd, env, cwd, run_atexit=True)  # never returns
            resp.send(pid)

    @staticmethod
    def _become_kernel(cmd: list[str], env: dict, cwd: str | None) -> None:
        os.setsid()  # its own process group, as jupyter_client's launcher gives it
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel waits for its own children
        if cwd:
            os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        from importlib.util import find_spec

        sys.argv = [find_spec("ipykernel_launcher").origin] + list(cmd[3:])
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()

    # ------------------------------------------------------- in the process that uses it
    def spawn(self, cmd: list[str], env: dict, cwd: str | None) -> ForkedKernel:
        """Fork a kernel that runs ``cmd``'s ipykernel with ``env`` in ``cwd``."""
        self._req.send((list(cmd), dict(env), None if cwd is None else str(cwd)))
        return ForkedKernel(self._resp.recv())

    def close(self) -> None:
        """Stop the zygote (kernels it forked keep running until shut down)."""
        self._req.close()
        self._resp.close()
        self._proc.wait()


def _main(argv: list[str]) -> None:
    """The zygote process: ``argv`` is the request pipe, the reply pipe, then the modules."""
    _exit_after(Zygote._serve, Connection(int(argv[0]), writable=False), Connection(int(argv[1]), readable=False),
                tuple(argv[2:]))


def start_zygote(modules=PRELOAD) -> Zygote | None:
    """Start this process's zygote (once) and return it.

    Returns ``None``, and kernels start the usual way, where ``os.fork`` is missing or the
    zygote could not start (the reason is printed to stderr).
    """
    global _ZYGOTE
    if _ZYGOTE is None and hasattr(os, "fork"):
        try:
            _ZYGOTE = Zygote(modules)
        except OSError as exc:
            print(f"hccrep.warmkernel: kernels start the usual way: {exc}", file=sys.stderr, flush=True)
    return _ZYGOTE


def current_zygote() -> Zygote | None:
    """The zygote :func:`start_zygote` started in this process, if any."""
    return _ZYGOTE


def is_ipykernel_command(cmd) -> bool:
    """Whether ``cmd`` is this interpreter running ``ipykernel_launcher`` (what a zygote can fork)."""
    return (len(cmd) >= 3 and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
            and cmd[1] == "-m" and cmd[2] == "ipykernel_launcher")


def _manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class WarmKernelManager(AsyncKernelManager):
        """``AsyncKernelManager`` that forks its kernel from this process's :class:`Zygote`."""

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            zygote = current_zygote()
            provisioner = self.provisioner
            if zygote is None or not is_ipykernel_command(kernel_cmd) or not hasattr(provisioner, "pgid"):
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            env = dict(kw.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(zygote.pid)  # its parent, which ipykernel's poller watches
            cwd = kw.get("cwd")
            process = zygote.spawn(kernel_cmd, env, cwd)
            provisioner.process = process
            provisioner.pid = process.pid
            provisioner.pgid = process.pid  # os.setsid in the kernel
            provisioner.cwd = cwd or os.getcwd()
            self._reconcile_connection_info(provisioner.connection_info)

    return WarmKernelManager


def __getattr__(name):  # jupyter_client is imported on first use: the zygote imports this module before its preload
    if name == "WarmKernelManager":
        cls = _manager_class()
        globals()[name] = cls
        return cls
    raise AttributeError(name)
