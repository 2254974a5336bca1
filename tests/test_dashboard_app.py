"""dashboard.app: the shell, how the home reaches callbacks, and what run() binds."""

from __future__ import annotations

import sys

import dash
import duckdb
import pytest

from dashboard import app as dashboard_app
from dashboard.context import HOME_KEY, current_home
from skilltrends.home import Home
from tests.snapshot_factory import make_snapshot


def test_each_app_carries_its_own_home(tmp_path):
    first = dashboard_app.create_app(tmp_path / "one")
    second = dashboard_app.create_app(str(tmp_path / "two"))
    assert first.server.config[HOME_KEY] == str(tmp_path / "one")
    with second.server.test_request_context("/"):
        assert current_home() == Home(tmp_path / "two")
    with first.server.test_request_context("/"):
        assert current_home() == Home(tmp_path / "one")


def test_home_defaults_to_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SKILLTRENDS_HOME", str(tmp_path))
    app = dashboard_app.create_app()
    assert app.server.config[HOME_KEY] == str(tmp_path)


def test_shell_is_a_function_with_pages(tmp_path):
    make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2024-01"], "skills": [("LLM", "llm")]}])
    app = dashboard_app.create_app(tmp_path)
    assert callable(app.layout)
    paths = {page["path"]: page["module"] for page in dash.page_registry.values()}
    assert paths["/"].endswith("overview")
    assert any(module.endswith("not_found_404") for module in paths.values())
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and b"skilltrends" in layout.data


@pytest.mark.parametrize(
    "kwargs,host,port",
    [({}, "127.0.0.1", 8050), ({"host": "127.0.0.2", "port": 9001}, "127.0.0.2", 9001)],
)
def test_run_binds_only_the_host_given(tmp_path, monkeypatch, kwargs, host, port):
    calls = []
    monkeypatch.setenv("HOST", "0.0.0.0")  # dash's own fallback must not win
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kw: calls.append((self, kw)))
    dashboard_app.run(tmp_path, **kwargs)
    (app, kw), = calls
    assert (kw["host"], kw["port"], kw["debug"]) == (host, port, False)
    assert app.server.config[HOME_KEY] == str(tmp_path)


def test_several_apps_in_one_process_each_get_the_page_callbacks_once(tmp_path):
    apps = [dashboard_app.create_app(tmp_path / str(i)) for i in range(3)]
    for app in apps:
        outputs = [d["output"] for d in app.server.test_client().get("/_dash-dependencies").json]
        assert len(outputs) == len(set(outputs))
        assert outputs.count("overview-examples.children") == 1
        assert any("overview-chart.children" in o for o in outputs)


def test_posting_card_links_only_when_asked_and_only_to_http():
    from dash import html

    from dashboard.components import posting_card

    def links(card):
        found, stack = [], [card]
        while stack:
            node = stack.pop()
            if isinstance(node, html.A):
                found.append(node.href)
            children = getattr(node, "children", None)
            stack.extend(children if isinstance(children, list) else [children] if children is not None else [])
        return found

    row = {"company": "Acme", "url": "https://news.ycombinator.com/item?id=1", "text": "<b>x</b>"}
    assert links(posting_card(row)) == [row["url"]]
    assert links(posting_card(row, link=False)) == []
    assert links(posting_card({**row, "url": "javascript:alert(1)"})) == []


def test_posting_card_names_its_source_and_every_source_has_a_label():
    from crawlers.runner import available_sources
    from dashboard.components import posting_card
    from dashboard.theme import SOURCE_LABELS

    def texts(node):
        if isinstance(node, str):
            return [node]
        children = getattr(node, "children", None)
        children = children if isinstance(children, list) else [children] if children is not None else []
        return [t for child in children for t in texts(child)]

    card = posting_card({"company": "Acme", "source": "remoteok", "url": "https://remoteok.com/x", "text": "t"})
    assert "on Remote OK" in texts(card)
    assert set(available_sources()) <= set(SOURCE_LABELS)


def test_a_snapshot_held_open_for_writing_is_said_on_the_page(tmp_path):
    make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2024-01"], "skills": [("LLM", "llm")]}])
    app = dashboard_app.create_app(tmp_path)
    # The module Dash loaded for "/" (importing it by its package path would register it twice).
    (entry,) = [page for page in dash.page_registry.values() if page["path"] == "/"]
    overview = sys.modules[entry["module"]]
    snapshot = Home(tmp_path).current_snapshot()
    snapshot.chmod(0o644)  # published read-only; root, or anyone who changes that, can still lock it
    writer = duckdb.connect(str(snapshot))
    try:
        with app.server.test_request_context("/"):
            page = overview.layout()
    finally:
        writer.close()
    message = "".join(p if isinstance(p, str) else p.children for p in page.children.children[0].children)
    assert page.children.id == "overview-missing" and "cannot be opened" in message


OVERVIEW_OUTPUTS = ["overview-banner.children", "overview-freshness.children", "overview-chart.children",
                    "overview-top-skills.children", "example-pick.options", "example-pick.value"]


def post_callback(client, outputs: list[str], inputs: dict, state: dict | None = None, changed: str | None = None):
    """A ``/_dash-update-component`` request as a browser (or anyone) can send it: ``inputs``
    and ``state`` in the callback's order, ``changed`` the input that changed (the first)."""
    def props(values):
        return [{"id": key.split(".")[0], "property": key.split(".")[1], "value": value} for key, value in values.items()]
    spec = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs]
    body = {"output": ".." + "...".join(outputs) + ".." if len(outputs) > 1 else outputs[0],
            "outputs": spec if len(outputs) > 1 else spec[0], "inputs": props(inputs),
            "state": props(state or {}), "changedPropIds": [changed or next(iter(inputs))]}
    return client.post("/_dash-update-component", json=body)


@pytest.mark.parametrize("start, end, sources, resolution, shown", [
    ("2024-01", "2024-01", ["hn"], "month", "rests on"),  # a month as YYYY-MM, as the queries take it
    ("garbage", "2024-01-01", ["hn"], "month", "not a month"),
    (5, "2024-01-01", ["hn"], "month", "not a month"),
    ("2024-01-01", "2024-01-01", "hn", "month", "Choose at least one source"),
    ("2024-01-01", "2024-01-01", {"hn": 1}, "month", "Choose at least one source"),
    ("2024-01-01", "2024-01-01", ["hn", None, 3], "decade", "rests on"),
    ("2024-01-01", "2024-01-01", ["hn"], ["month"], "rests on"),
])
def test_values_the_controls_cannot_send_get_an_answer_not_a_server_error(tmp_path, start, end, sources,
                                                                            resolution, shown):
    make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2024-01"], "skills": [("LLM", "llm")]}])
    client = dashboard_app.create_app(tmp_path).server.test_client()
    overview = post_callback(client, OVERVIEW_OUTPUTS,
                             {"overview-start.value": start, "overview-end.value": end,
                              "overview-sources.value": sources, "overview-resolution.value": resolution},
                             {"example-pick.value": {"not": "a pick"}, "overview-offered.data": ["junk"]})
    assert overview.status_code == 200 and shown in overview.get_data(as_text=True)
    examples = post_callback(client, ["overview-examples.children"],
                             {"example-pick.value": ["not", "a", "pick"], "overview-start.value": start,
                              "overview-end.value": end, "overview-sources.value": sources})
    assert examples.status_code == 200


def test_a_range_asked_beyond_the_snapshot_is_drawn_over_the_snapshots_months_only(tmp_path):
    make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2024-01"], "skills": [("LLM", "llm")]}])
    client = dashboard_app.create_app(tmp_path).server.test_client()
    overview = post_callback(client, OVERVIEW_OUTPUTS,
                             {"overview-start.value": "0001-01-01", "overview-end.value": "9999-12-01",
                              "overview-sources.value": ["hn"], "overview-resolution.value": "month"},
                             {"example-pick.value": None, "overview-offered.data": None})
    assert overview.status_code == 200
    figure = overview.get_json()["response"]["overview-chart"]["children"]
    assert figure["props"]["role"] == "figure" and "Share of ML postings" in figure["props"]["aria-label"]
    chart = figure["props"]["children"]
    assert max(len(trace["x"]) for trace in chart["props"]["figure"]["data"] if "x" in trace) == 1
    # nothing offers to send the chart's data off the machine
    config = chart["props"]["config"]
    assert config["showSendToCloud"] is False and config["showEditInChartStudio"] is False
    assert "sendDataToCloud" in config["modeBarButtonsToRemove"]


@pytest.mark.parametrize("cell, rows", [
    ("x", [{"skill": "LLM"}]), ({"row": "a"}, [{"skill": "LLM"}]), ({"row": 0}, [{}]), ({"row": 0}, "abc"),
    ({"row": -1}, [{"skill": "LLM"}]), ({"row": 0}, [{"skill": ["LLM"]}]),
])
def test_a_table_click_made_by_hand_changes_nothing(tmp_path, cell, rows):
    make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2024-01"], "skills": [("LLM", "llm")]}])
    app = dashboard_app.create_app(tmp_path)
    # The table's output shares example-pick.value with the overview's, so Dash names it apart.
    (key,) = [key for key in app.callback_map if "example-pick.value@" in key]
    outputs = key.strip(".").split("...")
    response = post_callback(app.server.test_client(), outputs, {"top-skills.active_cell": cell},
                             {"top-skills.derived_viewport_data": rows})
    assert response.status_code == 204  # Dash's answer to PreventUpdate


SYNC_OUTPUTS = ["overview-url.search", "overview-start.value", "overview-end.value", "overview-sources.value",
                "overview-resolution.value"]
SYNC_STATE = {"overview-start.options": [{"label": "Jan 2024", "value": "2024-01-01"},
                                         {"label": "Feb 2024", "value": "2024-02-01"}],
              "overview-sources.options": [{"label": "Hacker News", "value": "hn"}]}


@pytest.mark.parametrize("search, start, sources, resolution", [
    ({"not": "text"}, "2024-01-01", ["hn"], "month"), ("?start=%ZZ&end[]=1", None, None, None),
    ("?start=2024-02", 5, "hn", ["month"]),
])
def test_an_address_or_selection_made_by_hand_gets_an_answer_not_a_server_error(tmp_path, search, start,
                                                                                  sources, resolution):
    make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2024-01", "2024-02"]}])
    client = dashboard_app.create_app(tmp_path).server.test_client()
    for changed in ("overview-url.search", "overview-start.value"):
        inputs = {"overview-url.search": search, "overview-start.value": start, "overview-end.value": "2024-02-01",
                  "overview-sources.value": sources, "overview-resolution.value": resolution}
        response = post_callback(client, SYNC_OUTPUTS, inputs, SYNC_STATE, changed=changed)
        assert response.status_code in (200, 204), response.get_data(as_text=True)


def test_a_changed_control_is_written_to_the_address_and_a_changed_address_to_the_controls(tmp_path):
    make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2024-01", "2024-02"]}])
    client = dashboard_app.create_app(tmp_path).server.test_client()
    selection = {"overview-start.value": "2024-02-01", "overview-end.value": "2024-02-01",
                 "overview-sources.value": ["hn"], "overview-resolution.value": "year"}
    written = post_callback(client, SYNC_OUTPUTS, {"overview-url.search": "", **selection}, SYNC_STATE,
                            changed="overview-start.value")
    assert written.get_json()["response"] == {"overview-url": {"search": "?start=2024-02&resolution=year"}}
    read = post_callback(client, SYNC_OUTPUTS, {"overview-url.search": "?end=2024-01", **selection}, SYNC_STATE)
    assert read.get_json()["response"] == {"overview-start": {"value": "2024-01-01"},
                                           "overview-end": {"value": "2024-01-01"},
                                           "overview-resolution": {"value": "month"}}


@pytest.mark.parametrize("host,elsewhere", [("127.0.0.1", False), ("localhost", False), ("::1", False),
                                            ("0.0.0.0", True), ("::", True), ("no-such-host.invalid", False)])
def test_a_host_other_machines_can_reach_is_told_apart(host, elsewhere):
    assert dashboard_app.reachable_from_elsewhere(host) is elsewhere


@pytest.mark.parametrize("host,warned", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_the_dashboard_command_warns_when_other_machines_can_reach_it(tmp_path, monkeypatch, host, warned):
    from click.testing import CliRunner

    from skilltrends.cli import cli
    monkeypatch.setattr(dashboard_app, "run", lambda **kw: None)
    monkeypatch.setattr(dashboard_app, "check_listenable", lambda host, port: None)
    (tmp_path / "home").mkdir()
    result = CliRunner().invoke(cli, ["dashboard", "--host", host, "--home", str(tmp_path / "home")])
    assert result.exit_code == 0, result.output
    assert ("answers anyone who can reach this machine" in result.output) is warned


def test_a_skill_picked_before_stays_picked_when_a_new_range_leaves_it_out_of_the_top(tmp_path):
    make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2024-01"], "skills": [("LLM", "llm")]},
                             {"posting_id": "b", "months": ["2023-06"], "skills": [("MongoDB", "other")]}])
    client = dashboard_app.create_app(tmp_path).server.test_client()
    overview = post_callback(client, OVERVIEW_OUTPUTS,
                             {"overview-start.value": "2024-01-01", "overview-end.value": "2024-01-01",
                              "overview-sources.value": ["hn"], "overview-resolution.value": "month"},
                             {"example-pick.value": "skill:MongoDB", "overview-offered.data": None})
    answer = overview.get_json()["response"]["example-pick"]
    assert answer["value"] == "skill:MongoDB"
    assert {"label": "MongoDB (not among this range's top skills)", "value": "skill:MongoDB"} in answer["options"]
    assert "skill:LLM" in {option["value"] for option in answer["options"]}
