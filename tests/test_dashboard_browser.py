"""The dashboard in a real headless Chromium (dash[testing]'s ``dash_duo``).

Chrome options come from ``pytest_setup_options`` in conftest.py (Debian's chromium,
headless); without chromium or chromium-driver these tests fail, saying what to install.
Expected numbers are computed here from ``POSTINGS``, the same rows the snapshot is
built from.
"""

from __future__ import annotations

import datetime as dt

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from analysis.families import CHART_FAMILIES, label
from analysis.queries import months_between
from dashboard.app import create_app
from tests.snapshot_factory import make_snapshot

pytestmark = pytest.mark.browser

FAMILY = {"PyTorch": "classic_ml", "XGBoost": "classic_ml", "MLflow": "mlops",
          "Kubeflow": "mlops", "LLM": "llm", "RAG": "llm", "Python": "other"}

XSS_TEXT = (
    "Acme AI | MLOps Engineer | Remote\n"
    "We run MLflow. <script>window.__xss=1</script>\n"
    '<img src=x onerror="window.__xss=2"> & more'
)

# posting_id, is_ml, [(source, "YYYY-MM")], skills
POSTINGS = [
    ("p01", True, [("hn", "2024-01")], ["PyTorch", "LLM"]),
    ("p02", True, [("hn", "2024-01"), ("hn", "2024-02")], ["XGBoost"]),
    ("p03", True, [("greenhouse", "2024-01")], ["MLflow", "Python"]),
    ("p04", True, [("greenhouse", "2024-01"), ("hn", "2024-01")], ["RAG"]),
    ("p05", False, [("hn", "2024-01")], ["Python"]),
    ("p06", True, [("hn", "2024-02")], ["LLM", "RAG", "Kubeflow"]),
    ("p07", True, [("greenhouse", "2024-02")], ["PyTorch"]),
    ("p08", True, [("greenhouse", "2024-02")], []),
    ("p09", False, [("hn", "2024-03")], ["LLM"]),
    ("p10", True, [("hn", "2024-04")], ["LLM"]),
    ("p11", True, [("greenhouse", "2024-04")], ["PyTorch", "MLflow"]),
    ("xss", True, [("greenhouse", "2024-02")], ["MLflow"]),
]
SOURCES = ["greenhouse", "hn"]


def month(text: str) -> dt.date:
    return dt.date.fromisoformat(f"{text}-01")


def expected(sources=SOURCES, start="2024-01", end="2024-04", bucket=lambda m: m):
    """Counts and family shares per period for a selection, from POSTINGS by hand; a
    period of the selection without ML postings has share None (a gap in the chart).

    ``bucket`` maps a month to the start of its period (identity: monthly points).
    """
    lo, hi = month(start), month(end)
    listed = {(pid, bucket(month(m))) for pid, _, months, _ in POSTINGS for s, m in months
              if s in sources and lo <= month(m) <= hi}
    is_ml = {pid: ml for pid, ml, _, _ in POSTINGS}
    skills = {pid: sk for pid, _, _, sk in POSTINGS}
    ml_listed = {(pid, m) for pid, m in listed if is_ml[pid]}
    shares = {}
    periods = {bucket(m) for m in months_between(lo, hi)}
    for m in sorted(periods):
        ids = {pid for pid, mm in ml_listed if mm == m}
        for family in CHART_FAMILIES:
            hits = {pid for pid in ids if family in {FAMILY[s] for s in skills[pid]}}
            shares[family, m] = len(hits) / len(ids) if ids else None
    return {
        "postings": len({pid for pid, _ in listed}),
        "ml_postings": len({pid for pid, _ in ml_listed}),
        "shares": shares,
    }


def snapshot_rows(postings=POSTINGS):
    return [
        {"posting_id": pid, "is_ml": ml, "months": months,
         "skills": [(s, FAMILY[s]) for s in skills],
         "company": "Acme AI" if pid == "xss" else f"Company {pid}",
         "text": XSS_TEXT if pid == "xss" else f"Company {pid} | ML Engineer | uses {', '.join(skills)}"}
        for pid, ml, months, skills in postings
    ]


@pytest.fixture
def home(tmp_path):
    make_snapshot(tmp_path, snapshot_rows(), built_at="2024-05-02T09:15:00+00:00", demo=True)
    return tmp_path


def chart_shares(dash_duo):
    """{(family, month): share} as plotted by the family chart's line traces."""
    traces = dash_duo.driver.execute_script(
        """
        const gd = document.querySelector('#family-chart .js-plotly-plot');
        if (!gd || !gd.data) return null;
        return gd.data.filter(t => t.fill !== 'toself').map(t => [t.meta, t.x, Array.from(t.y)]);
        """
    )
    if traces is None:
        return None
    return {
        (family, dt.date.fromisoformat(str(x)[:10])): y
        for family, xs, ys in traces
        for x, y in zip(xs, ys)
    }


def wait_for_chart(dash_duo, want):
    def matches():
        got = chart_shares(dash_duo)
        return got is not None and got.keys() == want.keys() and all(
            got[k] is None if want[k] is None else got[k] is not None and abs(got[k] - want[k]) < 1e-9
            for k in want
        )

    until(matches, timeout=10, msg=lambda: f"chart shows {chart_shares(dash_duo)}, want {want}")


def wait_for_counts(dash_duo, want):
    dash_duo.wait_for_text_to_equal("#freshness-postings", str(want["postings"]), timeout=10)
    dash_duo.wait_for_text_to_equal("#freshness-ml-postings", str(want["ml_postings"]), timeout=10)


def test_overview_renders_chart_counts_and_demo_banner(dash_duo, home):
    dash_duo.start_server(create_app(home))
    want = expected()
    assert None in want["shares"].values()  # March has no ML posting: a gap, not a line across it

    dash_duo.wait_for_element("#family-chart .js-plotly-plot", timeout=15)
    wait_for_counts(dash_duo, want)
    wait_for_chart(dash_duo, want["shares"])
    # one band and one line per family actually drawn as SVG
    traces = dash_duo.find_elements("#family-chart .scatterlayer .trace")
    assert len(traces) == 2 * len(CHART_FAMILIES)
    assert len(dash_duo.find_elements("#family-chart .scatterlayer .trace path.js-fill")) == len(CHART_FAMILIES)
    assert dash_duo.find_elements("#family-chart .scatterlayer .trace path.js-line")
    legend = dash_duo.find_element("#family-chart .legend").text
    assert all(label(f) in legend for f in CHART_FAMILIES)

    # for screen readers: the box groups named by their labels, the chart by a summary in words
    groups = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('[role=group]'))"
        ".map(g => document.getElementById(g.getAttribute('aria-labelledby')).textContent)")
    assert groups == ["Sources", "Points per"]
    summary = dash_duo.find_element("#family-chart-figure").get_attribute("aria-label")
    assert summary.startswith("Share of ML postings mentioning each family.") and label("llm") in summary
    assert "Showing generated demo data, not real job postings." in dash_duo.find_element("#demo-banner").text
    assert "02 May 2024, 09:15 UTC" in dash_duo.find_element("#overview-freshness").text
    table = dash_duo.find_element("#top-skills").text
    assert "PyTorch" in table and "MLflow" in table
    assert dash_duo.get_logs() == []


def test_source_filter_updates_chart_and_counts(dash_duo, home):
    dash_duo.start_server(create_app(home))
    wait_for_counts(dash_duo, expected())

    dash_duo.find_element("#overview-sources input[value='greenhouse']").click()
    only_hn = expected(sources=["hn"])
    assert only_hn != expected()  # the fixture must make the filter visible
    wait_for_counts(dash_duo, only_hn)
    wait_for_chart(dash_duo, only_hn["shares"])

    dash_duo.find_element("#overview-sources input[value='hn']").click()
    dash_duo.wait_for_text_to_equal("#chart-empty", "Choose at least one source.", timeout=10)
    wait_for_counts(dash_duo, {"postings": 0, "ml_postings": 0})
    assert not dash_duo.find_elements("#family-chart")
    assert dash_duo.get_logs() == []


def test_date_range_updates_chart_and_counts(dash_duo, home):
    dash_duo.start_server(create_app(home))
    wait_for_counts(dash_duo, expected())

    dash_duo.select_dcc_dropdown("#overview-start", value="Feb 2024")
    later = expected(start="2024-02")
    wait_for_counts(dash_duo, later)
    wait_for_chart(dash_duo, later["shares"])

    dash_duo.select_dcc_dropdown("#overview-end", value="Mar 2024")
    dash_duo.select_dcc_dropdown("#overview-start", value="Mar 2024")
    march = expected(start="2024-03", end="2024-03")
    assert march["ml_postings"] == 0 and march["postings"] > 0
    dash_duo.wait_for_text_to_equal("#chart-empty", "No ML postings in this range.", timeout=10)
    wait_for_counts(dash_duo, march)
    assert dash_duo.get_logs() == []


def test_posting_text_is_shown_as_literal_text(dash_duo, home):
    dash_duo.start_server(create_app(home))
    dash_duo.wait_for_element("#top-skills", timeout=15)
    dash_duo.wait_for_contains_text("#overview-examples", "LLM", timeout=10)
    assert "Acme AI" not in dash_duo.find_element("#overview-examples").text

    # clicking a skill in the top-skills table picks it for the examples
    cell = next(
        c for c in dash_duo.find_elements("#top-skills td[data-dash-column='skill']") if c.text == "MLflow"
    )
    cell.click()
    dash_duo.wait_for_contains_text("#overview-examples", "Acme AI", timeout=10)

    shown = dash_duo.find_element("#overview-examples").text
    assert "<script>window.__xss=1</script>" in shown
    assert '<img src=x onerror="window.__xss=2">' in shown
    assert dash_duo.find_elements("#overview-examples img") == []
    assert dash_duo.find_elements("#overview-examples script") == []
    assert dash_duo.driver.execute_script("return document.querySelectorAll('img[onerror]').length") == 0
    assert dash_duo.driver.execute_script("return window.__xss") is None


def test_example_picker_dropdown(dash_duo, home):
    dash_duo.start_server(create_app(home))
    dash_duo.wait_for_element("#example-pick", timeout=15)
    # The chart above the picker moves it down when it is drawn: a click aimed before that
    # once landed on the chart (failed once in a full run, with "click intercepted").
    wait_for_chart(dash_duo, expected()["shares"])
    dash_duo.select_dcc_dropdown("#example-pick", value=f"{label('mlops')} (any {label('mlops')} skill)")
    dash_duo.wait_for_contains_text("#overview-examples", "Acme AI", timeout=10)
    shown = dash_duo.find_element("#overview-examples").text
    mlops_ids = {pid for pid, ml, _, skills in POSTINGS if ml and any(FAMILY[s] == "mlops" for s in skills)}
    for pid in mlops_ids - {"xss"}:
        assert f"Company {pid}" in shown
    assert "Company p01" not in shown
    assert dash_duo.driver.execute_script("return window.__xss") is None


def test_no_snapshot_says_what_to_run(dash_duo, tmp_path):
    dash_duo.start_server(create_app(tmp_path))
    dash_duo.wait_for_contains_text("#overview-missing", "skilltrends etl", timeout=15)
    assert dash_duo.get_logs() == []


def test_unknown_path_shows_not_found(dash_duo, home):
    dash_duo.start_server(create_app(home))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/no/such/page")
    dash_duo.wait_for_contains_text("main", "Page not found", timeout=10)


def test_resolution_switch_regroups_the_points(dash_duo, home):
    dash_duo.start_server(create_app(home))
    wait_for_chart(dash_duo, expected()["shares"])
    dash_duo.find_element("#overview-resolution input[value='quarter']").click()
    by_quarter = expected(bucket=lambda m: m.replace(month=(m.month - 1) // 3 * 3 + 1))
    wait_for_chart(dash_duo, by_quarter["shares"])
    assert {m for _, m in by_quarter["shares"]} == {dt.date(2024, 1, 1), dt.date(2024, 4, 1)}

    dash_duo.select_dcc_dropdown("#overview-start", value="Feb 2024")
    quarter = lambda m: m.replace(month=(m.month - 1) // 3 * 3 + 1)  # noqa: E731
    wait_for_chart(dash_duo, expected(start="2024-02", bucket=quarter)["shares"])
    covers = dash_duo.driver.execute_script(
        "const gd = document.querySelector('#family-chart .js-plotly-plot');"
        "return gd.data.filter(t => t.fill !== 'toself').map(t => t.customdata.map(c => c[4]));")
    assert covers == [["Feb–Mar 2024", "Apr 2024"]] * len(CHART_FAMILIES)  # the first quarter is cut by From
    assert dash_duo.get_logs() == []


def shown_selection(dash_duo):
    """(From, To, ticked sources, resolution) as the controls show them, read in one go (the
    page may be rebuilt between two reads)."""
    shown = dash_duo.driver.execute_script(
        """
        const text = id => { const e = document.getElementById(id); return e ? e.innerText.trim() : null; };
        const checked = sel => Array.from(document.querySelectorAll(sel)).filter(b => b.checked).map(b => b.value);
        return [text('overview-start'), text('overview-end'), checked('#overview-sources input'),
                checked('#overview-resolution input')[0] || null];
        """
    )
    return tuple(shown)


def wait_for_selection(dash_duo, want):
    until(lambda: shown_selection(dash_duo) == want, timeout=10,
          msg=lambda: f"controls show {shown_selection(dash_duo)}, want {want}")


def wait_for_address(dash_duo, search):
    until(lambda: dash_duo.driver.execute_script("return window.location.search") == search, timeout=10,
          msg=lambda: f"address has {dash_duo.driver.execute_script('return window.location.search')!r}, "
                      f"want {search!r}")


def test_the_address_holds_the_view_for_back_reload_and_bookmarks(dash_duo, home):
    quarter = lambda m: m.replace(month=(m.month - 1) // 3 * 3 + 1)  # noqa: E731
    dash_duo.start_server(create_app(home))
    wait_for_chart(dash_duo, expected()["shares"])
    wait_for_address(dash_duo, "")

    dash_duo.select_dcc_dropdown("#overview-start", value="Feb 2024")
    wait_for_address(dash_duo, "?start=2024-02")
    dash_duo.find_element("#overview-resolution input[value='quarter']").click()
    wait_for_address(dash_duo, "?start=2024-02&resolution=quarter")
    wait_for_chart(dash_duo, expected(start="2024-02", bucket=quarter)["shares"])

    dash_duo.driver.back()  # undoes the last change only, inside the app
    wait_for_address(dash_duo, "?start=2024-02")
    wait_for_selection(dash_duo, ("Feb 2024", "Apr 2024", SOURCES, "month"))
    wait_for_chart(dash_duo, expected(start="2024-02")["shares"])
    dash_duo.driver.forward()
    wait_for_selection(dash_duo, ("Feb 2024", "Apr 2024", SOURCES, "quarter"))
    wait_for_chart(dash_duo, expected(start="2024-02", bucket=quarter)["shares"])

    dash_duo.driver.refresh()
    wait_for_selection(dash_duo, ("Feb 2024", "Apr 2024", SOURCES, "quarter"))
    wait_for_chart(dash_duo, expected(start="2024-02", bucket=quarter)["shares"])

    dash_duo.wait_for_page(f"{dash_duo.server_url}/?start=2024-01&end=2024-02&sources=hn")
    wait_for_selection(dash_duo, ("Jan 2024", "Feb 2024", ["hn"], "month"))
    want = expected(sources=["hn"], end="2024-02")
    wait_for_counts(dash_duo, want)
    wait_for_chart(dash_duo, want["shares"])
    assert dash_duo.get_logs() == []


def test_a_page_says_when_newer_data_offers_more_months_or_sources(dash_duo, home):
    dash_duo.start_server(create_app(home))
    wait_for_chart(dash_duo, expected()["shares"])
    dash_duo.find_element("#overview-resolution input[value='quarter']").click()
    dash_duo.wait_for_element("#top-skills", timeout=10)
    assert not dash_duo.find_elements("#overview-newer")  # a rebuild with the same months says nothing

    make_snapshot(home, snapshot_rows([*POSTINGS, ("p12", True, [("lever", "2024-05")], ["LLM"])]), demo=True)
    dash_duo.find_element("#overview-resolution input[value='month']").click()
    dash_duo.wait_for_contains_text("#overview-newer", "reload the page", timeout=10)
    dash_duo.find_element("#overview-reload").click()
    wait_for_selection(dash_duo, ("Jan 2024", "May 2024", [*SOURCES, "lever"], "month"))
    assert not dash_duo.find_elements("#overview-newer")
    assert dash_duo.get_logs() == []


def test_clicking_the_same_skill_again_picks_it_again(dash_duo, home):
    dash_duo.start_server(create_app(home))
    wait_for_chart(dash_duo, expected()["shares"])

    def click_skill(name):
        next(c for c in dash_duo.find_elements("#top-skills td[data-dash-column='skill']") if c.text == name).click()

    click_skill("MLflow")
    dash_duo.wait_for_contains_text("#overview-examples", "mentioning MLflow", timeout=10)
    # picked from the keyboard: the list of options, opened by a mouse here, lies under its
    # own search box (the click is intercepted)
    dash_duo.find_element("#example-pick").click()
    search = dash_duo.wait_for_element("input.dash-dropdown-search", timeout=5)  # in a popover, not in #example-pick
    search.send_keys(f"any {label('llm')} skill")
    search.send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#overview-examples", f"mentioning {label('llm')}", timeout=10)
    click_skill("MLflow")
    dash_duo.wait_for_contains_text("#overview-examples", "mentioning MLflow", timeout=10)
    assert dash_duo.get_logs() == []


def test_a_phone_wide_screen_scrolls_the_table_not_the_page(dash_duo, home):
    dash_duo.start_server(create_app(home))
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.wait_for_element("#top-skills", timeout=15)
    width = dash_duo.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"
