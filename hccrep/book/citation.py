"""The citation of hccrep (reference line and BibTeX entry) read from ``CITATION.cff``.

The ``hccrep-citation`` directive of :mod:`hccrep.book.sphinxext` prints both on the
"How to cite" appendix.
"""

from __future__ import annotations

import re

__all__ = ["citation_entries"]


def citation_entries(cff: dict) -> tuple[str, str]:
    """A reference line and a BibTeX entry for the software described by CITATION.cff.

    Parameters
    ----------
    cff : dict
        The parsed ``CITATION.cff`` (Citation File Format 1.2.0): ``title`` and ``authors``
        are required; ``version``, ``date-released``, ``doi``, ``repository-code`` and
        ``url`` are used when present.

    Returns
    -------
    (str, str)
        The reference as one line of text, and a ``@software`` BibTeX entry.

    Examples
    --------
    >>> text, bib = citation_entries({"title": "T", "authors": [{"name": "Team"}], "version": "1.0"})
    >>> text
    'Team. T (version 1.0).'
    >>> print(bib)
    @software{t,
      author = {{Team}},
      title = {T},
      version = {1.0}
    }
    """
    if not isinstance(cff, dict) or not cff.get("title") or not cff.get("authors"):
        raise ValueError("CITATION.cff must give a title and authors")

    def person(a: dict) -> tuple[str, str]:
        if a.get("family-names"):
            given = a.get("given-names", "")
            return (
                f"{a['family-names']}, {given}".rstrip(", "),
                f"{a['family-names']}, {given}".rstrip(", "),
            )
        if a.get("name"):
            return a["name"], "{" + a[
                "name"
            ] + "}"  # an entity: braces keep BibTeX from splitting it
        raise ValueError(f"CITATION.cff author without a name: {a}")

    names = [person(a) for a in cff["authors"]]
    title = str(cff["title"])
    version = cff.get("version")
    released = cff.get("date-released")
    year = str(released)[:4] if released else None
    link = (
        cff.get("doi")
        and f"https://doi.org/{cff['doi']}"
        or cff.get("repository-code")
        or cff.get("url")
    )
    text = "; ".join(n for n, _ in names) + ". "
    text += f"{title}" + (f" (version {version})" if version else "") + "."
    if year:
        text += f" {year}."
    if link:
        text += f" {link}"
    key = re.sub(r"[^a-z0-9]+", "", title.split(":")[0].lower()) or "software"
    fields = [("author", " and ".join(b for _, b in names)), ("title", title)]
    fields += [
        (k, v)
        for k, v in (
            ("version", version),
            ("year", year),
            ("doi", cff.get("doi")),
            ("url", cff.get("repository-code") or cff.get("url")),
        )
        if v
    ]
    bib = f"@software{{{key},\n" + ",\n".join(f"  {k} = {{{v}}}" for k, v in fields) + "\n}"
    return text, bib
