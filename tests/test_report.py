"""The HTML report: its sections, every number linked to its quotes, offline, escaped, rendered.

The shipped corpus is analysed once for the module (``coder="rules"`` keeps it
quick); the escaping test builds a tiny project of its own. The last tests open
the page in headless Chromium (Debian's ``chromium``, installed here when
missing; skipped with the reason only where it cannot be installed).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner

from qualbst.cli import cli
from qualbst.pipeline import analyse, load_project, run
from qualbst.report import build_report, write_report

from .conftest import ROOT, write_project

NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?%?$")


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def analysis() -> Any:
    project = load_project(
        interviews=ROOT / "interviews", codebook=ROOT / "codebook", codings=ROOT / "codings"
    )
    return analyse(project, coder="rules")


@pytest.fixture(scope="module")
def page(analysis: Any) -> str:
    return build_report(analysis)


@pytest.fixture(scope="module")
def tree(page: str) -> Any:
    return lxml.html.fromstring(page)


@pytest.fixture(scope="module")
def report_file(analysis: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(analysis, tmp_path_factory.mktemp("report") / "report.html")


def _by_id(tree: Any) -> dict[str, Any]:
    return {element.get("id"): element for element in tree.iter() if element.get("id")}


def _quotes(target: Any) -> list[str]:
    """The quoted segment texts inside a link target (evidence list or transcript)."""
    quotes = [_norm(q.text_content()) for q in target.iter("q")]
    if not quotes:  # a transcript: its segments are spans whose id is the segment id
        quotes = [_norm(s.text_content()) for s in target.iter("span") if ":" in (s.get("id") or "")]
    return quotes


def test_sections_are_all_there(tree: Any) -> None:
    ids = _by_id(tree)
    for section in [
        "corpus",
        "codebook",
        "frequencies",
        "reliability",
        "graph",
        "analyses",
        "fit",
        "factors",
        "obstacles",
        "replication",
        "findings",
        "figures",
        "expected",
        "evidence",
        "transcripts",
    ]:
        assert section in ids, section
    for table in [
        "corpus-table",
        "codebook-table",
        "frequency-table",
        "reliability-table",
        "links-table",
        "centrality-table",
        "chains-table",
        "reciprocal-table",
        "pooled-table",
        "fit-table",
        "factor-matrix",
        "factor-table",
        "obstacle-table",
        "findings-table",
        "figures-table",
    ]:
        assert ids[table].tag == "table", table
        assert ids[table].findall(".//tbody/tr"), f"{table} has no rows"


def test_reliability_states_its_unit(tree: Any) -> None:
    text = _norm(_by_id(tree)["reliability"].text_content())
    assert "Unit: segment" in text
    assert "coder-a, coder-b" in text


@pytest.mark.parametrize(
    "table_id", ["factor-table", "reliability-table", "obstacle-table", "frequency-table"]
)
def test_every_number_links_to_real_quotes(tree: Any, analysis: Any, table_id: str) -> None:
    ids = _by_id(tree)
    texts = {_norm(str(t)) for t in analysis.project.segments["text"]}
    checked = 0
    for cell in ids[table_id].iter("td"):
        text = cell.text_content().strip()
        if not NUMBER.match(text) or text == "0":  # a zero has no quotes to show
            continue
        links = [a for a in cell.iter("a") if (a.get("href") or "").startswith("#")]
        assert links, f"{table_id}: the number {text} is not a link"
        assert links[0].text_content().strip() == text
        target = ids.get(links[0].get("href")[1:])
        assert target is not None, f"{table_id}: {text} links to a missing anchor {links[0].get('href')}"
        quotes = _quotes(target)
        assert quotes, f"{table_id}: {text} links to {links[0].get('href')}, which has no quotes"
        assert set(quotes) <= texts, f"{table_id}: quotes not in the segments: {set(quotes) - texts}"
        checked += 1
    assert checked >= 10


def test_counts_match_the_quotes_they_link_to(tree: Any, analysis: Any) -> None:
    ids = _by_id(tree)
    factors = analysis.tables["factors"]
    rows = ids["factor-table"].findall(".//tbody/tr")
    assert len(rows) == len(factors)
    for row, record in zip(rows, factors.to_dict("records"), strict=True):
        cells = row.findall("td")
        segments, informants = cells[3], cells[4]
        target = ids[segments.find(".//a").get("href")[1:]]
        assert len(target.findall(".//li")) == record["segments"]
        assert len(target.find_class("grp")) == record["informants"]
        assert informants.find(".//a").get("href") == segments.find(".//a").get("href")
        wanted = {_norm(t) for t in analysis.project.segments.set_index("segment").loc[
            record["segment_ids"].split(";"), "text"]}  # fmt: skip
        assert set(_quotes(target)) == wanted
    reliability = analysis.tables["reliability"]
    for row, record in zip(
        ids["reliability-table"].findall(".//tbody/tr"), reliability.to_dict("records"), strict=True
    ):
        if record["code"].startswith("("):
            continue
        coded = row.findall("td")[2].find(".//a")
        assert len(ids[coded.get("href")[1:]].findall(".//li")) == record["coded_units"]


def test_code_count_per_informant_links_to_that_informants_quotes(tree: Any) -> None:
    ids = _by_id(tree)
    headers = [th.text_content().strip() for th in ids["frequency-table"].iter("th")]
    first = ids["frequency-table"].find(".//tbody/tr")
    for header, cell in zip(headers[1:], first.findall("td")[1:], strict=False):
        link = cell.find(".//a")
        if link is None or not header.startswith("Inform"):
            continue
        group = ids[link.get("href")[1:]]
        assert group.get("class") == "grp"
        assert group.find(".//h4").text_content().startswith(header)
        assert len(group.findall(".//li")) == int(cell.text_content())


def test_every_internal_link_resolves_and_every_segment_has_its_anchor(
    tree: Any, page: str, analysis: Any
) -> None:
    ids = _by_id(tree)
    hrefs = {a.get("href") for a in tree.iter("a") if (a.get("href") or "").startswith("#")}
    missing = sorted(h for h in hrefs if h[1:] not in ids)
    assert not missing, missing[:10]
    for segment in analysis.project.segments["segment"]:
        assert segment in ids, segment


def test_nothing_is_loaded_from_elsewhere(page: str, tree: Any) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, flags=re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import|@font-face", page, flags=re.IGNORECASE)
    for element in tree.iter("link", "img", "iframe", "object", "embed"):
        pytest.fail(f"unexpected <{element.tag}> in the report")
    for script in tree.iter("script"):
        assert script.get("src") is None


def test_graph_is_inline_svg_linked_to_quotes(tree: Any, analysis: Any) -> None:
    ids = _by_id(tree)
    svg = ids["graph-svg"]
    assert svg.tag == "svg"
    edges = [a for a in svg.iter("a") if "edge" in (a.get("class") or "")]
    assert len(edges) == analysis.graph.number_of_edges()
    for edge in edges:
        target = ids[edge.get("href")[1:]]
        assert _quotes(target)
    assert {n.get("id") for n in svg.iter("g") if (n.get("id") or "").startswith("node-")} == {
        f"node-{n}" for n in analysis.graph.nodes
    }


def test_write_report_writes_the_page(report_file: Path, page: str) -> None:
    assert report_file.read_text(encoding="utf-8") == page
    assert len(page.encode("utf-8")) < 4_000_000  # each quote set once: a page, not a dump


def test_transcript_text_is_escaped(tmp_path: Path) -> None:
    folders = write_project(tmp_path)
    doc = folders["interviews"] / "doc-a.md"
    text = (
        doc.read_text(encoding="utf-8").replace("informant: Informan 1", 'informant: "Informan <b>1</b>"')
        + 'I1: Lihat <script>alert("x")</script> & <img src=x onerror=alert(1)> saja.\n'
    )
    doc.write_text(text, encoding="utf-8")
    project = load_project(
        interviews=folders["interviews"], codebook=folders["codebook"], codings=folders["codings"]
    )
    analysis = analyse(project, coder="rules")
    page = build_report(analysis)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x" in page
    assert "Informan <b>1</b>" not in page and "Informan &lt;b&gt;1&lt;/b&gt;" in page
    tree = lxml.html.fromstring(page)
    assert len(list(tree.iter("script"))) == 1  # ours
    assert not list(tree.iter("img"))
    # one human coder: reliability is reported as not computed, with the reason
    assert "Not computed" in _by_id(tree)["reliability"].text_content()


def test_project_without_codings_still_gives_a_page(tmp_path: Path) -> None:
    folders = write_project(tmp_path)
    (folders["codings"] / "coder-a.csv").unlink()
    project = load_project(
        interviews=folders["interviews"], codebook=folders["codebook"], codings=folders["codings"]
    )
    tree = lxml.html.fromstring(build_report(analyse(project, coder="none")))
    ids = _by_id(tree)
    for section in ("reliability", "factors", "obstacles", "analyses"):
        assert "Not computed" in ids[section].text_content(), section
    assert "graph-svg" in ids  # an empty graph is still drawn
    notes = tree.find_class("notes")[0].text_content()
    assert "reliability needs two coders" in notes
    hrefs = {a.get("href") for a in tree.iter("a") if (a.get("href") or "").startswith("#")}
    assert all(h[1:] in ids for h in hrefs)
    for segment in project.segments["segment"]:
        assert segment in ids


def test_cli_report_and_run_write_report_html(project: dict[str, Path]) -> None:
    common = [f"--{k}={v}" for k, v in project.items()]
    result = CliRunner().invoke(cli, ["report", *common])
    assert result.exit_code == 0, result.output
    written = project["out"] / "report.html"
    assert str(written) in result.output
    assert "<svg" in written.read_text(encoding="utf-8")
    out = project["out"].parent / "run"
    files = run(**{k: v for k, v in project.items() if k != "out"}, out=out, coder="rules").files
    assert out / "report.html" in files
    assert (out / "report.html").stat().st_size > 0


def test_page_says_how_the_machine_codings_were_made(tree: Any, analysis: Any) -> None:
    assert set(analysis.machine_coders) == {"auto:rules"}  # the fixture runs the rule coder only
    lines = [_norm(li.text_content()) for li in tree.xpath("//div[@class='machine']//li")]
    assert lines == [f"auto:rules: {analysis.machine_coders['auto:rules']}"]


def test_cli_report_passes_train_coder_to_the_model(project: dict[str, Path]) -> None:
    """--train-coder reaches the training: the errors name the coder given (the tiny project cannot train)."""
    common = [f"--{k}={v}" for k, v in project.items()]
    for coder, message in (
        ("nobody", "coder 'nobody' has no codings to train a model on"),
        ("coder-a", "coder 'coder-a' has too few examples of every code to train a model"),
    ):
        result = CliRunner().invoke(cli, ["report", *common, "--coder", "model", "--train-coder", coder])
        assert result.exit_code == 1, result.output
        assert message in result.output
    assert not (project["out"] / "report.html").exists()


# ---------------------------------------------------------------- Chromium


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _install_chromium() -> str:
    """Install Debian's chromium with apt-get; return '' on success, else why not."""
    apt = shutil.which("apt-get")
    if apt is None:
        return "no apt-get on this machine"
    if getattr(os, "geteuid", lambda: -1)() != 0:
        return "not root, so apt-get cannot install it (run: sudo apt-get install chromium)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "-q", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=120"]
    try:
        result = subprocess.run([*install, "chromium"], env=env, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:  # the package lists may be missing or stale
            subprocess.run([apt, "update", "-q"], env=env, capture_output=True, text=True, timeout=300)
            result = subprocess.run(
                [*install, "chromium"], env=env, capture_output=True, text=True, timeout=900
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"apt-get failed: {exc}"
    if result.returncode != 0:
        return f"apt-get install chromium exited {result.returncode}: {result.stderr.strip()[-300:]}"
    return ""


@pytest.fixture(scope="session")
def chromium() -> str:
    """Headless Chromium: found, or installed with apt-get; the test is skipped only if neither works."""
    found = _find_chromium()
    if found is None:
        why = _install_chromium()
        found = _find_chromium()
        if found is None:
            pytest.skip(f"headless Chromium is missing and could not be installed: {why or 'not found'}")
    return found


def _open(chromium: str, page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={profile}",
        *extra,
        page.resolve().as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_chromium_renders_graph_and_factor_table(
    chromium: str, report_file: Path, analysis: Any, tmp_path: Path, javascript: bool
) -> None:
    opened = report_file
    if not javascript:  # the page as a browser with scripts off sees it (--dump-dom itself needs them on)
        opened = tmp_path / "no-script.html"
        text = report_file.read_text(encoding="utf-8")
        opened.write_text(re.sub(r"<script>.*?</script>", "", text, flags=re.DOTALL), encoding="utf-8")
    result = _open(chromium, opened, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Uncaught" not in result.stderr, result.stderr[-2000:]
    dom = lxml.html.fromstring(result.stdout)
    ids = _by_id(dom)
    svg = ids["graph-svg"]
    edges = [a for a in svg.iter("a") if "edge" in (a.get("class") or "")]
    assert len(edges) == analysis.graph.number_of_edges() > 0
    assert len([p for p in svg.iter("path") if "line" in (p.get("class") or "")]) == len(edges)
    rows = ids["factor-table"].findall(".//tbody/tr")
    assert len(rows) == len(analysis.tables["factors"])
    assert "factor.inhibiting.internal" in ids["factor-matrix"].text_content()
    sortable = [th for th in dom.iter("th") if th.get("title") == "sort"]
    assert bool(sortable) is javascript  # the script ran (and only when allowed to)


def test_chromium_script_shows_quotes_in_a_panel(chromium: str, report_file: Path, tmp_path: Path) -> None:
    clicked = tmp_path / "clicked.html"
    click = "<script>document.querySelector('#frequency-table a.n').click();</script></body>"
    clicked.write_text(report_file.read_text(encoding="utf-8").replace("</body>", click), encoding="utf-8")
    result = _open(chromium, clicked, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Uncaught" not in result.stderr, result.stderr[-2000:]
    panel = _by_id(lxml.html.fromstring(result.stdout))["panel"]
    assert panel.get("open") is not None
    assert panel.find(".//h3") is not None and _quotes(panel)


def test_chromium_screenshot(chromium: str, report_file: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    result = _open(
        chromium, report_file, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a page with text and tables, not a blank one


def test_fit_table_is_the_written_summary(tree: Any, analysis: Any) -> None:
    summary = analysis.tables["coordination-fit-summary"]
    links = analysis.tables["coordination-fit"]
    assert summary["links"].tolist() == [int((links["type"] == t).sum()) for t in summary["type"]]
    assert summary["fitting"].tolist() == [
        int(links.loc[links["type"] == t, "fit"].sum()) for t in summary["type"]
    ]
    rows = _by_id(tree)["fit-table"].findall(".//tbody/tr")
    shown = [[_norm(td.text_content()) for td in row.findall("td")] for row in rows]
    assert [r[0] for r in shown] == summary["type"].tolist()
    assert [(int(r[2]), int(r[3])) for r in shown] == list(
        zip(summary["links"], summary["fitting"], strict=True)
    )
