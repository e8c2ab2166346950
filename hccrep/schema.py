"""The data-file schema as tables, generated from the pydantic models (for the book's reference page).

Examples
--------
>>> from hccrep.declared import KMMedian
>>> fields_table(KMMedian)["field"].tolist()
['kind', 'variant', 'population', 'endpoint', 'by', 'subset', 'group']
"""

from __future__ import annotations

import typing

import pandas as pd

__all__ = ["fields_table", "file_models", "analysis_models", "analysis_parts", "claim_models"]


def _type_name(annotation) -> str:
    """A readable type: ``str``, ``list of str``, ``one of: a, b``, ``A or B``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return "one of: " + ", ".join(str(a) for a in args) if len(args) > 1 else str(args[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(names) + (" (optional)" if type(None) in args else "")
    if origin in (list, tuple):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping {_type_name(args[0])} -> {_type_name(args[1])}" if args else "mapping"
    return getattr(annotation, "__name__", str(annotation))


def fields_table(model: type) -> pd.DataFrame:
    """One row per field of a pydantic model: ``field, type, required, default, description``.

    Parameters
    ----------
    model : type
        A pydantic model class.

    Returns
    -------
    DataFrame
        One row per field, ``kind`` and ``type`` first, then the model's order.
        ``field`` is the alias when there is one; ``required`` is ``"yes"`` or
        empty; ``default`` is the repr of the default, ``"(empty)"`` for a
        default factory, empty when required.
    """
    rows = []
    fields = dict(model.model_fields)
    order = [n for n in ("kind", "type") if n in fields] + [
        n for n in fields if n not in ("kind", "type")
    ]
    for name in order:
        f = fields[name]
        default = (
            ""
            if f.is_required()
            else ("(empty)" if f.default_factory is not None else repr(f.default))
        )
        rows.append(
            {
                "field": f.alias or name,
                "type": _type_name(f.annotation),
                "required": "yes" if f.is_required() else "",
                "default": default,
                "description": (f.description or "").strip(),
            }
        )
    return pd.DataFrame(rows)


def file_models() -> dict[str, type]:
    """The models of the data files and their parts, by the name the reference page shows.

    Parameters
    ----------
    None

    Returns
    -------
    dict of str to type
        Display name (``"study.yaml"``, ``"baseline group"``...) -> pydantic
        model class of :mod:`hccrep.spec`, in the reference page's order.
    """
    from hccrep import spec
    from hccrep.about import About, Citation
    from hccrep.claims import ClaimsFile, Quoted, Split

    return {
        "study.yaml": spec.StudyFile,
        "baseline file (a Table 1)": spec.BaselineFile,
        "baseline group": spec.Group,
        "categorical variable": spec.CategoricalVariable,
        "continuous variable": spec.ContinuousVariable,
        "baseline p-value": spec.PValueSpec,
        "baseline tests": spec.TableTests,
        "results file": spec.ResultsFile,
        "reported number": spec.NumberSpec,
        "about a reported number": About,
        "a cited publication (about.source)": Citation,
        "cause of a miss": spec.Miss,
        "simulation.yaml": spec.SimulationFile,
        "survival endpoint": spec.SurvivalSpec,
        "binary outcome": spec.BinarySpec,
        "claims.yaml": ClaimsFile,
        "quoted number (of a claim)": Quoted,
        "split (of a no_difference claim)": Split,
    }


def claim_models() -> dict[str, type]:
    """Every kind of claim of ``claims.yaml`` and its model (:data:`hccrep.claims.CLAIM_MODELS`).

    Parameters
    ----------
    None

    Returns
    -------
    dict of str to type
        A copy of :data:`hccrep.claims.CLAIM_MODELS`: kind -> pydantic model.

    Examples
    --------
    >>> list(claim_models())[:2]
    ['no_difference', 'significance']
    """
    from hccrep.claims import CLAIM_MODELS

    return dict(CLAIM_MODELS)


def analysis_models() -> dict[str, type]:
    """Every declared analysis kind and its model (:data:`hccrep.declared.ANALYSIS_KINDS`).

    Parameters
    ----------
    None

    Returns
    -------
    dict of str to type
        A copy of :data:`hccrep.declared.ANALYSIS_KINDS`: kind -> pydantic model.
    """
    from hccrep.declared import ANALYSIS_KINDS

    return dict(ANALYSIS_KINDS)


def analysis_parts() -> dict[str, type]:
    """The models nested inside analysis declarations, by the name the reference page shows.

    Parameters
    ----------
    None

    Returns
    -------
    dict of str to type
        Display name -> pydantic model class of :mod:`hccrep.declared`: the
        variant, the matched population, a score compared in ``against`` and
        a decision curve's threshold grid.

    Examples
    --------
    >>> sorted(analysis_parts())[:2]
    ['decision-curve thresholds', 'matched population']
    """
    from hccrep import declared

    return {
        "variant": declared.Variant,
        "matched population": declared.Matching,
        "score (an entry of against)": declared.Score,
        "decision-curve thresholds": declared.ThresholdGrid,
    }
