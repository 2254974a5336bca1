"""Figure builders and widgets, without the app: frames in, figures/components out."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
import pytest
from dash import html

from analysis.families import CHART_FAMILIES, label
from analysis.shares import family_shares, top_skills
from analysis.queries import Freshness
from dashboard.components import demo_banner, empty_state, freshness_line, posting_card, top_skills_table
from dashboard.figures import family_share_figure, family_share_summary
from dashboard.theme import FAMILY_COLOURS

MONTHS = [dt.date(2024, m, 1) for m in (1, 2, 3, 5)]


def _shares_frame(months=MONTHS):
    """A share frame built by hand: distinct numbers per (month, family)."""
    rows = []
    for i, month in enumerate(months):
        for j, family in enumerate(CHART_FAMILIES):
            total = 20 + i
            postings = (3 * i + 5 * j) % total
            rows.append(
                {
                    "month": month,
                    "family": family,
                    "postings": postings,
                    "total": total,
                    "share": postings / total,
                    "ci_low": max(0.0, postings / total - 0.05 - 0.01 * j),
                    "ci_high": min(1.0, postings / total + 0.07 + 0.01 * i),
                }
            )
    return pl.DataFrame(rows)


def _traces_by_name(figure: go.Figure):
    return {trace.name: trace for trace in figure.data}


def test_one_line_and_one_band_per_family_with_the_right_points():
    frame = _shares_frame()
    figure = family_share_figure(frame.sample(fraction=1.0, shuffle=True, seed=1))

    assert len(figure.data) == 2 * len(CHART_FAMILIES)
    lines = [t for t in figure.data if t.fill is None]
    bands = [t for t in figure.data if t.fill == "toself"]
    assert [t.meta for t in lines] == list(CHART_FAMILIES)
    assert len(bands) == len(CHART_FAMILIES)

    traces = _traces_by_name(figure)
    for family in CHART_FAMILIES:
        rows = [r for r in frame.iter_rows(named=True) if r["family"] == family]
        rows.sort(key=lambda r: r["month"])
        months = [r["month"] for r in rows]

        line = traces[label(family)]
        assert list(line.x) == months
        assert list(line.y) == pytest.approx([r["share"] for r in rows])
        assert line.line.color == FAMILY_COLOURS[family]
        assert [list(c[:2]) for c in line.customdata] == [[r["postings"], r["total"]] for r in rows]

        band = traces[f"{family} 95% CI"]
        assert list(band.x) == months + months[::-1]
        assert list(band.y) == pytest.approx(
            [r["ci_high"] for r in rows] + [r["ci_low"] for r in reversed(rows)]
        )
        assert band.showlegend is False and band.hoverinfo == "skip"


def test_band_precedes_its_line_so_the_line_draws_on_top():
    names = [t.name for t in family_share_figure(_shares_frame()).data]
    for family in CHART_FAMILIES:
        assert names.index(f"{family} 95% CI") == names.index(label(family)) - 1


def test_absent_families_are_skipped_and_other_is_not_charted():
    frame = _shares_frame().filter(pl.col("family") != "mlops")
    frame = pl.concat([frame, frame.filter(pl.col("family") == "llm").with_columns(family=pl.lit("other"))])
    figure = family_share_figure(frame)
    assert [t.meta for t in figure.data if t.fill is None] == ["classic_ml", "llm"]


def test_figure_from_family_shares_output_and_lazy_frames():
    rows = pl.DataFrame(
        {
            "posting_id": ["a", "b", "c", "a"],
            "month": [MONTHS[0], MONTHS[0], MONTHS[1], MONTHS[1]],
            "families": [["llm"], ["classic_ml", "llm"], None, ["llm"]],
            "skills": [None, None, None, None],
        },
        schema_overrides={"skills": pl.List(pl.Struct({"skill": pl.String, "family": pl.String}))},
    )
    shares = family_shares(rows)
    figure = family_share_figure(shares.lazy())
    llm = _traces_by_name(figure)[label("llm")]
    # Jan: a, b both mention llm (2/2); Feb: a of a, c (1/2)
    assert list(llm.y) == [2 / 2, 1 / 2]
    assert figure.layout.yaxis.tickformat == ".0%"


@pytest.mark.parametrize("months,dtick", [
    (MONTHS, "M1"),
    ([dt.date(2023, m, 1) for m in (1, 4, 7, 10)] + [dt.date(2024, 1, 1)], "M3"),  # quarters
    ([dt.date(year, 1, 1) for year in (2023, 2024, 2025)], "M12"),  # years
    ([dt.date(2020 + i // 12, i % 12 + 1, 1) for i in range(30)], None),  # Plotly's choice
])
def test_one_tick_per_period_for_a_dozen_points_or_fewer(months, dtick):
    xaxis = family_share_figure(_shares_frame(months)).layout.xaxis
    assert xaxis.dtick == dtick
    if dtick:
        assert xaxis.tick0 == months[0]


@pytest.mark.parametrize("resolution,date_format", [("month", "%b %Y"), ("quarter", "Q%q %Y"), ("year", "%Y")])
def test_axis_and_hover_write_a_point_as_the_period_it_covers(resolution, date_format):
    xaxis = family_share_figure(_shares_frame(), resolution=resolution).layout.xaxis
    assert (xaxis.tickformat, xaxis.hoverformat) == (date_format, date_format)


def test_the_share_axis_leaves_room_for_markers_at_0_and_100_percent():
    frame = _shares_frame().with_columns(share=pl.lit(1.0), ci_low=pl.lit(0.0), ci_high=pl.lit(1.0))
    low, high = family_share_figure(frame).layout.yaxis.range
    assert low < 0 and 1.0 < high < 1.1  # no tick above 100%


def test_a_period_without_ml_postings_is_a_gap_in_line_and_band():
    frame = _shares_frame().with_columns(
        [pl.when(pl.col("month") == MONTHS[1]).then(None).otherwise(pl.col(c)).alias(c)
         for c in ("share", "ci_low", "ci_high")]
    )
    traces = _traces_by_name(family_share_figure(frame))
    for family in CHART_FAMILIES:
        rows = sorted((r for r in frame.iter_rows(named=True) if r["family"] == family), key=lambda r: r["month"])
        assert list(traces[label(family)].y)[1] is None  # Plotly leaves a gap (connectgaps is off)
        band = traces[f"{family} 95% CI"]
        rest = rows[2:]  # the month before the gap stands alone (an error bar); those after form a band
        assert list(band.x) == [*[r["month"] for r in rest], *[r["month"] for r in reversed(rest)]]
        assert list(band.y) == pytest.approx([*[r["ci_high"] for r in rest], *[r["ci_low"] for r in reversed(rest)]])


def test_a_point_alone_between_gaps_shows_its_interval_as_an_error_bar():
    quarters = [dt.date(2022, 10, 1), dt.date(2023, 1, 1), dt.date(2023, 4, 1), dt.date(2023, 7, 1)]
    frame = _shares_frame(quarters).with_columns(
        [pl.when(pl.col("month").is_in([quarters[1], quarters[3]])).then(None).otherwise(pl.col(c)).alias(c)
         for c in ("share", "ci_low", "ci_high")]
    )
    traces = _traces_by_name(family_share_figure(frame))
    for family in CHART_FAMILIES:
        rows = sorted((r for r in frame.iter_rows(named=True) if r["family"] == family), key=lambda r: r["month"])
        assert list(traces[f"{family} 95% CI"].x) == []  # no polygon of two vertices, which draws nothing
        bars = traces[label(family)].error_y
        assert bars.visible and bars.symmetric is False
        assert list(bars.array) == pytest.approx(
            [rows[0]["ci_high"] - rows[0]["share"], None, rows[2]["ci_high"] - rows[2]["share"], None])
        assert list(bars.arrayminus) == pytest.approx(
            [rows[0]["share"] - rows[0]["ci_low"], None, rows[2]["share"] - rows[2]["ci_low"], None])
    # Points with neighbours keep their band and no error bars.
    assert not _traces_by_name(family_share_figure(_shares_frame()))[label("llm")].error_y.visible


def test_hover_names_the_months_a_point_covers():
    figure = family_share_figure(_shares_frame(), period_labels={MONTHS[0]: "Feb–Mar 2024"})
    line = _traces_by_name(figure)[label("llm")]
    assert [c[4] for c in line.customdata] == ["Feb–Mar 2024", "Feb 2024", "Mar 2024", "May 2024"]
    assert "%{customdata[4]}" in line.hovertemplate


def test_figure_rejects_frames_without_share_columns():
    with pytest.raises(ValueError, match="ci_low"):
        family_share_figure(_shares_frame().drop("ci_low"))


def _find(component, kind):
    """Every component of type ``kind`` in a Dash component tree."""
    found = [component] if isinstance(component, kind) else []
    children = getattr(component, "children", None)
    if children is None:
        return found
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, str):
            found += _find(child, kind)
    return found


def test_posting_card_shows_text_as_a_plain_string():
    text = 'Hi <script>window.__xss=1</script>\n<img src=x onerror="window.__xss=2">'
    card = posting_card(
        {"company": "<b>Acme</b>", "title": "ML Eng", "month": MONTHS[0], "url": "https://example.com/1",
         "text": text, "evidence": "<i>RAG</i> pipelines."}
    )
    (pre,) = _find(card, html.Pre)
    assert pre.children == text  # a string child: React renders it as text, escaped
    assert not _find(card, html.Img) and not _find(card, html.Script)
    assert "dangerously_allow_html" not in repr(card)
    (link,) = _find(card, html.A)
    assert link.href == "https://example.com/1" and link.rel == "noopener noreferrer"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "", None])
def test_posting_card_drops_links_that_are_not_http(url):
    card = posting_card({"company": "A", "title": "B", "month": MONTHS[0], "url": url, "text": "t"})
    assert _find(card, html.A) == []


def test_top_skills_table_rows():
    rows = pl.DataFrame(
        {
            "posting_id": ["a", "b", "c"],
            "month": [MONTHS[0]] * 3,
            "families": [None] * 3,
            "skills": [
                [{"skill": "RAG", "family": "llm"}, {"skill": "MLflow", "family": "mlops"}],
                [{"skill": "RAG", "family": "llm"}],
                None,
            ],
        }
    )
    table = top_skills_table(top_skills(rows, 10))
    assert [(r["skill"], r["family"], r["postings"], r["total"]) for r in table.data] == [
        ("RAG", label("llm"), 2, 3),
        ("MLflow", label("mlops"), 1, 3),
    ]
    numeric = {column["id"] for column in table.columns if column.get("type") == "numeric"}
    assert {"share", "ci_low", "ci_high", "postings", "total"} <= numeric  # sorted as numbers, not as text
    assert table.data[0]["share"] == pytest.approx(2 / 3)
    assert 0 < table.data[0]["ci_low"] < 2 / 3 < table.data[0]["ci_high"] < 1


def test_demo_banner():
    assert demo_banner(False) is None
    assert demo_banner(True).children == "Showing generated demo data, not real job postings."


def _text(component) -> str:
    """The text a component shows, children flattened."""
    if isinstance(component, str):
        return component
    if isinstance(component, (list, tuple)):
        return "".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _text(children)


@pytest.mark.parametrize("postings, ml, said", [
    (1, 1, "rests on 1 posting, 1 of them an ML posting, listed"),
    (2, 0, "rests on 2 postings, 0 of them ML postings, listed"),
    (1234, 5, "rests on 1,234 postings, 5 of them ML postings, listed"),
])
def test_freshness_line_counts_in_words(postings, ml, said):
    fresh = Freshness(built_at=None, postings=postings, ml_postings=ml, demo=False)
    assert said in _text(freshness_line(fresh, "2024-01-01", "2024-02-01"))


def test_empty_state_shows_backticked_commands_as_code():
    box = empty_state("No published snapshot in /x: run `skilltrends etl` first.", "Odd ` tick")
    message, hint = box.children
    assert [type(c).__name__ for c in message.children] == ["str", "Code", "str"]
    assert message.children[1].children == "skilltrends etl"
    assert _text(box) == "No published snapshot in /x: run skilltrends etl first.Odd ` tick"


def test_the_chart_in_words_gives_each_familys_first_and_last_share():
    frame = _shares_frame()
    covered = {MONTHS[0]: "Jan 2024", MONTHS[-1]: "May 2024"}
    summary = family_share_summary(frame, covered)
    for family in CHART_FAMILIES:
        rows = frame.filter(pl.col("family") == family).sort("month")
        first, last = rows["share"][0], rows["share"][-1]
        assert f"{label(family)}: {first:.0%} in Jan 2024, {last:.0%} in May 2024." in summary
    empty = frame.with_columns(share=pl.lit(None, dtype=pl.Float64))
    assert family_share_summary(empty).endswith("no period with ML postings.")


def test_the_chart_in_words_skips_periods_without_ml_postings_and_never_rounds_to_0_or_100():
    frame = pl.DataFrame({"month": MONTHS, "family": ["llm"] * 4, "postings": [0, 1, 199, 0],
                          "total": [0, 400, 200, 0], "share": [None, 1 / 400, 199 / 200, None],
                          "ci_low": [None, 0.0, 0.9, None], "ci_high": [None, 0.1, 1.0, None]})
    assert family_share_summary(frame).endswith(f"{label('llm')}: under 1% in Feb 2024, over 99% in Mar 2024.")
