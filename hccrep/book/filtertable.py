"""An HTML table with drop-down filters, a text search and sortable headers, for offline pages.

:func:`filter_table_html` writes the table and a short inline script (no CDN, no extra
package); the scorecard and audit appendices and :mod:`hccrep.display` use it.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Sequence

import pandas as pd

__all__ = ["filter_table_html"]


def _cell_text(value, float_format: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return format(value, float_format)
    return str(value)


_FILTER_SCRIPT = """
<script>
(function () {
  var root = document.getElementById("%(id)s");
  if (!root) { return; }
  var table = root.querySelector("table");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = root.querySelectorAll("select[data-col]");
  var search = root.querySelector("input[type=search]");
  var count = root.querySelector(".hccrep-count");
  function apply() {
    var text = search.value.toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = true;
      selects.forEach(function (s) {
        if (s.value !== "" && row.cells[+s.dataset.col].textContent !== s.value) { ok = false; }
      });
      if (ok && text && row.textContent.toLowerCase().indexOf(text) < 0) { ok = false; }
      row.style.display = ok ? "" : "none";
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " rows";
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  table.querySelectorAll("th[data-col]").forEach(function (th) {
    th.addEventListener("click", function () {
      var col = +th.dataset.col;
      var dir = th.dataset.dir === "asc" ? -1 : 1;
      th.dataset.dir = dir === 1 ? "asc" : "desc";
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        if (!isNaN(nx) && !isNaN(ny) && String(nx) === x.trim() && String(ny) === y.trim()) {
          return dir * (nx - ny);
        }
        return dir * x.localeCompare(y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  apply();
})();
</script>
"""


def filter_table_html(
    df: pd.DataFrame,
    *,
    filters: Sequence[str],
    table_id: str,
    caption: str = "",
    float_format: str = ".4g",
    column_classes: dict[str, str] | None = None,
    row_titles: Sequence[str] | None = None,
    cell_titles: dict[str, Sequence[str]] | None = None,
    table_class: str = "",
) -> str:
    """An HTML table with drop-down filters, a text search and sortable headers.

    The filtering and sorting are done by a short inline script, so the table works in
    a book read offline: nothing is loaded from a CDN. Cells are HTML-escaped.

    Parameters
    ----------
    df : DataFrame
        The rows to show; must not be empty (an empty appendix table is a bug).
    filters : sequence of str
        Columns that get a drop-down of their distinct values.
    table_id : str
        HTML id of the wrapper (letters, digits, ``-`` and ``_``); unique on the page.
    caption : str
        Optional caption above the table.
    float_format : str
        Format spec for float cells; NaN prints as an empty cell.
    column_classes : mapping, optional
        Column -> CSS class of its header and cells (widths and wrapping are
        set in ``book/_static/hccrep.css``).
    row_titles : sequence of str, optional
        A tooltip per row (the ``title`` of its ``tr``), e.g. an internal key.
    cell_titles : mapping, optional
        Column -> a tooltip per row for that column's cells.
    table_class : str
        Extra CSS class of the ``table``.

    Returns
    -------
    str
        The HTML fragment (wrapper ``div``, controls, ``table`` and ``script``).

    Raises
    ------
    ValueError
        If ``df`` is empty or not a DataFrame, a filter column is missing, or
        ``table_id`` is not a valid id.

    Examples
    --------
    >>> import pandas as pd
    >>> out = filter_table_html(pd.DataFrame({"v": ["a"]}), filters=["v"], table_id="t1")
    >>> out.count("<tr>")
    2
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if df.empty:
        raise ValueError("df is empty: an appendix table with no rows would hide a failure")
    if isinstance(filters, str):
        raise ValueError(f"filters must be a sequence of column names, not the string {filters!r}")
    missing = [c for c in filters if c not in df.columns]
    if missing:
        raise ValueError(f"filters: columns {missing} are not in df (columns: {list(df.columns)})")
    if not isinstance(table_id, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", table_id):
        raise ValueError(
            f"table_id must start with a letter and hold only letters, digits, - and _; got {table_id!r}"
        )
    for name, seq in [("row_titles", row_titles)] + list((cell_titles or {}).items()):
        if seq is not None and len(seq) != len(df):
            raise ValueError(f"{name}: {len(seq)} titles for {len(df)} rows")
    esc = _html.escape
    columns = [str(c) for c in df.columns]
    classes = {str(k): v for k, v in (column_classes or {}).items()}
    titles = {str(k): list(v) for k, v in (cell_titles or {}).items()}
    cells = [[_cell_text(v, float_format) for v in row] for row in df.itertuples(index=False)]
    parts = [f'<div class="hccrep-filter-table" id="{table_id}">']
    if caption:
        parts.append(f"<p><strong>{esc(caption)}</strong></p>")
    parts.append('<p class="hccrep-controls">')
    for name in filters:
        col = columns.index(str(name))
        values = sorted({r[col] for r in cells} - {""})  # "all" already shows the rows left empty
        options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
        parts.append(
            f'<label>{esc(str(name))} <select data-col="{col}" aria-label="filter by {esc(str(name))}">'
            f'<option value="">all</option>{options}</select></label> '
        )
    parts.append('<label>search <input type="search" aria-label="search the table"></label> ')
    parts.append(f'<span class="hccrep-count">{len(cells)} of {len(cells)} rows</span></p>')
    parts.append('<div style="overflow-x: auto; max-height: 80vh; overflow-y: auto;">')
    extra = f" {esc(table_class)}" if table_class else ""
    # a table with a class of its own takes its width from the book's CSS (hccrep.css)
    style = "font-size: 0.8em;" if table_class else "font-size: 0.8em; width: auto;"
    parts.append(f'<table class="table hccrep-table{extra}" style="{style}"><thead><tr>')

    def cls(c: str) -> str:
        return f' class="{esc(classes[c])}"' if c in classes else ""

    parts += [
        f'<th data-col="{i}"{cls(c)} title="click to sort">{esc(c)}</th>'
        for i, c in enumerate(columns)
    ]
    parts.append("</tr></thead><tbody>")
    for j, row in enumerate(cells):
        tr = f'<tr title="{esc(str(row_titles[j]))}">' if row_titles is not None else "<tr>"
        tds = []
        for c, v in zip(columns, row):
            title = f' title="{esc(str(titles[c][j]))}"' if c in titles else ""
            tds.append(f"<td{cls(c)}{title}>{esc(v)}</td>")
        parts.append(tr + "".join(tds) + "</tr>")
    parts.append("</tbody></table></div></div>")
    parts.append(_FILTER_SCRIPT % {"id": table_id})
    return "\n".join(parts)
