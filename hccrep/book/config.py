"""Variants of the book's ``_config.yml``: the student edition and other launch-button branches.

:func:`derived_config` is what ``python -m hccrep.book config`` prints (``make book-student``).
"""

from __future__ import annotations

import re

import yaml

__all__ = ["derived_config"]


def derived_config(
    text: str, *, hide_solutions: bool | None = None, branch: str | None = None
) -> str:
    """A variant of the book's ``_config.yml`` text.

    Parameters
    ----------
    text : str
        The YAML text of ``_config.yml``.
    hide_solutions : bool, optional
        Set sphinx-exercise's ``hide_solutions`` (``True``: a student edition without
        the solutions).
    branch : str, optional
        Set ``repository.branch``, the branch the launch buttons (Binder, Colab) open.

    Returns
    -------
    str
        The modified configuration as YAML (comments are not kept).

    Examples
    --------
    >>> out = derived_config("title: t\\n", hide_solutions=True)
    >>> yaml.safe_load(out)["sphinx"]["config"]["hide_solutions"]
    True
    """
    config = yaml.safe_load(text)
    if not isinstance(config, dict):
        raise ValueError("text must be a YAML mapping (the content of _config.yml)")
    if hide_solutions is not None:
        if not isinstance(hide_solutions, bool):
            raise ValueError(f"hide_solutions must be a bool or None, got {hide_solutions!r}")
        sphinx = config.setdefault("sphinx", {}) or {}
        config["sphinx"] = sphinx
        sphinx.setdefault("config", {})
        if sphinx["config"] is None:
            sphinx["config"] = {}
        sphinx["config"]["hide_solutions"] = hide_solutions
    if branch is not None:
        if not isinstance(branch, str) or not re.fullmatch(r"[A-Za-z0-9._/-]+", branch):
            raise ValueError(f"branch must be a git branch name, got {branch!r}")
        repo = config.get("repository") or {}
        repo["branch"] = branch
        config["repository"] = repo
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
