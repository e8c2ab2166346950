"""Fixtures shared by the test modules: the fonc2025 study and runner (loaded once per module that
asks), and closing every matplotlib figure a test leaves open."""

from __future__ import annotations

import pytest

from hccrep.replication import runner_for
from hccrep.spec import load_study


@pytest.fixture(scope="module")
def study():
    """The fonc2025 study as loaded from data/."""
    return load_study("fonc2025")


@pytest.fixture(scope="module")
def runner(study):
    """The fonc2025 runner (simulation and every replicated check)."""
    return runner_for(study)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test opened, so a long run does not keep hundreds of them in memory
    (matplotlib warns after 20)."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
