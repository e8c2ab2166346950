"""One module per paper: the glue its notebooks and tests share.

:func:`get_runner` returns the :class:`hccrep.replication.Runner` registered for a
study; a study without a module of its own gets a
:class:`hccrep.replication.BaselineRunner` (its Table 1 p-values only).
"""

from __future__ import annotations

import importlib

from hccrep.replication import BaselineRunner, Runner
from hccrep.spec import Study

__all__ = ["get_runner"]


def get_runner(study: Study, **kwargs) -> Runner:
    """The runner for ``study`` (its own module's ``make_runner`` if there is one)."""
    try:
        mod = importlib.import_module(f"hccrep.studies.{study.key}")
    except ModuleNotFoundError as exc:
        if exc.name != f"hccrep.studies.{study.key}":
            raise
        return BaselineRunner(study, **kwargs)
    return mod.make_runner(study, **kwargs)
