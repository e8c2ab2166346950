"""Fixtures shared by the fonc2025 test modules (loaded once per module that asks)."""

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
