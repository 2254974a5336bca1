"""analysis.shares and analysis.queries: counts checked against hand counts of the inputs."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import duckdb
import polars as pl
import pytest

from analysis import queries
from analysis.families import CHART_FAMILIES
from analysis.shares import family_shares, skill_shares, top_skills, wilson_interval
from analysis.snapshot import SnapshotMissing, SnapshotUnreadable, open_snapshot
from etl.schema import migrate
from tests.snapshot_factory import make_snapshot

SKILLS = {
    "PyTorch": "classic_ml",
    "scikit-learn": "classic_ml",
    "MLflow": "mlops",
    "Kubeflow": "mlops",
    "LLM": "llm",
    "RAG": "llm",
    "LangChain": "llm",
    "Python": "other",
}
MONTHS = [dt.date(2023, m, 1) for m in range(1, 7)]


# --- Wilson interval: Polars expressions vs the SQL macros of the snapshot -------------


def test_wilson_interval_agrees_with_sql_macros():
    pairs = [(k, n) for n in range(0, 41) for k in range(0, n + 1)]
    pairs += [(0, 1000), (1, 1000), (500, 1000), (999, 1000), (1000, 1000), (17, 12345), (12000, 12345)]
    frame = pl.DataFrame({"k": [k for k, _ in pairs], "n": [n for _, n in pairs]})
    low, high = wilson_interval(pl.col("k"), pl.col("n"))
    ours = frame.with_columns(low=low, high=high)

    conn = duckdb.connect()
    migrate(conn)
    conn.execute("CREATE TABLE kn (i INTEGER, k BIGINT, n BIGINT)")
    conn.executemany("INSERT INTO kn VALUES (?, ?, ?)", [[i, k, n] for i, (k, n) in enumerate(pairs)])
    sql = conn.execute("SELECT wilson_low(k, n), wilson_high(k, n) FROM kn ORDER BY i").fetchall()

    assert len(sql) == ours.height
    for (k, n, our_low, our_high), (sql_low, sql_high) in zip(ours.iter_rows(), sql):
        if n == 0:
            assert our_low is None and our_high is None and sql_low is None and sql_high is None
            continue
        assert our_low == pytest.approx(sql_low, abs=1e-12), (k, n)
        assert our_high == pytest.approx(sql_high, abs=1e-12), (k, n)
        assert our_low <= k / n <= our_high
        assert 0.0 <= sql_low <= sql_high <= 1.0, (k, n)
        if k == 0:
            assert sql_low == 0.0 and our_low == 0.0, (k, n)  # a month without a posting has no share above 0
        if k == n:
            assert sql_high == 1.0 and our_high == 1.0, (k, n)


def test_family_shares_give_periods_without_ml_postings_a_null_share():
    rows = pl.DataFrame(
        {"posting_id": ["a", "b"], "month": [MONTHS[0], MONTHS[2]], "families": [["llm"], []],
         "skills": [None, None]},
        schema_overrides={"skills": pl.List(pl.Struct({"skill": pl.String, "family": pl.String}))},
    )
    filled = family_shares(rows, periods=MONTHS[:4])
    assert filled["month"].unique().sort().to_list() == MONTHS[:4]
    by_month = {(r["month"], r["family"]): r for r in filled.iter_rows(named=True)}
    assert by_month[MONTHS[0], "llm"]["share"] == 1.0 and by_month[MONTHS[2], "llm"]["share"] == 0.0
    for month in (MONTHS[1], MONTHS[3]):
        for family in CHART_FAMILIES:
            row = by_month[month, family]
            got = (row["postings"], row["total"], row["share"], row["ci_low"], row["ci_high"])
            assert got == (0, 0, None, None, None)
    assert family_shares(rows)["month"].unique().sort().to_list() == [MONTHS[0], MONTHS[2]]


@pytest.mark.parametrize("resolution,start,end,starts,first_covers,last_covers", [
    ("month", "2022-11", "2023-02", ["2022-11", "2022-12", "2023-01", "2023-02"],
     ("2022-11", "2022-11"), ("2023-02", "2023-02")),
    ("quarter", "2022-02", "2022-10", ["2022-01", "2022-04", "2022-07", "2022-10"],
     ("2022-02", "2022-03"), ("2022-10", "2022-10")),
    ("quarter", "2022-04", "2022-06", ["2022-04"], ("2022-04", "2022-06"), ("2022-04", "2022-06")),
    ("year", "2022-02", "2024-04", ["2022-01", "2023-01", "2024-01"], ("2022-02", "2022-12"), ("2024-01", "2024-04")),
])
def test_period_starts_and_the_months_each_covers(resolution, start, end, starts, first_covers, last_covers):
    from analysis.shares import period_months, period_starts

    lo, hi = queries.to_month(start), queries.to_month(end)
    got = period_starts(lo, hi, resolution)
    assert got == [queries.to_month(m) for m in starts]
    assert period_months(got[0], resolution, lo, hi) == tuple(map(queries.to_month, first_covers))
    assert period_months(got[-1], resolution, lo, hi) == tuple(map(queries.to_month, last_covers))
    with pytest.raises(ValueError, match="resolution"):
        period_starts(lo, hi, "week")


@pytest.mark.parametrize("k, n", [(7, 5), (-1, 4), (1, -3), (0, -1), (None, 5), (3, None)])
def test_wilson_interval_of_counts_that_cannot_be_is_null_in_python_and_sql(k, n):
    low, high = wilson_interval(pl.lit(k, dtype=pl.Int64), pl.lit(n, dtype=pl.Int64))
    assert pl.select(low=low, high=high).row(0) == (None, None)
    conn = duckdb.connect()
    migrate(conn)
    assert conn.execute("SELECT wilson_low(?::BIGINT, ?::BIGINT), wilson_high(?::BIGINT, ?::BIGINT)",
                        [k, n, k, n]).fetchone() == (None, None)


def test_wilson_interval_known_textbook_value():
    # Wilson (1927) / Newcombe (1998) table: 81 of 263 → 0.2553 to 0.3662.
    low, high = wilson_interval(pl.lit(81), pl.lit(263))
    got = pl.select(low=low, high=high).row(0)
    assert got == pytest.approx((0.2553, 0.3662), abs=5e-5)


# --- shares on a hand-built frame, checked against plain-Python counts ----------------


def _random_rows(seed: int = 11):
    """Per-(posting, month) rows with some postings in several months and duplicates."""
    rng = random.Random(seed)
    rows = []
    for i in range(60):
        skills = rng.sample(sorted(SKILLS), rng.randint(0, 4))
        for month in rng.sample(MONTHS, rng.randint(1, 3)):
            rows.append((f"p{i}", month, skills))
    rows.append(rows[0])  # the same posting listed twice in one month counts once
    return rows


def _frame(rows):
    return pl.DataFrame(
        {
            "posting_id": [r[0] for r in rows],
            "month": [r[1] for r in rows],
            "families": [sorted({SKILLS[s] for s in r[2]}) or None for r in rows],
            "skills": [[{"skill": s, "family": SKILLS[s]} for s in r[2]] or None for r in rows],
        },
        schema={
            "posting_id": pl.String,
            "month": pl.Date,
            "families": pl.List(pl.String),
            "skills": pl.List(pl.Struct({"skill": pl.String, "family": pl.String})),
        },
    )


def _hand_counts(rows):
    in_month = defaultdict(set)
    with_family = defaultdict(set)
    with_skill = defaultdict(set)
    for posting_id, month, skills in rows:
        in_month[month].add(posting_id)
        for skill in skills:
            with_family[month, SKILLS[skill]].add(posting_id)
            with_skill[month, skill].add(posting_id)
    return in_month, with_family, with_skill


def test_family_shares_match_hand_counts():
    rows = _random_rows()
    in_month, with_family, _ = _hand_counts(rows)

    result = family_shares(_frame(rows))

    expected = {
        (month, family): (len(with_family[month, family]), len(in_month[month]))
        for month in in_month
        for family in CHART_FAMILIES
    }
    got = {(r["month"], r["family"]): (r["postings"], r["total"]) for r in result.iter_rows(named=True)}
    assert got == expected
    for r in result.iter_rows(named=True):
        assert r["share"] == pytest.approx(r["postings"] / r["total"])
        assert r["ci_low"] <= r["share"] <= r["ci_high"]
    # sorted by month, then family order
    assert result["month"].to_list() == sorted(result["month"].to_list())
    first_month = result.filter(pl.col("month") == result["month"].min())
    assert first_month["family"].to_list() == list(CHART_FAMILIES)


def test_family_shares_can_include_other_and_reports_zero_months():
    rows = [("a", MONTHS[0], ["Python"]), ("b", MONTHS[1], [])]
    result = family_shares(_frame(rows), families=["llm", "other"])
    got = {(r["month"], r["family"]): r["postings"] for r in result.iter_rows(named=True)}
    assert got == {(MONTHS[0], "llm"): 0, (MONTHS[0], "other"): 1, (MONTHS[1], "llm"): 0, (MONTHS[1], "other"): 0}


def test_skill_shares_match_hand_counts():
    rows = _random_rows(seed=5) + [("later", dt.date(2024, 1, 1), ["LLM"])]
    in_month, _, with_skill = _hand_counts(rows)

    result = skill_shares(_frame(rows))

    mentioned = {skill for _, skill in with_skill}
    # every skill mentioned at all, in every month: 0 where that month has no mention
    expected = {
        (month, skill): (len(with_skill.get((month, skill), ())), len(in_month[month]))
        for month in in_month for skill in mentioned
    }
    assert any(postings == 0 for postings, _ in expected.values())  # the data must have such a month
    got = {(r["month"], r["skill"]): (r["postings"], r["total"]) for r in result.iter_rows(named=True)}
    assert got == expected and result.height == len(expected)
    assert result.filter(pl.col("postings") == 0)["ci_low"].to_list() == [0.0] * (result["postings"] == 0).sum()
    assert all(SKILLS[r["skill"]] == r["family"] for r in result.iter_rows(named=True))


def test_top_skills_counts_each_posting_once_over_the_period():
    rows = _random_rows(seed=3)
    everyone = {r[0] for r in rows}
    mentioning = defaultdict(set)
    for posting_id, _, skills in rows:
        for skill in skills:
            mentioning[skill].add(posting_id)
    ranking = sorted(mentioning, key=lambda s: (-len(mentioning[s]), s))

    result = top_skills(_frame(rows), n=5)

    assert result["skill"].to_list() == ranking[:5]
    for r in result.iter_rows(named=True):
        assert (r["postings"], r["total"]) == (len(mentioning[r["skill"]]), len(everyone))
        assert r["share"] == pytest.approx(len(mentioning[r["skill"]]) / len(everyone))
        assert r["ci_low"] <= r["share"] <= r["ci_high"]

    only_llm = top_skills(_frame(rows), n=50, families=["llm"])
    assert set(only_llm["skill"]) == {s for s in mentioning if SKILLS[s] == "llm"}


def test_shares_accept_lazy_frames_and_reject_missing_columns():
    rows = _random_rows()
    assert family_shares(_frame(rows).lazy()).equals(family_shares(_frame(rows)))
    with pytest.raises(ValueError, match="skills"):
        family_shares(_frame(rows).drop("skills"))


# --- queries on a snapshot: filters, parameters, freshness, examples ------------------

SNAPSHOT_POSTINGS = [
    # posting_id, is_ml, [(source, month)], skills
    ("a", True, [("hn", "2023-01"), ("hn", "2023-02")], ["PyTorch", "LLM"]),
    ("b", True, [("greenhouse", "2023-01")], ["MLflow"]),
    ("c", True, [("hn", "2023-02"), ("greenhouse", "2023-02")], []),
    ("d", False, [("hn", "2023-02")], ["Python", "LLM"]),
    ("e", True, [("o'reilly \"x\"; DROP TABLE postings; --", "2023-03")], ["RAG", "Kubeflow"]),
    ("f", True, [("greenhouse", "2023-03"), ("hn", "2023-04")], ["LangChain", "Python"]),
    ("g", False, [("greenhouse", "2023-04")], []),
]
ALL_SOURCES = sorted({s for p in SNAPSHOT_POSTINGS for s, _ in p[2]})


@pytest.fixture
def snapshot_home(tmp_path):
    make_snapshot(
        tmp_path,
        [
            {"posting_id": pid, "is_ml": ml, "months": [(s, m) for s, m in months],
             "skills": [(s, SKILLS[s]) for s in skills], "text": f"posting {pid} <b>text</b>"}
            for pid, ml, months, skills in SNAPSHOT_POSTINGS
        ],
        built_at="2024-05-01T08:30:00+00:00",
        demo=True,
    )
    return tmp_path


def _selected(sources, start, end, ml_only):
    start, end = queries.to_month(start), queries.to_month(end)
    return {
        (pid, queries.to_month(m))
        for pid, ml, months, _ in SNAPSHOT_POSTINGS
        for s, m in months
        if s in sources and start <= queries.to_month(m) <= end and (ml or not ml_only)
    }


@pytest.mark.parametrize(
    "sources,start,end",
    [
        (ALL_SOURCES, "2023-01", "2023-12"),
        (["hn"], "2023-01", "2023-12"),
        (["greenhouse"], "2023-02", "2023-03"),
        (["hn", "greenhouse"], "2023-02-01", "2023-02-01"),
        ([ALL_SOURCES[-1]], "2023-01", "2023-12"),
        ([], "2023-01", "2023-12"),
        (["nowhere"], "2023-01", "2023-12"),
    ],
)
def test_ml_posting_months_filters_by_source_and_range(snapshot_home, sources, start, end):
    with open_snapshot(snapshot_home) as conn:
        frame = queries.ml_posting_months(conn, start, end, sources)
        fresh = queries.freshness(conn, start, end, sources)
    expected = _selected(sources, start, end, ml_only=True)
    assert set(zip(frame["posting_id"], frame["month"])) == expected
    assert frame.height == len(expected)  # one row per (posting, month), even across sources
    assert fresh.ml_postings == len({pid for pid, _ in expected})
    assert fresh.postings == len({pid for pid, _ in _selected(sources, start, end, ml_only=False)})


def test_none_sources_means_all(snapshot_home):
    with open_snapshot(snapshot_home) as conn:
        assert queries.available_sources(conn) == ALL_SOURCES
        everything = queries.ml_posting_months(conn, "2023-01", "2023-12")
        explicit = queries.ml_posting_months(conn, "2023-01", "2023-12", ALL_SOURCES)
    assert everything.equals(explicit)


def test_source_with_quotes_is_a_value_not_sql(snapshot_home):
    odd = "o'reilly \"x\"; DROP TABLE postings; --"
    with open_snapshot(snapshot_home) as conn:
        frame = queries.ml_posting_months(conn, "2023-01", "2023-12", [odd])
        examples = queries.example_postings(conn, "2023-01", "2023-12", [odd], skill="RAG")
        assert conn.execute("SELECT count(*) FROM postings").fetchone()[0] == len(SNAPSHOT_POSTINGS)
    assert frame["posting_id"].to_list() == ["e"]
    assert examples["posting_id"].to_list() == ["e"]


def test_families_and_skills_lists(snapshot_home):
    with open_snapshot(snapshot_home) as conn:
        frame = queries.ml_posting_months(conn, "2023-01", "2023-12", ALL_SOURCES)
    for row in frame.iter_rows(named=True):
        skills = next(p[3] for p in SNAPSHOT_POSTINGS if p[0] == row["posting_id"])
        assert sorted(row["families"] or []) == sorted({SKILLS[s] for s in skills})
        assert sorted(s["skill"] for s in row["skills"] or []) == sorted(skills)


def test_family_shares_from_snapshot_match_the_published_table(snapshot_home):
    """All sources together, analysis over base tables == monthly_family_share (SQL)."""
    with open_snapshot(snapshot_home) as conn:
        crawled = [month for (month,) in conn.execute("SELECT DISTINCT month FROM posting_months").fetchall()]
        ours = family_shares(queries.ml_posting_months(conn, "2000-01", "2100-12"), periods=crawled)
        table = pl.from_arrow(
            conn.sql(
                "SELECT * FROM monthly_family_share WHERE family <> 'other' ORDER BY month, family"
            ).to_arrow_table()
        )
    ours = ours.sort("month", "family")
    assert ours.select("month", "family", "postings", "total").equals(
        table.select("month", "family", "postings", "total")
    )
    for a, b in zip(ours["ci_high"], table["ci_high"]):
        assert a == b if a is None or b is None else a == pytest.approx(b, abs=1e-12)


def test_freshness_reads_meta(snapshot_home):
    with open_snapshot(snapshot_home) as conn:
        fresh = queries.freshness(conn, "2023-01", "2023-12", ALL_SOURCES)
    assert fresh.demo is True
    assert fresh.built_at == dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.timezone.utc)


def test_freshness_not_demo(tmp_path):
    make_snapshot(tmp_path, [{"posting_id": "x", "months": ["2023-01"]}], demo=False)
    with open_snapshot(tmp_path) as conn:
        assert queries.freshness(conn, "2023-01", "2023-01").demo is False


@pytest.mark.parametrize(
    "pick,sources,start,end",
    [
        ({"family": "llm"}, ALL_SOURCES, "2023-01", "2023-12"),
        ({"family": "llm"}, ["hn"], "2023-03", "2023-12"),
        ({"family": "mlops"}, ["greenhouse"], "2023-01", "2023-12"),
        ({"skill": "LLM"}, ALL_SOURCES, "2023-01", "2023-12"),
        ({"skill": "Python"}, ALL_SOURCES, "2023-01", "2023-12"),
    ],
)
def test_example_postings_filter(snapshot_home, pick, sources, start, end):
    (kind, value), = pick.items()
    matches = lambda skills: value in ({SKILLS[s] for s in skills} if kind == "family" else set(skills))  # noqa: E731
    selected = _selected(sources, start, end, ml_only=True)
    expected = {pid for pid, _ in selected if matches(next(p[3] for p in SNAPSHOT_POSTINGS if p[0] == pid))}
    latest = {pid: max(m for p, m in selected if p == pid) for pid in expected}

    with open_snapshot(snapshot_home) as conn:
        found = queries.example_postings(conn, start, end, sources, limit=10, **pick)

    assert set(found["posting_id"]) == expected
    assert {r["posting_id"]: r["month"] for r in found.iter_rows(named=True)} == latest
    assert found["month"].to_list() == sorted(found["month"].to_list(), reverse=True)
    assert all(t == f"posting {pid} <b>text</b>" for pid, t in zip(found["posting_id"], found["text"]))


def test_an_example_links_the_listing_of_the_month_it_is_shown_for(tmp_path):
    """One posting on two boards of the same source, listed in February on one and in March
    on the other: shown for February, it links February's listing, not the one seen last."""
    path = make_snapshot(tmp_path, [{"posting_id": "a", "source": "greenhouse", "url": "https://x/other/2",
                                     "months": ["2023-02", "2023-03"], "skills": [("RAG", "llm")]}])
    path.chmod(0o644)
    with duckdb.connect(str(path)) as conn:
        conn.execute("UPDATE listings SET last_seen = TIMESTAMP '2023-03-20'")
        conn.execute("INSERT INTO listings (source, source_id, url, posting_id, month, last_seen) "
                     "VALUES ('greenhouse', 'a-acme', 'https://x/acme/1', 'a', DATE '2023-02-01', "
                     "TIMESTAMP '2023-02-20')")
    with open_snapshot(tmp_path) as conn:
        february = queries.example_postings(conn, "2023-02", "2023-02", ["greenhouse"], skill="RAG")
        both = queries.example_postings(conn, "2023-02", "2023-03", ["greenhouse"], skill="RAG")
    assert february.select("month", "url").rows() == [(dt.date(2023, 2, 1), "https://x/acme/1")]
    assert both.select("month", "url").rows() == [(dt.date(2023, 3, 1), "https://x/other/2")]


def test_example_postings_name_and_link_the_source_chosen(tmp_path):
    """A posting on HN and on Remotive, shown with Remotive selected, names Remotive and links
    to Remotive's listing (its terms ask for both); with both selected, the source of its
    latest month."""
    remotive_url = "https://remotive.com/remote-jobs/ai/ai-engineer-1"
    make_snapshot(tmp_path, [
        {"posting_id": "a", "months": ["2024-03", ("remotive", "2024-05")], "skills": [("RAG", "llm")],
         "url": "https://news.ycombinator.com/item?id=1", "urls": {"remotive": remotive_url}},
        {"posting_id": "b", "source": "remotive", "months": ["2024-04"], "skills": [("RAG", "llm")],
         "url": "https://remotive.com/remote-jobs/ai/b"},
        {"posting_id": "c", "months": ["2024-04", ("himalayas", "2024-04")], "skills": [("RAG", "llm")]},
    ])

    def shown(sources, start="2024-01", end="2024-12"):
        with open_snapshot(tmp_path) as conn:
            found = queries.example_postings(conn, start, end, sources, skill="RAG")
        return {r["posting_id"]: (r["source"], r["url"]) for r in found.iter_rows(named=True)}

    assert shown(["remotive"]) == {"a": ("remotive", remotive_url),
                                   "b": ("remotive", "https://remotive.com/remote-jobs/ai/b")}
    assert shown(["hn"]) == {"a": ("hn", "https://news.ycombinator.com/item?id=1"),
                             "c": ("hn", "https://news.ycombinator.com/item?id=c")}
    assert shown(["hn", "remotive"], end="2024-04") == {
        "a": ("hn", "https://news.ycombinator.com/item?id=1"),
        "b": ("remotive", "https://remotive.com/remote-jobs/ai/b"),
        "c": ("hn", "https://news.ycombinator.com/item?id=c")}
    assert shown(None)["a"] == ("remotive", remotive_url)
    assert shown(None)["c"] == ("hn", "https://news.ycombinator.com/item?id=c")  # a tie: its own source
    assert shown(["himalayas"]) == {"c": ("himalayas", None)}  # never another source's link under its name


def test_example_postings_limit_and_arguments(snapshot_home):
    with open_snapshot(snapshot_home) as conn:
        assert queries.example_postings(conn, "2023-01", "2023-12", family="llm", limit=1).height == 1
        with pytest.raises(ValueError):
            queries.example_postings(conn, "2023-01", "2023-12")
        with pytest.raises(ValueError):
            queries.example_postings(conn, "2023-01", "2023-12", family="llm", skill="LLM")


def test_month_helpers(snapshot_home):
    with open_snapshot(snapshot_home) as conn:
        first, last = queries.month_range(conn)
    months = sorted({queries.to_month(m) for p in SNAPSHOT_POSTINGS for _, m in p[2]})
    assert (first, last) == (months[0], months[-1])
    between = queries.months_between(first, last)
    assert between[0] == first and between[-1] == last
    assert len(between) == (last.year - first.year) * 12 + last.month - first.month + 1
    assert queries.months_between("2023-05", "2023-04") == []
    assert queries.to_month("2023-07-19") == dt.date(2023, 7, 1)
    with pytest.raises(ValueError):
        queries.to_month("July")


def test_open_snapshot_is_read_only(snapshot_home):
    with open_snapshot(snapshot_home) as conn:
        with pytest.raises(duckdb.Error):
            conn.execute("DELETE FROM postings")


def test_missing_snapshot_says_what_to_run(tmp_path):
    with pytest.raises(SnapshotMissing) as error:
        open_snapshot(tmp_path)
    message = str(error.value)
    assert "skilltrends etl" in message and "skilltrends demo" in message


def test_a_snapshot_open_in_this_process_with_other_settings_is_a_clear_error(tmp_path):
    make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2023-01"]}])
    researcher = duckdb.connect(str(tmp_path / "snapshot.duckdb"), read_only=True)  # as docs/schema.md shows
    try:
        with pytest.raises(SnapshotUnreadable, match="cannot be opened: this process already holds it open.*close that connection"):
            open_snapshot(tmp_path)
    finally:
        researcher.close()
    with open_snapshot(tmp_path) as conn:
        assert conn.execute("SELECT posting_id FROM postings").fetchall() == [("a",)]


def test_open_snapshot_follows_the_pointer(tmp_path):
    make_snapshot(tmp_path, [{"posting_id": "old", "months": ["2023-01"]}])
    with open_snapshot(tmp_path) as conn:
        assert conn.execute("SELECT posting_id FROM postings").fetchall() == [("old",)]
    make_snapshot(tmp_path, [{"posting_id": "new", "months": ["2023-01"]}])
    with open_snapshot(tmp_path) as conn:
        assert conn.execute("SELECT posting_id FROM postings").fetchall() == [("new",)]


def test_by_period_counts_a_posting_once_per_quarter():
    from datetime import date

    import polars as pl

    from analysis.shares import by_period, family_shares

    rows = pl.DataFrame({
        "posting_id": ["a", "a", "b", "c"],
        "month": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)],
        "families": [["llm"], ["llm"], ["mlops"], ["llm"]],
        "skills": [[], [], [], []],
    }, schema_overrides={"skills": pl.List(pl.Struct({"skill": pl.String, "family": pl.String}))})
    quarterly = family_shares(by_period(rows, "quarter")).filter(pl.col("family") == "llm")
    # Q1: a (listed twice) and b → 1 of 2 mention llm; Q2: c → 1 of 1.
    assert quarterly.select("month", "postings", "total").rows() == [
        (date(2024, 1, 1), 1, 2), (date(2024, 4, 1), 1, 1)]
