"""The ETL end to end on landing files: idempotence, increments, dedup, publishing."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl
import pytest

from crawlers.items import PostingItem
from crawlers.landing import LandingWriter, new_run_id, seen_row
from etl.normalize import MAX_NAME_CHARS, MAX_TEXT_CHARS
from etl import pipeline
from etl.pipeline import NoLandingData, run_etl
from etl.publish import publish_snapshot
from skilltrends.home import Home
from tests.helpers import snapshot_rows
from tests.landing_factory import board_item, hn_item, write_landing

ML_POST = ("Acme | Senior ML Engineer | Boston, MA | REMOTE<p>We train PyTorch models and deploy them "
           "with MLflow on Kubernetes. RAG with LangChain is a plus.")
WEB_POST = "Shopz | Frontend Developer | Berlin<p>React, TypeScript and Python. Our go-to-market team is great."
DS_POST = "Ledgerly | Data Scientist | London<p>Statistics, scikit-learn and XGBoost. SQL daily."


def table_dump(home: Home) -> dict[str, list[tuple]]:
    tables = ["listings", "postings", "posting_skills", "posting_months", "monthly_family_share",
              "monthly_skill_share"]
    return {t: sorted(snapshot_rows(home, f"SELECT * FROM {t}"), key=repr) for t in tables}


@pytest.fixture
def home(tmp_path) -> Home:
    return Home.resolve(tmp_path)


def test_no_landing_data_is_a_clear_error(home):
    home.root.mkdir(exist_ok=True)
    with pytest.raises(NoLandingData, match="skilltrends crawl hn"):
        run_etl(home)
    assert list(home.root.iterdir()) == []  # no warehouse or lock file left for nothing


def test_loads_normalizes_and_tags(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03"), hn_item(2, WEB_POST, "2024-03")])
    report = run_etl(home)
    assert (report.runs_loaded, report.listings_read, report.new_postings) == (1, 2, 2)
    rows = snapshot_rows(home, "SELECT company, title, location, remote, is_ml, families FROM postings ORDER BY company")
    assert rows == [
        ("Acme", "Senior ML Engineer", "Boston, MA", True, True, ["classic_ml", "llm", "mlops", "other"]),
        ("Shopz", "Frontend Developer", "Berlin", None, False, ["other"]),
    ]
    skills = {s for (s,) in snapshot_rows(home, "SELECT skill FROM posting_skills")}
    assert {"PyTorch", "MLflow", "Kubernetes", "LangChain", "RAG", "React", "TypeScript", "Python"} <= skills
    assert "Go" not in skills  # "go-to-market"
    start, end, evidence, text = snapshot_rows(
        home, "SELECT s.start, s.\"end\", s.evidence, p.text FROM posting_skills s JOIN postings p USING (posting_id) "
              "WHERE skill = 'PyTorch'")[0]
    assert text[start:end] == "PyTorch" and "PyTorch" in evidence


def test_old_hn_literal_line_breaks_are_line_breaks_and_elsewhere_text(home):
    old_hn = "Boston - Rails developer\\nWe use Ruby/JRuby,\\nJava and MySQL"
    board = "<p>Ops engineer. Our Windows boxes keep logs in C:\\nginx\\logs, Java services.</p>"
    write_landing(home.root, [hn_item(1, old_hn, "2011-04")])
    run_id = new_run_id()
    writer = LandingWriter(home.landing_file("greenhouse", run_id), run_id, "greenhouse")
    writer.write([PostingItem(source="greenhouse", source_id="7", url="https://example.com/jobs/7", html=board,
                              board="acme", title="Ops engineer")])
    writer.close("finished", 0, {"test": True})
    run_etl(home)
    texts = dict(snapshot_rows(home, "SELECT source, text FROM postings"))
    assert texts["hn"] == "Boston - Rails developer\nWe use Ruby/JRuby,\nJava and MySQL"
    assert "C:\\nginx\\logs" in texts["greenhouse"]
    skills = {s for (s,) in snapshot_rows(home, "SELECT skill FROM posting_skills s JOIN postings p USING (posting_id) "
                                               "WHERE p.source = 'hn'")}
    assert {"Java", "MySQL"} <= skills


def write_board_landing(home: Home, source: str, jobs: list[dict]) -> None:
    run_id = new_run_id()
    writer = LandingWriter(home.landing_file(source, run_id), run_id, source)
    writer.write([PostingItem(source=source, **{"url": f"https://example.com/jobs/{job['source_id']}", **job})
                  for job in jobs])
    writer.close("finished", 0, {"test": True})


BOARD_TEXT = "<p>You will train PyTorch models and deploy them with MLflow. Python and SQL daily.</p>"


def test_board_postings_are_one_posting_per_text_and_title(home):
    write_board_landing(home, "greenhouse", [
        # The same job listed for two cities: one posting.
        dict(source_id="1", html=BOARD_TEXT, board="acme", company="Acme", title="ML Engineer", location="Paris"),
        dict(source_id="2", html=BOARD_TEXT, board="acme", company="Acme", title="ML  engineer", location="Oslo"),
        # The same text under another title: a posting of its own.
        dict(source_id="3", html=BOARD_TEXT, board="acme", company="Acme", title="Office Manager"),
        # No text at all, on two boards: never merged.
        dict(source_id="4", html="", board="acme", company="Acme", title="ML Engineer"),
        dict(source_id="5", html="", board="bakery", company="Bakery", title="Frontend Developer"),
    ])
    run_etl(home)
    groups = snapshot_rows(home, "SELECT list(source_id ORDER BY source_id) FROM listings GROUP BY posting_id "
                                 "ORDER BY 1")
    assert groups == [(["1", "2"],), (["3"],), (["4"],), (["5"],)]
    titles = snapshot_rows(home, "SELECT title, is_ml FROM postings WHERE source_id IN ('3', '5') ORDER BY title")
    assert titles == [("Frontend Developer", False), ("Office Manager", False)]


def test_a_sources_own_remote_flag_wins(home):
    write_board_landing(home, "ashby", [
        dict(source_id="1", html=BOARD_TEXT, board="acme", title="ML Engineer", remote=True),
        dict(source_id="2", html="<p>REMOTE friendly? Not this one. " + BOARD_TEXT[3:], board="acme",
             title="ML Engineer, on site", remote=False),
        dict(source_id="3", html="<p>We are REMOTE first. " + BOARD_TEXT[3:], board="acme", title="Data Engineer"),
    ])
    run_etl(home)
    assert snapshot_rows(home, "SELECT source_id, remote FROM postings ORDER BY source_id") == [
        ("1", True), ("2", False), ("3", True)]


def test_a_job_board_description_is_not_read_as_an_hn_header(home):
    """A board posting that gives no company or location keeps them empty: its description's
    first line is prose, not HN's "Company | Role | Place" header."""
    write_board_landing(home, "jsonld", [
        dict(source_id="https://jobs.example/7", board="https://jobs.example/",
             html="<p>About us | Series B | We train LLM agents - ONSITE in Paris</p>" + BOARD_TEXT),
    ])
    run_etl(home)
    assert snapshot_rows(home, "SELECT company, title, location FROM postings") == [(None, None, None)]


def test_a_listing_without_a_date_counts_in_the_month_first_seen(home):
    # Later crawls see it again; it stays in the month it was first seen, and its text's
    # skills count in that month's trend rows.
    first, later = datetime(2024, 3, 30, 9), datetime(2024, 5, 2, 9)
    for when, text in ((first, BOARD_TEXT), (later, BOARD_TEXT.replace("daily", "every day"))):
        write_board_landing(home, "greenhouse", [dict(source_id="9", html=text, board="acme", company="Acme",
                                                      title="ML Engineer", fetched_at=when)])
        run_etl(home)
    dated = dict(source_id="10", html=BOARD_TEXT, board="acme", title="ML Engineer II", posted_at=later)
    write_board_landing(home, "greenhouse", [dict(dated, fetched_at=later)])
    run_etl(home)
    assert snapshot_rows(home, "SELECT source_id, month FROM listings ORDER BY source_id") == [
        ("10", date(2024, 5, 1)), ("9", date(2024, 3, 1))]
    assert snapshot_rows(home, "SELECT m.month FROM posting_months m JOIN listings l USING (posting_id) "
                               "WHERE l.source_id = '9'") == [(date(2024, 3, 1),)]
    assert snapshot_rows(home, "SELECT postings FROM monthly_skill_share "
                               "WHERE skill = 'PyTorch' AND month = DATE '2024-03-01'") == [(1,)]


def test_a_warehouse_normalized_by_older_code_is_rebuilt_from_landing(home):
    write_landing(home.root, [hn_item(1, "Acme | Rails developer\\nWe use Ruby and Java", "2011-04")])
    assert not run_etl(home).rebuilt
    conn = duckdb.connect(str(home.warehouse))
    conn.execute("UPDATE postings SET text = 'as an older conversion left it'").fetchall()
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'normalize_version'").fetchall()
    conn.close()
    report = run_etl(home)
    assert report.rebuilt and "normalization (text conversion, posting ids) changed" in report.summary()
    assert snapshot_rows(home, "SELECT text FROM postings") == [("Acme | Rails developer\nWe use Ruby and Java",)]
    assert not run_etl(home).rebuilt


def test_running_twice_changes_nothing(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03"), hn_item(2, DS_POST, "2024-04")])
    run_etl(home)
    before, snapshot = table_dump(home), home.current_snapshot()
    report = run_etl(home)
    assert (report.runs_loaded, report.new_postings, report.published) == (0, 0, None)
    assert table_dump(home) == before
    assert home.current_snapshot() == snapshot


def test_a_landing_file_cut_short_is_skipped_and_the_others_load(home, caplog):
    # A partial copy or a full disk: the header is whole, so the file opens, and a block is missing.
    good = write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    other = write_landing(home.root, [hn_item(2, WEB_POST, "2024-03")])
    data = other.read_bytes()
    other.write_bytes(data[:len(data) - 4096])
    report = run_etl(home)
    assert (report.runs_loaded, report.runs_unreadable) == (1, [str(other)])
    assert "1 landing file(s) unreadable, skipped" in report.summary()
    assert snapshot_rows(home, "SELECT source_id FROM postings") == [("1",)]
    assert good.exists() and other.exists()  # nothing deleted: a whole copy can replace it


def test_second_run_processes_only_new_landing_data(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03"), hn_item(2, WEB_POST, "2024-03")])
    run_etl(home)
    write_landing(home.root, [hn_item(3, DS_POST, "2024-04")])
    report = run_etl(home)
    assert (report.runs_loaded, report.listings_read, report.new_postings) == (1, 1, 1)
    assert snapshot_rows(home, "SELECT count(*) FROM postings") == [(3,)]
    assert snapshot_rows(home, "SELECT count(*) FROM crawl_runs") == [(2,)]


def test_incremental_equals_full_rebuild(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    write_landing(home.root, [hn_item(2, ML_POST, "2024-04"), hn_item(3, DS_POST, "2024-04")])
    run_etl(home)
    incremental = table_dump(home)
    run_etl(home, full=True)
    assert table_dump(home) == incremental  # the times in them come from the crawls, not the ETL


BOARD_TEXT = "<p>We train models with PyTorch and deploy them with MLflow.</p>"
RAG_TEXT = "<p>Now we build RAG agents with LangChain.</p>"


def january_berlin_then_february_remote(home: Home):
    """January's Berlin version held back (its file cut short, or still written) while
    February's remote RAG version lands; returns the function that puts January's file back."""
    january = write_landing(home.root, [board_item(1, BOARD_TEXT, datetime(2024, 1, 5), datetime(2024, 1, 10),
                                                   "Berlin", False)], source="greenhouse")
    late = january.read_bytes()
    january.unlink()
    write_landing(home.root, [board_item(1, RAG_TEXT, datetime(2024, 1, 5), datetime(2024, 2, 10), "Remote (EU)",
                                         True)], source="greenhouse")
    return lambda: january.write_bytes(late)


def assert_a_full_rebuild_gives_the_same(home: Home) -> None:
    incremental = table_dump(home)
    run_etl(home, full=True)
    assert table_dump(home) == incremental


def posting_rows(home: Home) -> list[tuple]:
    return snapshot_rows(home, "SELECT source_id, location, remote, text FROM postings ORDER BY source_id")


def test_a_postings_row_follows_the_latest_version_of_its_listing(home):
    write_landing(home.root, [board_item(1, BOARD_TEXT, datetime(2024, 1, 5), datetime(2024, 1, 10), "Berlin", False)],
                  source="greenhouse")
    run_etl(home)
    write_landing(home.root, [board_item(1, BOARD_TEXT, datetime(2024, 1, 5), datetime(2024, 2, 10), "Remote (EU)",
                                         True)], source="greenhouse")
    run_etl(home)
    assert [row[:3] for row in posting_rows(home)] == [("1", "Remote (EU)", True)]
    assert_a_full_rebuild_gives_the_same(home)


def test_a_posting_whose_first_listing_leaves_is_named_after_the_next(home):
    write_landing(home.root, [board_item(1, BOARD_TEXT, datetime(2024, 1, 5), datetime(2024, 1, 10), "Berlin"),
                              board_item(2, BOARD_TEXT, datetime(2024, 1, 6), datetime(2024, 1, 10), "Paris")],
                  source="greenhouse")
    run_etl(home)
    write_landing(home.root, [board_item(1, RAG_TEXT, datetime(2024, 1, 5), datetime(2024, 2, 10), "Berlin")],
                  source="greenhouse")
    run_etl(home)
    assert [row[:2] for row in posting_rows(home)] == [("1", "Berlin"), ("2", "Paris")]
    # Every posting names one of its own listings.
    assert snapshot_rows(home, "SELECT count(*) FROM postings p JOIN listings l USING (source, source_id) "
                               "WHERE l.posting_id <> p.posting_id") == [(0,)]
    assert_a_full_rebuild_gives_the_same(home)


def test_a_landing_file_loaded_after_a_newer_one_does_not_roll_its_listing_back(home):
    put_january_back = january_berlin_then_february_remote(home)
    run_etl(home)
    put_january_back()
    run_etl(home)
    (row,) = posting_rows(home)
    assert row[:3] == ("1", "Remote (EU)", True) and "LangChain" in row[3]
    assert [str(first_seen) for (first_seen,) in snapshot_rows(home, "SELECT first_seen FROM listings")] \
        == ["2024-01-10 00:00:00"]
    assert snapshot_rows(home, "SELECT count(*) FROM posting_versions") == [(2,)]
    assert_a_full_rebuild_gives_the_same(home)


def test_a_version_fetched_again_later_is_not_replaced_by_its_first_fetch_loaded_late(home):
    # Berlin (Jan), remote (Feb), Berlin again (Mar): January's file, loaded last, is the same
    # version as March's but older, so it must not bring back January's run or first fetch.
    put_january_back = january_berlin_then_february_remote(home)
    march = write_landing(home.root, [board_item(1, BOARD_TEXT, datetime(2024, 1, 5), datetime(2024, 3, 10),
                                                 "Berlin", False)], source="greenhouse")
    run_etl(home)
    put_january_back()
    run_etl(home)
    assert snapshot_rows(home, "SELECT run_id FROM listings") == [(march.stem,)]
    assert_a_full_rebuild_gives_the_same(home)


def undated_june_then_may_loaded_late(home: Home, seen_only: bool) -> None:
    """An undated job (counted in the month first seen) fetched in June and loaded, then a
    crawl that met it in May loaded late: with its record, or having only seen it unchanged."""
    june, may = datetime(2024, 6, 10), datetime(2024, 5, 20)
    write_landing(home.root, [board_item(1, BOARD_TEXT, None, june, "Berlin")], source="greenhouse")
    run_etl(home)
    earlier = board_item(1, BOARD_TEXT, None, may, "Berlin")
    if seen_only:
        run_id = new_run_id()
        writer = LandingWriter(home.landing_file("greenhouse", run_id), run_id, "greenhouse")
        writer.write([], seen=[seen_row("greenhouse", "1", "acme", earlier.record_hash, may, "unchanged")])
        writer.close("finished", 0, {"test": True})
    else:
        write_landing(home.root, [earlier], source="greenhouse")
    run_etl(home)


@pytest.mark.parametrize("seen_only", [False, True], ids=["record", "seen"])
def test_an_undated_listing_met_earlier_in_a_file_loaded_late_moves_to_that_month(home, seen_only):
    undated_june_then_may_loaded_late(home, seen_only)
    assert snapshot_rows(home, "SELECT month FROM listings") == [(date(2024, 5, 1),)]
    assert snapshot_rows(home, "SELECT month FROM posting_months") == [(date(2024, 5, 1),)]
    assert_a_full_rebuild_gives_the_same(home)


def test_an_earlier_listing_that_joins_later_names_the_posting(home):
    later = BOARD_TEXT.replace("We train", "At our café we train")
    write_landing(home.root, [board_item(2, later, datetime(2024, 1, 6), datetime(2024, 1, 10), "Paris")],
                  source="greenhouse")
    run_etl(home)
    # The same text as normalized (é written as e + a combining accent: one character more
    # before PyTorch), posted a day earlier, crawled later.
    earlier = later.replace("café", "cafe\u0301")
    write_landing(home.root, [board_item(1, earlier, datetime(2024, 1, 5), datetime(2024, 2, 10), "Berlin")],
                  source="greenhouse")
    run_etl(home)
    (row,) = posting_rows(home)
    assert row[:2] == ("1", "Berlin") and "cafe\u0301" in row[3]
    spans = snapshot_rows(home, "SELECT s.start, s.\"end\", p.text FROM posting_skills s JOIN postings p "
                                "USING (posting_id) WHERE s.skill = 'PyTorch'")
    assert [text[start:end] for start, end, text in spans] == ["PyTorch"]  # tagged again on its own text
    assert_a_full_rebuild_gives_the_same(home)


def test_exact_duplicates_across_months_are_one_posting(home):
    reposted = ML_POST.replace("We train", "We  train").replace("MLflow", "MLflow\u00a0") + " "
    assert reposted != ML_POST
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03"), hn_item(2, reposted, "2024-04")])
    run_etl(home)
    assert snapshot_rows(home, "SELECT count(*), sum(n_listings) FROM postings") == [(1, 2)]
    assert snapshot_rows(home, "SELECT count(DISTINCT posting_id) FROM listings") == [(1,)]
    months = snapshot_rows(home, "SELECT month FROM posting_months ORDER BY month")
    assert [str(m) for (m,) in months] == ["2024-03-01", "2024-04-01"]
    # Counted once in each month it was listed in.
    assert snapshot_rows(home, "SELECT month, total FROM monthly_family_share WHERE family = 'llm' ORDER BY month") \
        == [(m, 1) for (m,) in months]


def test_copies_that_differ_in_quotes_accents_or_tracking_links_are_one_posting(home):
    base = "Acme | ML Engineer | NYC<p>We're building PyTorch models for café owners. Apply: https://acme.com/jobs/1"
    copies = [base, base.replace("We're", "We’re"), base.replace("café", "cafe\u0301"),
              base + "?utm_source=hn&utm_medium=board", base.replace("café", "café"),
              base.replace("https://acme.com/jobs/1", "https://acme.com/jobs/1?gh_src=hn1")]
    write_landing(home.root, [hn_item(n, text, "2024-05") for n, text in enumerate(copies, 1)])
    run_etl(home)
    assert snapshot_rows(home, "SELECT count(DISTINCT posting_id) FROM listings") == [(1,)]
    # Another job link, or another word, is another posting; so is another letter case, which
    # the skills are matched with (test below).
    write_landing(home.root, [hn_item(9, base.replace("jobs/1", "jobs/2"), "2024-05"),
                              hn_item(10, base.replace("café", "bakery"), "2024-05"),
                              hn_item(11, base.replace("Apply", "APPLY"), "2024-05")])
    run_etl(home)
    assert snapshot_rows(home, "SELECT count(DISTINCT posting_id) FROM listings") == [(4,)]


def test_a_job_title_is_compared_without_its_case_after_unicode_folding():
    from etl.normalize import posting_key

    titles = ["Data Scientist ™", "DATA SCIENTIST TM", "data scientist tm"]
    frame = pl.DataFrame({"text": ["Same text."] * 3, "title": titles, "source": ["greenhouse"] * 3,
                          "source_id": ["1", "2", "3"]})
    assert frame.select(key=posting_key)["key"].n_unique() == 1


def test_copies_apart_only_in_letter_case_are_tagged_each_on_its_own_text(home):
    # Merged, the posting kept the first copy's text, where "jax" is no skill: February's
    # JAX went uncounted, and once the first copy changed an incremental ETL kept the old
    # text while --full did not.
    write_landing(home.root, [hn_item(1, "Acme | ML Engineer | NYC<p>We train models in jax.", "2023-01")])
    run_etl(home)
    write_landing(home.root, [hn_item(2, "Acme | ML Engineer | NYC<p>We train models in JAX.", "2023-02")])
    run_etl(home)
    assert snapshot_rows(home, "SELECT l.source_id, list(s.skill ORDER BY s.skill) FILTER (WHERE s.skill = 'JAX') "
                               "FROM listings l LEFT JOIN posting_skills s USING (posting_id) "
                               "GROUP BY ALL ORDER BY 1") == [("1", None), ("2", ["JAX"])]
    write_landing(home.root, [hn_item(1, "Acme | ML Engineer | NYC<p>Position filled.", "2023-01")])
    run_etl(home)
    assert_a_full_rebuild_gives_the_same(home)


def test_a_changed_listing_moves_to_its_new_posting(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    write_landing(home.root, [hn_item(1, DS_POST, "2024-03")])
    run_etl(home)
    assert snapshot_rows(home, "SELECT title FROM postings") == [("Data Scientist",)]
    assert snapshot_rows(home, "SELECT count(*) FROM posting_skills WHERE skill = 'PyTorch'") == [(0,)]


def test_family_shares_count_ml_postings_with_wilson_intervals(home):
    items = [hn_item(i, ML_POST, "2024-03") for i in range(1, 4)]
    items = [hn_item(i, f"{ML_POST} Req {i}.", "2024-03") for i in range(1, 4)]
    items += [hn_item(10 + i, f"{DS_POST} Req {i}.", "2024-03") for i in range(5)]
    items += [hn_item(20 + i, f"{WEB_POST} Req {i}.", "2024-03") for i in range(7)]
    write_landing(home.root, items)
    run_etl(home)
    (row,) = snapshot_rows(home, "SELECT postings, total, share, ci_low, ci_high FROM monthly_family_share "
                                 "WHERE family = 'llm'")
    assert row[:3] == (3, 8, 3 / 8)
    assert row[3] < 3 / 8 < row[4]


def test_a_month_with_postings_but_none_ml_has_rows_with_no_share(home):
    # April was crawled and had no ML posting; May was not crawled at all.
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03"), hn_item(2, WEB_POST, "2024-04"),
                              hn_item(3, DS_POST, "2024-06")])
    run_etl(home)
    rows = snapshot_rows(home, "SELECT month, postings, total, share, ci_low, ci_high FROM monthly_family_share "
                               "WHERE family = 'llm' ORDER BY month")
    assert [row[:3] for row in rows] == [(date(2024, 3, 1), 1, 1), (date(2024, 4, 1), 0, 0), (date(2024, 6, 1), 0, 1)]
    assert rows[1][3:] == (None, None, None)
    # a skill has a row in every such month too, so LAG and averages over months hold
    skill_rows = snapshot_rows(home, "SELECT month, postings, total, share FROM monthly_skill_share "
                                     "WHERE skill = 'PyTorch' ORDER BY month")
    assert skill_rows == [(date(2024, 3, 1), 1, 1, 1.0), (date(2024, 4, 1), 0, 0, None),
                          (date(2024, 6, 1), 0, 1, 0.0)]


def test_a_migration_rebuilds_the_monthly_tables_even_with_nothing_new_to_load(home):
    """A warehouse built before 0005_wilson_exact_ends had rounding dust for months without a
    posting (ci_low 4.9e-17 for 0 of 3); the next ETL run, with no new landing data, must
    publish tables computed by the new macros."""
    write_landing(home.root, [hn_item(i, f"{DS_POST} Req {i}.", "2024-03") for i in range(3)])
    run_etl(home)
    conn = duckdb.connect(str(home.warehouse))
    try:  # make it a warehouse of the previous schema, its tables built by the old macros
        conn.execute("DELETE FROM schema_migrations WHERE name = '0005_wilson_exact_ends'")
        conn.execute("DELETE FROM meta WHERE key = 'schema_version'")
        conn.execute("UPDATE monthly_family_share SET ci_low = 4.9e-17 WHERE postings = 0")
    finally:
        conn.close()
    publish_snapshot(home)  # as that older ETL published it
    assert snapshot_rows(home, "SELECT DISTINCT ci_low FROM monthly_family_share WHERE postings = 0") == [(4.9e-17,)]
    run_etl(home)
    lows = snapshot_rows(home, "SELECT DISTINCT ci_low FROM monthly_family_share WHERE postings = 0")
    assert lows == [(0.0,)]


def test_a_migration_moves_undated_listings_left_in_a_later_month_by_older_code(home):
    write_landing(home.root, [board_item(1, BOARD_TEXT, None, datetime(2024, 5, 20), "Berlin")], source="greenhouse")
    run_etl(home)
    conn = duckdb.connect(str(home.warehouse))
    try:  # as the ETL before 0007 left it after a crawl file of June was loaded first
        conn.execute("DELETE FROM schema_migrations WHERE name = '0007_undated_month_follows_first_seen'")
        conn.execute("DELETE FROM meta WHERE key = 'schema_version'")
        conn.execute("UPDATE listings SET month = DATE '2024-06-01'")
        conn.execute("UPDATE posting_months SET month = DATE '2024-06-01'")
    finally:
        conn.close()
    run_etl(home)
    assert snapshot_rows(home, "SELECT month FROM posting_months") == [(date(2024, 5, 1),)]
    assert snapshot_rows(home, "SELECT DISTINCT month FROM monthly_family_share") == [(date(2024, 5, 1),)]


def test_publishing_while_a_reader_holds_the_previous_snapshot(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    first = home.current_snapshot()
    reader = duckdb.connect(str(home.snapshot), read_only=True)
    try:
        assert reader.execute("SELECT count(*) FROM postings").fetchone() == (1,)
        write_landing(home.root, [hn_item(2, DS_POST, "2024-04")])
        run_etl(home)
        assert home.current_snapshot() != first
        # The open reader keeps its consistent view; a new one sees the new data.
        assert reader.execute("SELECT count(*) FROM postings").fetchone() == (1,)
        assert snapshot_rows(home, "SELECT count(*) FROM postings") == [(2,)]
    finally:
        reader.close()


def use_tiny_taxonomy(tmp_path, monkeypatch) -> None:
    """A taxonomy of one skill, version tiny-1, for the runs that follow."""
    taxonomy = tmp_path / "tiny.toml"
    taxonomy.write_text('version = "tiny-1"\n[[skill]]\nname = "PyTorch"\nfamily = "classic_ml"\n'
                        'category = "framework"\naliases = ["pytorch"]\n')
    monkeypatch.setenv("SKILLTRENDS_TAXONOMY", str(taxonomy))


def test_taxonomy_change_retags_history(home, tmp_path, monkeypatch):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    use_tiny_taxonomy(tmp_path, monkeypatch)
    report = run_etl(home)
    assert report.retagged == 1
    assert snapshot_rows(home, "SELECT skill, taxonomy_version FROM posting_skills") == [("PyTorch", "tiny-1")]
    assert snapshot_rows(home, "SELECT families FROM postings") == [(["classic_ml"],)]


def test_a_taxonomy_change_retags_history_even_when_meta_lost_the_old_versions(home, tmp_path, monkeypatch):
    # A run killed after committing its postings, before writing meta: tags of the old
    # taxonomy, and meta silent about them.
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    with duckdb.connect(str(home.warehouse)) as conn:
        conn.execute("DELETE FROM meta WHERE key IN ('taxonomy_version', 'extractor_version')")
    use_tiny_taxonomy(tmp_path, monkeypatch)
    report = run_etl(home)
    assert report.retagged == 1
    assert snapshot_rows(home, "SELECT DISTINCT taxonomy_version FROM posting_skills") == [("tiny-1",)]
    assert run_etl(home).retagged == 0  # once


def test_a_killed_crawl_keeps_what_it_committed(home):
    path = write_landing(home.root, [hn_item(1, ML_POST, "2024-03")], status="running")
    run_etl(home)
    assert snapshot_rows(home, "SELECT status, landing_file FROM crawl_runs") == [("killed", str(path))]
    assert snapshot_rows(home, "SELECT count(*) FROM postings") == [(1,)]


class Killed(BaseException):
    """Stands for SIGKILL at a given step: nothing after it runs, nothing is cleaned up."""


def killed_at(monkeypatch, name):
    def die(*args, **kwargs):
        raise Killed(name)
    monkeypatch.setattr(f"etl.pipeline.{name}", die)


@pytest.mark.parametrize("step", ["rebuild_monthly_tables", "publish_snapshot"])
def test_a_run_killed_after_its_commit_is_finished_by_the_next(home, monkeypatch, step):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    write_landing(home.root, [hn_item(2, DS_POST, "2024-04")])
    with monkeypatch.context() as patched:
        killed_at(patched, step)
        with pytest.raises(Killed):
            run_etl(home)
    report = run_etl(home)
    assert report.runs_loaded == 0 and report.published  # nothing new to load, yet published
    assert snapshot_rows(home, "SELECT count(*) FROM postings") == [(2,)]
    months = snapshot_rows(home, "SELECT DISTINCT month FROM monthly_family_share ORDER BY month")
    assert [str(m) for (m,) in months] == ["2024-03-01", "2024-04-01"]
    assert snapshot_rows(home, "SELECT count(*) FROM meta WHERE key = 'build_pending'") == [(0,)]
    assert run_etl(home).published is None


def test_a_full_rebuild_killed_while_emptying_the_tables_leaves_nothing_to_count_twice(home, monkeypatch):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    before = table_dump(home)
    tables = pipeline.DATA_TABLES

    def tables_then_killed():  # killed after emptying crawl_runs, listings and postings
        yield from tables[:3]
        raise Killed("between two tables")

    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "DATA_TABLES", _Iterable(tables_then_killed))
        with pytest.raises(Killed):
            run_etl(home, full=True)
    run_etl(home)
    assert snapshot_rows(home, "SELECT count(*) - count(DISTINCT (posting_id, skill, start)) FROM posting_skills") \
        == [(0,)]
    assert table_dump(home) == before


class _Iterable:
    def __init__(self, make):
        self.make = make

    def __iter__(self):
        return self.make()


def test_what_a_killed_publish_left_half_done_is_removed(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    leftovers = [home.published_dir / "warehouse-20240101T000000000000Z.partial", home.root / ".snapshot.99.tmp"]
    for leftover in leftovers:
        leftover.write_bytes(b"half a copy")
    write_landing(home.root, [hn_item(2, DS_POST, "2024-04")])
    run_etl(home)
    assert not any(leftover.exists() for leftover in leftovers)


def demo_flag(home: Home) -> list[tuple]:
    return snapshot_rows(home, "SELECT value FROM meta WHERE key = 'demo'")


def test_generated_data_stays_marked_whatever_is_loaded_after_it(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")], stats={"skilltrends/generated": 1})
    run_etl(home, demo=True)
    assert demo_flag(home) == [("true",)]
    write_landing(home.root, [hn_item(2, DS_POST, "2024-04")])
    run_etl(home, demo=False)  # a real crawl loaded next to the generated one
    assert demo_flag(home) == [("true",)]


def test_real_data_alone_is_not_marked(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    assert demo_flag(home) == [("false",)]


def test_snapshots_are_read_only_files(home):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    assert home.current_snapshot().stat().st_mode & 0o222 == 0


def test_a_killed_crawl_of_generated_data_is_marked_too(home):
    run_id = new_run_id()
    writer = LandingWriter(home.landing_file("hn", run_id), run_id, "hn", stats={"skilltrends/generated": 1})
    writer.write([hn_item(1, ML_POST, "2024-03")])
    writer.conn.close()  # killed: the run is never closed, its final stats never written
    run_etl(home)
    assert snapshot_rows(home, "SELECT status FROM crawl_runs") == [("killed",)]
    assert demo_flag(home) == [("true",)]


def test_a_skill_only_the_job_title_names_counts_like_an_hn_headers(home):
    write_board_landing(home, "greenhouse", [
        dict(source_id="1", html="<p>Own our model registry and serving. Python daily.</p>", board="acme",
             title="MLOps Engineer")])
    write_landing(home.root, [hn_item(2, "Acme | MLOps Engineer | Remote<p>Python daily.", "2024-03")])
    run_etl(home)
    rows = snapshot_rows(home, "SELECT p.source, s.start, s.evidence FROM posting_skills s JOIN postings p "
                               "USING (posting_id) WHERE s.skill = 'MLOps' ORDER BY p.source")
    assert rows == [("greenhouse", None, "MLOps Engineer"), ("hn", 7, "Acme | MLOps Engineer | Remote")]
    families = snapshot_rows(home, "SELECT source, families FROM postings ORDER BY source")
    assert all("mlops" in found for _, found in families)


def test_a_moved_home_is_not_loaded_again(home, tmp_path):
    write_landing(home.root, [hn_item(1, ML_POST, "2024-03")])
    run_etl(home)
    moved = Home.resolve(tmp_path.parent / f"{tmp_path.name}-moved")
    home.root.rename(moved.root)
    report = run_etl(moved)
    assert (report.runs_loaded, report.published) == (0, None)
    assert snapshot_rows(moved, "SELECT count(*) FROM postings") == [(1,)]


def test_an_overlong_posting_is_cut_and_control_characters_go(home, caplog):
    """A 3 MB description (a broken or hostile page) is cut at MAX_TEXT_CHARS, said in one line;
    escapes in a name never reach a researcher's terminal."""
    huge = "<p>We train PyTorch models.</p>" + "<p>" + "filler words " * 250_000 + "</p>"
    escape = "\x1b]0;PWNED\x07\x1b[2J"
    write_board_landing(home, "greenhouse", [
        dict(source_id="huge", html=huge, board="acme", company="Acme", title="ML Engineer"),
        dict(source_id="escape", html=f"<p>Deploy models with MLflow.{escape}</p>", board="acme",
             company=f"Evil{escape} Corp", title="T" * 1_000, location=f"Berlin{escape}",
             url=f"https://example.com/jobs/escape{escape}"),
        dict(source_id="plain", html="<p>Statistics and XGBoost.</p>", board="acme", company="Acme",
             title="Data Scientist"),
        # A pasted 1.2 MB screenshot: the cut must not land inside it and leave base64 for text.
        dict(source_id="image", html='<p>We use PyTorch.</p><img src="data:image/png;base64,' + "QUJD" * 300_000
             + '"><p>Requirements: Kubernetes</p>', board="acme", company="Acme", title="MLOps Engineer"),
        # No tags at all: a "<" in the text opens none, and the cut keeps the text before it.
        dict(source_id="tagless", html="Salary <100k. " + "We use Kubernetes and Python. " * 40_000, board="acme",
             company="Acme", title="Platform Engineer"),
    ])
    with caplog.at_level("WARNING"):
        run_etl(home)
    rows = {source_id: rest for source_id, *rest in snapshot_rows(
        home, "SELECT source_id, text, company, title, location, url FROM postings")}
    assert len(rows["huge"][0]) == MAX_TEXT_CHARS and rows["huge"][0].startswith("We train PyTorch models.")
    assert rows["escape"] == ["Deploy models with MLflow.]0;PWNED[2J", "Evil]0;PWNED[2J Corp", "T" * MAX_NAME_CHARS,
                              "Berlin]0;PWNED[2J", "https://example.com/jobs/escape]0;PWNED[2J"]
    assert rows["plain"][0] == "Statistics and XGBoost."
    assert rows["image"][0] == "We use PyTorch.\n\nRequirements: Kubernetes"
    assert len(rows["tagless"][0]) == MAX_TEXT_CHARS and rows["tagless"][0].startswith("Salary <100k. We use")
    said = [record.getMessage() for record in caplog.records if "were cut there" in record.getMessage()]
    assert len(said) == 1 and said[0].startswith("2 record(s)") and "greenhouse huge" in said[0]
    skills = snapshot_rows(home, "SELECT skill FROM posting_skills JOIN listings USING (posting_id) "
                                 "WHERE source_id = 'huge'")
    assert ("PyTorch",) in skills


def test_a_commit_that_fails_is_the_error_shown_not_the_rollback_after_it():
    from etl.schema import transaction

    class DiskFull:
        """A connection whose COMMIT fails as on a full disk, which ends the transaction."""

        def __init__(self):
            self.statements = []

        def execute(self, sql, *args):
            self.statements.append(sql)
            if sql == "COMMIT":
                raise duckdb.IOException("IO Error: No space left on device")
            if sql == "ROLLBACK":
                raise duckdb.TransactionException("TransactionContext Error: cannot rollback - no transaction is active")

    conn = DiskFull()
    with pytest.raises(duckdb.IOException, match="No space left"):
        with transaction(conn):
            conn.execute("INSERT ...")
    assert conn.statements == ["BEGIN TRANSACTION", "INSERT ...", "COMMIT", "ROLLBACK"]
