"""What is particular to one paper: its runner additions and the helpers of its chapter.

Nothing here is needed to replicate a new paper: a study folder under
``data/`` with declared analyses is enough (:class:`hccrep.replication.DeclaredRunner`).
A module here extends that runner for what its paper alone needs (radiotherapy
dose rules, a paper's own model collection) and registers it under the
``hccrep.runners`` entry-point group in ``pyproject.toml``; the replication
layer never imports a study module by name.
"""
