"""The built book, opened in a real browser (headless Chromium through Playwright).

The book is built once per session (``tests/_bookbuild.py``: ``jupyter-book build -W
--keep-going --all`` into a temporary folder, or the HTML named by ``HCCREP_BOOK_HTML``).
Then each key page -- the landing page, every chapter page of ``_toc.yml``, the first
notebook of every chapter with sections, and every appendix -- is opened in Chromium and
fails the test when it shows

- an error cell (``.output.error``, a traceback),
- an image that did not load (``naturalWidth`` 0),
- a link to a local file or anchor that does not exist,
- a table without a single data cell,
- an error in the browser console (or an uncaught script error).

A full-page screenshot of each page is kept in ``_build/screenshots/`` with a list of the
external links found (``external_links.txt``; the link check proper needs internet and runs
in ``.github/workflows/book.yml``). Requests for anything outside the build are answered
with an empty response, so the test never touches the network and a page that needs the
network to render shows up as a missing image or a broken table.

Two interactions are checked as well: an exercise solution is hidden until its toggle is
clicked, and the filters of the scorecard appendix narrow its table.

Chromium is Debian's (``/usr/bin/chromium``, ``apt-get install chromium``); Playwright comes
from PyPI and never downloads a browser. Without either the tests skip locally and fail
when ``CI`` is set.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

try:  # rootdir-relative import ("tests" is a package) or tests/ on sys.path
    from tests._bookbuild import ROOT, build_book_once, in_ci
except ImportError:  # pragma: no cover - depends on pytest import mode
    from _bookbuild import ROOT, build_book_once, in_ci

# `make test` runs pytest-xdist with --dist loadfile, so every test of this file runs in one
# worker; build_book_once() still builds only once if they are ever spread over workers.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")

#: Console messages of the Jupyter Book 1 theme stack itself, on every page of any book;
#: nothing in hccrep's pages causes them. Anything else in the console fails the test.
KNOWN_THEME_CONSOLE_MESSAGES = {
    # sphinx-thebe 0.3 writes its configuration <script> twice under sphinx-book-theme 1.3;
    # the second `const` declaration throws. Thebe (live code) is not enabled in this book.
    r"^uncaught: Identifier 'THEBE_JS_URL' has already been declared$": "sphinx-thebe + sphinx-book-theme",
    # pydata-sphinx-theme 0.17 on a first visit (empty localStorage, as in a fresh browser)
    # logs this and falls back to the automatic light/dark mode.
    r"^Got invalid theme mode: \. Resetting to auto\.$": "pydata-sphinx-theme first visit",
}


def unexpected_console(messages: list[str]) -> list[str]:
    return [m for m in messages if not any(re.search(p, m) for p in KNOWN_THEME_CONSOLE_MESSAGES)]


SCREENSHOTS = ROOT / "_build" / "screenshots"


def _need(message: str):
    if in_ci():
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(message)


# --------------------------------------------------------------------------- which pages


def key_pages(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Docnames to open: the root, every chapter, the first section of every chapter."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    pages = [toc["root"]]
    chapters = [c for part in toc.get("parts", []) for c in part.get("chapters", [])] + toc.get(
        "chapters", []
    )
    for chapter in chapters:
        pages.append(chapter["file"])
        sections = chapter.get("sections") or []
        if sections:
            pages.append(sections[0]["file"])
    return list(dict.fromkeys(pages))


PAGES = key_pages()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    try:
        import jupyter_book  # noqa: F401
        import myst_nb  # noqa: F401
    except ImportError as exc:
        _need(f"jupyter-book is not importable ({exc})")
    result = build_book_once(tmp_path_factory)
    out = result.html.parents[1]
    if result.returncode != 0:
        pytest.fail(
            f"jupyter-book build -W failed (exit {result.returncode}); log in {out / 'build.log'}\n"
            f"{result.flagged or result.log[-4000:]}",
            pytrace=False,
        )
    return result.html


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _need(f"playwright is not importable ({exc}); `make test` installs it")
    if not CHROMIUM.is_file():
        _need(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def external_links():
    found: set[str] = set()
    yield found
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "external_links.txt").write_text(
        "".join(f"{u}\n" for u in sorted(found)), encoding="utf-8"
    )


class Page:
    """One page opened offline, with what the console and the network said."""

    def __init__(self, browser, url: str, width: int = 1280):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.console: list[str] = []
        self.outside: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on(
            "console", lambda m: self.console.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.console.append(f"uncaught: {e}"))
        self.page.goto(url, wait_until="load")

    def _route(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:  # never the network: an empty answer, noted
            self.outside.append(route.request.url)
            route.fulfill(status=200, body="")

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser):
    opened: list[Page] = []

    def _open(path: Path, width: int = 1280) -> Page:
        page = Page(browser, path.resolve().as_uri(), width)
        opened.append(page)
        return page

    yield _open
    for p in opened:
        p.close()


# --------------------------------------------------------------------------- checks


def _anchors(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        text = path.read_text(encoding="utf-8", errors="replace")
        cache[path] = {html.unescape(m) for m in re.findall(r'\b(?:id|name)="([^"]+)"', text)}
    return cache[path]


def broken_local_links(page_file: Path, hrefs: list[str], external: set[str]) -> list[str]:
    """Resolved hrefs that point to a missing local file or anchor; external ones are collected."""
    broken, cache = [], {}
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https"):
            external.add(href)
            continue
        if parts.scheme != "file":
            continue  # mailto:, javascript:, data:
        target = Path(unquote(parts.path))
        if not target.exists():
            broken.append(f"{href} (no such file)")
            continue
        if target.is_dir():
            target = target / "index.html"
            if not target.is_file():
                broken.append(f"{href} (a folder without index.html)")
                continue
        frag = unquote(parts.fragment)
        if frag and target.suffix == ".html" and frag not in _anchors(target, cache):
            broken.append(f"{href} (no anchor #{frag})")
    return broken


PAGE_REPORT_JS = """() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  return {
    errors: Array.from(document.querySelectorAll(
      '.output.error, .output.traceback, .highlight-ipythontb, .cell_output .traceback'))
      .map(e => e.textContent.slice(0, 300)),
    images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
    hrefs: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    emptyTables: Array.from(document.querySelectorAll('table'))
      .filter(t => t.querySelectorAll('td').length === 0)
      .map(t => (t.id || t.className || 'table') + ': ' + t.textContent.slice(0, 120)),
    title: document.title,
    bodyText: document.body.innerText.length,
  };
}"""


@pytest.mark.book
def test_book_builds_without_warnings(built_book):
    """The session build itself: -W from the notebooks executed once with the CI parameters.

    tests/test_notebooks.py reports each of those runs; the book is built once per test run
    (tests/_bookbuild.py), whichever file needs it first.
    """
    assert (built_book / "index.html").is_file()
    root = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"]
    assert (built_book / f"{root}.html").is_file()


@pytest.mark.parametrize("docname", PAGES)
def test_key_page_renders_without_errors(docname, open_page, built_book, external_links):
    path = built_book / f"{docname}.html"
    assert path.is_file(), f"{docname}.html is not in the build"
    page = open_page(path)
    report = page.page.evaluate(PAGE_REPORT_JS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # the whole page, unless it is very long (the API reference): then the first screen
    tall = page.page.evaluate("() => document.documentElement.scrollHeight") > 20000
    page.page.screenshot(
        path=str(SCREENSHOTS / (docname.replace("/", "__") + ".png")),
        full_page=not tall,
        timeout=120_000,
    )

    problems = []
    if report["bodyText"] < 200:
        problems.append(f"almost no text ({report['bodyText']} characters)")
    problems += [f"error output: {e}" for e in report["errors"]]
    problems += [f"image did not load: {i['src']}" for i in report["images"] if not i["ok"]]
    problems += [
        f"broken link: {b}" for b in broken_local_links(path, report["hrefs"], external_links)
    ]
    problems += [f"empty table: {t}" for t in report["emptyTables"]]
    problems += [f"console error: {c}" for c in unexpected_console(page.console)]
    assert not problems, f"{docname}:\n" + "\n".join(problems)


def _first_notebook_with_exercises(built_book: Path) -> Path:
    for docname in PAGES:
        path = built_book / f"{docname}.html"
        if path.is_file() and 'class="solution' in path.read_text(encoding="utf-8"):
            return path
    pytest.fail("no key page holds an exercise solution", pytrace=False)


def test_exercise_solution_is_hidden_until_its_toggle_is_clicked(open_page, built_book):
    page = open_page(_first_notebook_with_exercises(built_book)).page
    solution = page.locator("div.solution").first
    body = solution.locator("section, div.solution-content, p").last
    assert not body.is_visible(), "a solution is visible before it is opened"
    solution.locator("button.toggle-button, .admonition-title, summary").first.click()
    body.wait_for(state="visible", timeout=5000)
    assert body.is_visible()


def test_scorecard_appendix_filters_by_study_and_verdict(open_page, built_book):
    page = open_page(built_book / "book" / "appendices" / "scorecard.html").page
    table = page.locator("#scorecard-all")
    total = table.locator("tbody tr").count()
    assert total > 0
    count = table.locator(".hccrep-count")
    assert count.inner_text() == f"{total} of {total} rows"
    study_filter = table.locator('select[aria-label="filter by study"]')
    studies = [
        v for v in study_filter.locator("option").evaluate_all("os => os.map(o => o.value)") if v
    ]
    assert studies, "the study filter lists no study"
    study_filter.select_option(studies[0])
    shown = table.locator("tbody tr:visible")
    n = shown.count()
    assert 0 < n <= total
    assert set(shown.locator("td:first-child").all_inner_texts()) == {studies[0]}
    assert count.inner_text() == f"{n} of {total} rows"
    study_filter.select_option("")
    assert table.locator("tbody tr:visible").count() == total


def test_no_page_loads_mathjax_or_any_script_from_the_network(built_book):
    # MathJax is served from _static/mathjax (mathjax_path in _config.yml, hccrep.book)
    remote = {}
    for page in built_book.rglob("*.html"):
        for src in re.findall(
            r'<script[^>]+src="([^"]+)"', page.read_text(encoding="utf-8", errors="replace")
        ):
            if re.match(r"(https?:)?//", src):
                remote.setdefault(src, []).append(str(page.relative_to(built_book)))
    assert not remote, f"scripts loaded from the network: { {k: v[:3] for k, v in remote.items()} }"
    assert (built_book / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_formulas_render_offline_with_the_books_own_mathjax(open_page, built_book):
    page = open_page(built_book / "book" / "methods" / "replicating.html")
    page.page.wait_for_selector("mjx-container", timeout=20_000)
    assert page.page.locator("mjx-container").count() > 0
    raw = page.page.evaluate(
        "() => document.querySelectorAll('.math:not(:has(mjx-container))').length"
    )
    assert raw == 0, f"{raw} formulas left as raw TeX"
    assert not [u for u in page.outside if "mathjax" in u.lower()]


def test_printed_tables_have_cell_padding_and_scroll_in_their_own_box(open_page, built_book):
    # a Styler with a hidden index printed "4723" for n = 47, events = 23 (book/_static/hccrep.css)
    page = open_page(built_book / "book" / "deng2025" / "06_calibration_dca.html").page
    cells = page.evaluate("""() => Array.from(document.querySelectorAll('div.cell_output table td'))
        .map(td => parseFloat(getComputedStyle(td).paddingLeft) + parseFloat(getComputedStyle(td).paddingRight))""")
    assert cells and min(cells) >= 8, (
        f"table cells with less than 8 px of horizontal padding: {min(cells or [0])}"
    )
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('div.cell_output .output.text_html'))
        .map(o => [getComputedStyle(o).overflowX, o.clientHeight])""")
    assert boxes and all(ox == "auto" for ox, _ in boxes)
    assert max(h for _, h in boxes) <= 40 * 16 + 1  # at most 40rem tall


#: What pandas prints for a missing value. A teaching table shows words instead ("—", "not
#: reported", "not reached", "n/a (...)"), set at display with Styler.format(na_rep=...) or
#: fillna; "None" is left out, since a hyper-parameter can be None.
MISSING_MARKERS = {"nan", "NaN", "<NA>", "NaT", "NA"}


def missing_value_cells(page_html: str) -> list[str]:
    """The cells of the tables that code cells printed whose whole text is a missing-value marker."""
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth = 0  # > 0 inside a cell_output
            self.stack: list[bool] = []
            self.cell: list[str] | None = None
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in ("br", "img", "input", "meta", "link", "hr", "col", "wbr"):
                return
            opens = "cell_output" in (dict(attrs).get("class") or "").split()
            self.stack.append(opens)
            self.depth += opens
            if tag in ("td", "th") and self.depth:
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                text = "".join(self.cell).strip()
                if text in MISSING_MARKERS:
                    self.found.append(text)
                self.cell = None
            if self.stack and tag not in ("br", "img", "input", "meta", "link", "hr", "col", "wbr"):
                self.depth -= self.stack.pop()

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Cells()
    parser.feed(page_html)
    return parser.found


def test_missing_value_cells_finds_pandas_markers_in_outputs_only():
    page = (
        "<table><tr><td>nan</td></tr></table>"
        '<div class="cell_output docutils"><div class="output text_html"><table><tbody>'
        "<tr><td>1</td><td>NaN</td><td>—</td><td>None</td><td>not reported</td></tr>"
        "</tbody></table></div></div>"
    )
    assert missing_value_cells(page) == ["NaN"]


def test_no_table_a_notebook_prints_shows_nan(built_book):
    found = {}
    for page in sorted((built_book / "book").rglob("*.html")):
        cells = missing_value_cells(page.read_text(encoding="utf-8", errors="replace"))
        if cells:
            found[str(page.relative_to(built_book))] = len(cells)
    assert not found, f"table cells showing a missing-value marker instead of words: {found}"


def test_code_cells_fit_the_text_column_at_1280px(open_page, built_book):
    # lines of at most 88 characters (tests/test_book_infra.py) at the size hccrep.css sets
    page = open_page(built_book / "book" / "fonc2025" / "04_kaplan_meier.html").page
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('div.cell_input pre'))
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.split('\\n')[0])""")
    assert not wide, f"code cells that scroll sideways at 1280 px: {wide}"


# --------------------------------------------------------------------------- every page, two widths


def all_pages(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every docname of ``_toc.yml``: the root, every chapter and every section."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return list(dict.fromkeys(pages))


ALL_PAGES = all_pages()
#: a desktop window and a phone held upright
WIDTHS = (1280, 400)
#: Smallest text a figure may show once scaled to its place in the page, in CSS pixels.
MIN_FIGURE_TEXT_PX = 8.0
#: Smallest font size (points) that the book's figures draw: the row labels of
#: reported_vs_replicated_plot and the column headers of forest_plot (8.5 pt).
#: tests/test_plots.py (test_figures_keep_their_text_readable_on_a_phone) checks that no
#: figure function draws smaller text, so this bound holds for every figure measured here.
SMALLEST_FIGURE_FONT_PT = 8.5
#: Pages whose tables hold verdicts and reasons in words.
VERDICT_PAGES = [p for p in ALL_PAGES if p.endswith("scorecard") or p.endswith("audit")]

#: Visible text of a page outside code (input cells, literal blocks, the R tabs).
PAGE_WORDS_JS = """() => {
  const hidden = new Set();
  document.querySelectorAll('div.cell_input, div.highlight, pre, code, script, style')
    .forEach(e => hidden.add(e));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    let el = n.parentElement, skip = false;
    for (let a = el; a; a = a.parentElement) if (hidden.has(a)) { skip = true; break; }
    if (skip || !el.getClientRects().length) continue;
    out.push(n.textContent);
  }
  return out.join(' ');
}"""

FIGURES_JS = """() => Array.from(document.querySelectorAll('div.cell_output img, figure img'))
  .filter(i => i.getClientRects().length)
  .map(i => ({src: i.currentSrc || i.src, alt: i.getAttribute('alt') || '',
              shown: i.getBoundingClientRect().width, natural: i.naturalWidth}))"""

CELLS_JS = """() => Array.from(document.querySelectorAll('article table td, article table th'))
  .filter(c => c.getClientRects().length && !c.closest('div.cell_input'))
  .map(c => ({text: c.innerText.trim().slice(0, 60), chars: c.innerText.trim().length,
              width: c.clientWidth, overflow: c.scrollWidth > c.clientWidth + 1,
              longest: Math.max(0, ...c.innerText.split(/\\s+/).map(w => w.length))}))"""


def png_dpi(path: Path) -> float:
    """Dots per inch of a PNG from its ``pHYs`` chunk (matplotlib writes it); 72 without one."""
    import struct

    data = path.read_bytes()
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"pHYs":
            ppx, _ppy, unit = struct.unpack(">IIB", data[pos + 8 : pos + 17])
            return ppx * 0.0254 if unit == 1 else 72.0
        if kind == b"IDAT":
            break
        pos += 12 + length
    return 72.0


def smallest_figure_text_px(shown: float, natural: float, dpi: float) -> float:
    """CSS pixels of the smallest figure font once the image is scaled to ``shown`` pixels.

    >>> round(smallest_figure_text_px(688, 1511, 100), 1)  # a three-panel figure in the column
    5.4
    """
    return SMALLEST_FIGURE_FONT_PT * dpi / 72 * shown / natural


def test_smallest_figure_text_px_by_hand():
    # 10 pt at 100 dpi is 13.9 px; a 2x (200 dpi) PNG shown at half its pixel width is the same
    assert smallest_figure_text_px(500, 500, 72) == SMALLEST_FIGURE_FONT_PT
    assert smallest_figure_text_px(400, 800, 200) == pytest.approx(
        SMALLEST_FIGURE_FONT_PT * 100 / 72
    )


def test_png_dpi_reads_the_phys_chunk(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1))
    for dpi in (100, 200):
        fig.savefig(tmp_path / f"f{dpi}.png", dpi=dpi)
        assert png_dpi(tmp_path / f"f{dpi}.png") == pytest.approx(dpi, abs=0.01)
    plt.close(fig)


def _local_file(built_book: Path, src: str) -> Path | None:
    parts = urlsplit(src)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))


def alt_problem(alt: str) -> str | None:
    """Why an ``alt`` attribute does not describe its image (None when it does)."""
    text = alt.strip()
    if not text:
        return "no alt text"
    if re.search(r"\.(png|svg|jpe?g|gif)$", text, re.I) or re.fullmatch(r"[\w./-]+", text):
        return f"alt text is a file name: {text[:80]}"
    return None


def test_alt_problem_by_hand():
    assert alt_problem("") == "no alt text"
    assert alt_problem("../_build/jupyter_execute/abc123.png").startswith("alt text is a file")
    assert alt_problem("Kaplan-Meier curves of PFS by arm, with numbers at risk") is None


#: The API reference documents NaN as a value functions return ("NaN when ..."): words, not
#: a missing value shown in place of one.
NAN_IN_PROSE = {"book/appendices/api"}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("docname", [p for p in ALL_PAGES if p not in NAN_IN_PROSE])
def test_page_shows_no_nan(docname, width, open_page, built_book):
    path = built_book / f"{docname}.html"
    assert path.is_file(), f"{docname}.html is not in the build"
    words = open_page(path, width).page.evaluate(PAGE_WORDS_JS)
    shown = sorted(set(re.findall(r"(?<![\w.])(?:nan|NaN|NAN)(?![\w(])", words)))
    assert not shown, f"{docname} at {width} px shows {shown} outside code"


def test_every_image_has_alt_text_that_is_not_a_path(built_book):
    bad: dict[str, list[str]] = {}
    img = re.compile(r"<img\b[^>]*>", re.I)
    for docname in ALL_PAGES:
        page_html = (built_book / f"{docname}.html").read_text(encoding="utf-8")
        for tag in img.findall(page_html):
            alt = re.search(r'\balt="([^"]*)"', tag)
            problem = alt_problem(html.unescape(alt.group(1)) if alt else "")
            if problem:
                bad.setdefault(docname, []).append(problem)
    assert not bad, f"images without a text alternative: {bad}"


@pytest.mark.parametrize("width", WIDTHS)
def test_no_figure_text_renders_below_8px(width, open_page, built_book):
    small: list[str] = []
    for docname in ALL_PAGES:
        for fig in open_page(built_book / f"{docname}.html", width).page.evaluate(FIGURES_JS):
            local = _local_file(built_book, fig["src"])
            if local is None or local.suffix.lower() != ".png" or not fig["natural"]:
                continue
            px = smallest_figure_text_px(fig["shown"], fig["natural"], png_dpi(local))
            if px < MIN_FIGURE_TEXT_PX:
                small.append(f"{docname}: {local.name} text {px:.1f} px")
    assert not small, f"figure text below {MIN_FIGURE_TEXT_PX} px at {width} px:\n" + "\n".join(
        small
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("docname", VERDICT_PAGES)
def test_verdict_tables_give_every_column_room_for_its_words(docname, width, open_page, built_book):
    cells = open_page(built_book / f"{docname}.html", width).page.evaluate(CELLS_JS)
    assert cells, f"{docname} shows no table"
    # a cell is too narrow when a word spills out of it, or when a sentence wraps word by word
    # (a column of under 8 characters of 7 px for a text of more than 40 characters)
    narrow = [
        f"{c['text']!r} in {c['width']} px"
        for c in cells
        if c["overflow"] or (c["chars"] > 40 and c["width"] < 8 * 7)
    ]
    assert not narrow, f"{docname} at {width} px: columns narrower than their text: {narrow[:10]}"


# --------------------------------------------------------------------------- download and launch


def _is_notebook_page(docname: str) -> bool:
    md = ROOT / f"{docname}.md"
    return md.is_file() and md.read_text(encoding="utf-8").startswith("---\njupytext:")


NOTEBOOK_PAGES = [p for p in ALL_PAGES if _is_notebook_page(p)]


def test_notebook_pages_download_their_outputs_and_launch_ipynb(built_book):
    """The download button gives the executed notebook; Colab and Binder open its .ipynb.

    The .ipynb the launch buttons name is the copy that ``python -m hccrep.book
    colab-notebooks`` writes beside each MyST notebook and the deploy workflow publishes.
    """
    import nbformat

    assert NOTEBOOK_PAGES, "no MyST notebook in _toc.yml"
    problems = []
    for docname in NOTEBOOK_PAGES:
        page_html = html.unescape((built_book / f"{docname}.html").read_text(encoding="utf-8"))
        urls = re.findall(r"""(?:https?://|\.\./|_sources)[^"'\s<>)]+""", page_html)
        if not any(u.endswith(f"_sources/{docname}.ipynb") for u in urls):
            problems.append(f"{docname}: no download link to _sources/{docname}.ipynb")
        colab = [u for u in urls if u.startswith("https://colab.research.google.com/")]
        binder = [u for u in urls if u.startswith("https://mybinder.org/")]
        if not colab or not all(u.endswith(f"/{docname}.ipynb") for u in colab):
            problems.append(f"{docname}: Colab opens {colab or 'nothing'}")
        if not binder or not all(u.endswith(f"urlpath=lab/tree/{docname}.ipynb") for u in binder):
            problems.append(f"{docname}: Binder opens {binder or 'nothing'}")
        path = built_book / "_sources" / f"{docname}.ipynb"
        if not path.is_file():
            problems.append(f"{docname}: {path.name} is not in the build")
            continue
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if not any(c.get("outputs") for c in code):
            problems.append(f"{docname}: the downloadable notebook has no outputs")
        if not any("colab-setup" in c.metadata.get("tags", []) for c in code):
            problems.append(f"{docname}: the downloadable notebook has no set-up cell")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("docname", VERDICT_PAGES)
def test_verdict_tables_fit_their_box_at_1280px(docname, open_page, built_book):
    # the reason (scorecard) and detail (audit) columns are the last ones: a table wider than
    # its box hides them behind a sideways scroll on a desktop screen (book/_static/hccrep.css,
    # and the full-width tag on the cells that print them)
    page = open_page(built_book / f"{docname}.html", 1280).page
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.hccrep-scorecard, table.hccrep-audit'))
        .filter(t => t.getClientRects().length && t.scrollWidth > t.parentElement.clientWidth + 1)
        .map(t => (t.closest('.hccrep-filter-table') || t).id + ': ' + t.scrollWidth + ' px in '
                  + t.parentElement.clientWidth + ' px')"""
    )
    assert not wide, f"{docname} at 1280 px: verdict tables wider than their box: {wide}"


def test_no_page_scrolls_sideways_on_a_phone(open_page, built_book):
    # wide tables and code scroll inside their own boxes; inline code, headings and the API
    # reference's signatures wrap (book/_static/hccrep.css), so the page itself fits 400 px
    wide = []
    for docname in ALL_PAGES:
        page = open_page(built_book / f"{docname}.html", 400).page
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 401:
            wide.append(f"{docname}: {width} px")
    assert not wide, "pages wider than a 400 px screen:\n" + "\n".join(wide)


def test_printed_output_wraps_instead_of_scrolling_at_1280px(open_page, built_book):
    # a citation or a figure's description printed on one line ran off the page behind a
    # sideways scroll; printed output wraps at the edge of its box (book/_static/hccrep.css)
    wide = []
    for docname in ALL_PAGES:
        page = open_page(built_book / f"{docname}.html", 1280).page
        wide += [
            f"{docname}: {text}"
            for text in page.evaluate(
                """() => Array.from(document.querySelectorAll('div.cell_output pre'))
                .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)
                .map(e => e.textContent.slice(0, 60))"""
            )
        ]
    assert not wide, "printed output that scrolls sideways at 1280 px:\n" + "\n".join(wide[:20])
