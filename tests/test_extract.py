"""`skilltrends extract`: JSON lines in and out, with the shipped models; bad lines don't stop it."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from etl.extract_cli import extract_lines
from etl.extraction import SkillTagger
from etl.taxonomy import load_taxonomy
from tests.helpers import PROJECT, run_cli


def extract(*records: str) -> list[dict]:
    sink = io.StringIO()
    extract_lines(io.StringIO("\n".join(records) + "\n"), sink)
    return [json.loads(line) for line in sink.getvalue().splitlines()]


def test_skills_with_offsets_evidence_and_families():
    text = ("Acme | Senior ML Engineer | Remote\nYou will train PyTorch models and serve them with Triton. "
            "Our go-to-market team loves Excel.")
    (out,) = extract(json.dumps({"id": "a1", "text": text}))
    names = {s["name"]: s for s in out["skills"]}
    assert {"PyTorch", "Triton"} <= names.keys() and "Go" not in names
    for skill in out["skills"]:
        assert text[skill["start"]:skill["end"]].lower() in skill["evidence"].lower()
    assert names["PyTorch"]["family"] == "classic_ml" and names["Triton"]["family"] == "mlops"
    assert out["families"] == sorted({s["family"] for s in out["skills"]})
    assert out["id"] == "a1" and isinstance(out["is_ml"], bool)
    assert set(out) == {"id", "is_ml", "families", "skills", "responsibilities"}


def test_the_r_of_r_cnn_is_no_r_but_r_after_it_is():
    text = "Train detection models (Mask R-CNN, Faster R-CNN) in PyTorch. Statistical analysis in R."
    candidates = SkillTagger(load_taxonomy()).skills.candidates(text)
    assert [c.start for c in candidates if text[c.start:c.end] == "R"] == [text.rindex("R")]


def test_a_skill_alone_in_a_requirement_line_is_found_and_another_meaning_is_not():
    # Job-board requirement lines with nothing technical around the word: the disambiguator
    # once rejected Kafka, Airflow and Snowflake in all three of these lines.
    bank = ("Data Engineer - Regional Bank\nWhat you bring:\n- Knowledge of Kafka is a plus\n"
            "- Understanding of airflow is required\n- Bachelor's degree in a related field\n"
            "Nice to have: Snowflake\nBenefits: 401(k) match, hybrid schedule")
    hvac = ("HVAC Service Technician\n- Diagnose low airflow complaints in rooftop units\n"
            "- EPA 608 certification required\n- Valid driver's license")
    # No negative context vetoes this airflow: the classifier itself must reject it.
    assert [hvac[c.start:c.end] for c in SkillTagger(load_taxonomy()).skills.candidates(hvac) if c.judge] == ["airflow"]
    found = [{s["name"] for s in out["skills"]} for out in extract(json.dumps({"text": bank}), json.dumps({"text": hvac}))]
    assert {"Kafka", "Airflow", "Snowflake"} <= found[0]
    assert "Airflow" not in found[1]


def test_html_input_is_converted_like_the_etl():
    (out,) = extract(json.dumps({"id": 7, "html": "<p>We use LangChain &amp; pgvector for RAG</p>"}))
    assert {"LangChain", "pgvector", "RAG"} <= {s["name"] for s in out["skills"]}


def test_bad_lines_give_error_objects_and_the_run_goes_on():
    out = extract('{"id": 1, "text": "Python and Go"}', "{not json", "[1, 2]", '{"id": 4}',
                  '{"id": 5, "text": "Rust"}')
    assert [o.get("id", o.get("line")) for o in out] == [1, 2, 3, 4, 5]
    assert [("error" in o) for o in out] == [False, True, True, True, False]
    assert "line 2" in out[1]["error"] and "not valid JSON" in out[1]["error"]
    assert {"Python", "Go"} <= {s["name"] for s in out[0]["skills"]}


def test_every_input_line_has_one_output_line_and_a_missing_id_is_null_not_the_line_number():
    out = extract('{"text": "PyTorch"}', "", '{"id": 1, "text": "Rust"}', "   ", '{"id": 1.5, "text": "Go"}')
    assert len(out) == 5
    assert out[0]["id"] is None and out[0]["line"] == 1 and "PyTorch" in {s["name"] for s in out[0]["skills"]}
    assert out[1] == {"line": 2, "error": "line 2 is empty."}
    assert out[2]["id"] == 1 and "line" not in out[2]
    assert out[3] == {"line": 4, "error": "line 4 is empty."}


def test_json_errors_name_the_column_once_and_a_line_end_is_no_control_character():
    (out,) = extract('{"id": 2, "text": "broken')
    assert out["error"] == "line 1 is not valid JSON: Unterminated string starting at column 19."


@pytest.mark.parametrize("line", ['{"id": NaN, "text": "PyTorch"}', '{"id": 1e999, "text": "PyTorch"}',
                                  '{"id": [-Infinity], "text": "PyTorch"}'])
def test_numbers_json_cannot_carry_are_an_error_and_every_output_line_is_strict_json(line):
    sink = io.StringIO()
    extract_lines(io.StringIO(line + '\n{"id": 2, "text": "Go and Rust"}\n'), sink)
    strict = [json.loads(row, parse_constant=lambda name: pytest.fail(f"{name} in the output"))
              for row in sink.getvalue().splitlines()]
    assert strict[0] == {"line": 1, "error": "line 1 holds a number JSON cannot carry (NaN, Infinity or "
                                             "beyond ±1.8e308)."}
    assert strict[1]["id"] == 2


def test_a_utf16_line_says_so_instead_of_a_json_error():
    (out,) = extract('{"id": 1, "text": "PyTorch"}'.encode("utf-16-le").decode("utf-8", "replace"))
    assert out == {"line": 1, "error": "line 1 is not UTF-8 text (it holds NUL characters: UTF-16?)."}


def test_responsibilities_are_labelled_sentences_of_the_text():
    text = ("Acme | Machine Learning Engineer | NYC\n"
            "What you'll do:\n- Train and fine-tune deep learning models for ranking\n"
            "- Deploy models to production and monitor them\nAbout us: we sell shoes.")
    (out,) = extract(json.dumps({"id": 1, "text": text}))
    for duty in out["responsibilities"]:
        assert duty["sentence"] in text and duty["label"]


def test_a_title_is_read_beside_the_text_and_offsets_index_the_text():
    # As in the ETL: the title weighs in is_ml, and a skill only it names is reported without
    # offsets (they index the text), the title as its evidence.
    text = "Join our team to build the future of AI-powered logistics. Our stack is Python and Kubernetes."
    as_engineer, as_manager, untitled = extract(
        json.dumps({"id": 1, "title": "Machine Learning Engineer", "text": text}),
        json.dumps({"id": 2, "title": "Office Manager", "text": text}),
        json.dumps({"id": 3, "text": text}))
    assert (as_engineer["is_ml"], as_manager["is_ml"]) == (True, False), "the titles should decide is_ml here"
    in_title = [s for s in as_engineer["skills"] if s["start"] is None]
    assert [(s["name"], s["end"], s["evidence"]) for s in in_title] == [
        ("machine learning", None, "Machine Learning Engineer")]
    # Said in so many words, and after the text's skills, so text order holds for the others.
    assert [s["where"] for s in as_engineer["skills"]] == ["text"] * len(untitled["skills"]) + ["title"]
    for out in (as_engineer, as_manager):
        assert [s for s in out["skills"] if s["start"] is not None] == untitled["skills"]
        for skill in untitled["skills"]:
            assert text[skill["start"]:skill["end"]].lower() == skill["name"].lower()


def test_the_command_reads_files_and_stdin(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "x", "text": "Kubernetes and MLflow"}\n', encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = run_cli("extract", "--in", str(source), "--out", str(target))
    assert result.returncode == 0, result.stderr
    (out,) = [json.loads(line) for line in target.read_text().splitlines()]
    assert {"Kubernetes", "MLflow"} <= {s["name"] for s in out["skills"]}


def test_a_byte_order_mark_is_skipped_and_in_and_out_being_one_file_is_refused(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes('{"id": 1, "text": "Kubernetes"}\n'.encode("utf-8-sig"))
    result = run_cli("extract", "--in", str(source))
    assert result.returncode == 0, result.stderr
    assert "Kubernetes" in {s["name"] for s in json.loads(result.stdout)["skills"]}
    lines = "".join(json.dumps({"id": n, "text": "PyTorch"}) + "\n" for n in range(2500))
    source.write_text(lines, encoding="utf-8")
    (tmp_path / "link.jsonl").symlink_to(source)
    result = run_cli("extract", "--in", str(source), "--out", str(tmp_path / "link.jsonl"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: --out is the file read")
    with source.open("rb") as stdin:  # `skilltrends extract --out in.jsonl < in.jsonl`
        result = subprocess.run([sys.executable, "-m", "skilltrends", "extract", "--out", str(source)], stdin=stdin,
                                capture_output=True, text=True, cwd=PROJECT, timeout=300)
    assert result.returncode == 1 and "--out is the file read" in result.stderr
    assert source.read_text(encoding="utf-8") == lines


def test_a_lone_surrogate_is_read_as_a_replacement_character_and_offsets_hold():
    out = extract('{"id": "\\udc00x", "text": "We use Python and Go \\ud800 daily with PyTorch"}',
                  '{"id": 2, "html": "<p>Rust \\udfff and Kafka</p>", "title": "ML \\ud83d"}')
    text = "We use Python and Go \ufffd daily with PyTorch"
    assert out[0]["id"] == "\ufffdx"
    for skill in out[0]["skills"]:
        assert text[skill["start"]:skill["end"]].lower() == skill["name"].lower()
    assert {"Python", "Go", "PyTorch"} <= {s["name"] for s in out[0]["skills"]}
    assert {"Rust", "Kafka"} <= {s["name"] for s in out[1]["skills"]}


def test_odd_white_space_is_read_as_one_space_and_offsets_index_the_text_as_sent():
    text = "We do machine\u00a0learning,  computer \t vision\r\nand large  language\u2009models. Python\tand SQL."
    (out,) = extract(json.dumps({"id": "w", "text": text}))
    found = {s["name"]: text[s["start"]:s["end"]] for s in out["skills"]}
    assert found["machine learning"] == "machine\u00a0learning"
    assert found["computer vision"] == "computer \t vision"
    assert found["LLM"] == "large  language\u2009models"
    assert found["Python"] == "Python" and found["SQL"] == "SQL"
    evidence = {s["name"]: s["evidence"] for s in out["skills"]}
    assert "computer vision" in evidence["computer vision"]  # the sentence as read



ABOUT_CORVID = (
    "Corvid builds machine learning models that predict equipment failures for wind farms. Our AI "
    "platform scores sensor data from 4,000 turbines every minute, and our applied science team "
    "trains deep learning models on ten years of vibration and weather data.\n\n"
)
BENEFITS = (
    "\nBenefits\n- Medical, dental and vision from day one\n- 401(k) with a 4% match\n"
    "- Remote-first, with quarterly team weeks in Denver\n\n"
    "Corvid is an equal opportunity employer. We welcome applicants of every background."
)


def test_a_job_board_role_next_to_ml_work_is_told_from_an_ml_role():
    """Job-board descriptions surround every role with the company's AI; the role decides.
    (The is_ml model before the board-shaped copy of its features called the recruiter ML.)"""
    recruiter = (
        "Technical Recruiter, Machine Learning\nCorvid - Denver, CO (Remote)\n\nAbout Corvid\n" + ABOUT_CORVID
        + "About the role\nWe are doubling our applied science team this year, and you will find the machine "
        "learning engineers and research scientists who join it.\n\nWhat you'll do\n- Run full-cycle searches "
        "for ML engineers, data scientists and MLOps engineers\n- Source candidates through referrals, "
        "conferences and open-source communities\n- Partner with hiring managers on scorecards and interview "
        "loops\n- Report weekly on pipeline health to the leadership team\n\nWhat you bring\n- 3+ years of "
        "technical recruiting, ideally for machine learning or research roles\n- Enough fluency to talk about "
        "model training and deployment with candidates\n- Excellent organisation and writing\n" + BENEFITS)
    scientist = (
        "Senior Machine Learning Engineer, Failure Prediction\nCorvid - Denver, CO (Remote)\n\nAbout Corvid\n"
        + ABOUT_CORVID + "About the role\nYou will train and ship the models that warn our customers "
        "before a gearbox fails.\n\nWhat you'll do\n- Train gradient-boosted and sequence models on "
        "turbine sensor data\n- Deploy models behind our scoring service and monitor them for drift\n"
        "- Run backtests with site engineers and turn their feedback into features\n\nWhat you bring\n"
        "- 4+ years building production ML systems in Python\n- PyTorch or XGBoost; Spark\n" + BENEFITS)
    recruiter_out, scientist_out = extract(json.dumps({"id": "r", "text": recruiter}),
                                           json.dumps({"id": "s", "text": scientist}))
    assert recruiter_out["is_ml"] is False
    assert scientist_out["is_ml"] is True


def test_a_dock_worker_a_sales_lead_and_a_power_station_are_not_tools():
    """docker, SQL and HPC are judged words since taxonomy 2026.11.25: the words around them
    decide (before, every occurrence was taken for the tool)."""
    dock, sales, site, backend = extract(
        json.dumps({"id": "d", "text": "Harwich Container Terminal | Dock Operative | Harwich, UK\nWe need an "
                    "experienced docker for night shifts on the container berth: lashing, unlashing and hatch "
                    "covers. Forklift ticket a plus."}),
        json.dumps({"id": "s", "text": "Sales Development Representative\nYou will qualify inbound leads and "
                    "hand every SQL to an account executive within a day.\nBase plus commission; HubSpot "
                    "experience preferred."}),
        json.dumps({"id": "h", "text": "Site Engineer, HPC Project\nJoin the civils team on the Hinkley Point C "
                    "(HPC) new-build in Somerset."}),
        json.dumps({"id": "b", "text": "Acme | Backend Engineer | Remote\nWe run Go services on Postgres.\n"
                    "Requirements:\n- Docker\n- SQL\n- Terraform is a plus"}))
    assert not {"Docker", "SQL", "HPC"} & {s["name"] for out in (dock, sales, site) for s in out["skills"]}
    assert {"Docker", "SQL", "Terraform"} <= {s["name"] for s in backend["skills"]}


def test_a_loan_officer_and_a_school_nurse_name_no_agi_or_computer_vision():
    """AGI and "computer vision" are judged when alone since taxonomy 2026.11.26: other
    trades use the words too (before, every occurrence was taken for the skill)."""
    loans, nurse, startup = extract(
        json.dumps({"id": "l", "text": "Loan Officer\nCheck each applicant's AGI against two years of returns "
                    "before the file goes to underwriting."}),
        json.dumps({"id": "n", "text": "School Nurse\nScreen pupils' eyesight and advise parents on screen time "
                    "and computer vision syndrome."}),
        json.dumps({"id": "s", "text": STARTUP}))
    assert not {"AGI", "computer vision"} & {s["name"] for out in (loans, nurse) for s in out["skills"]}
    assert {"AI", "machine learning"} <= {s["name"] for s in startup["skills"]}


STARTUP = ("Northwind | Founding Engineer | Remote\nOur AI reads shipping invoices so clerks don't have to. "
           "You'll ship features end to end.\n\nAGI can wait; useful ML ships today.")


# Known misses, written with the tests above before the classifier was trained on the
# words' contexts (docs/extraction.md, taxonomy 2026.11.26): strict, so a fix shows.
@pytest.mark.xfail(strict=True, reason="known miss: other meanings of AI and ML in new wording are taken")
@pytest.mark.parametrize("text, skill", [
    ("Herdsperson – Brookfield Dairy\nCalving, milking rota and heat detection; we breed by AI, so experience "
     "as an AI technician is welcome.", "AI"),
    ("Kitchen Porter\nPortion the sauces into 50 ML ramekins before each service and keep the pass tidy.",
     "machine learning"),
])
def test_other_trades_ai_and_ml_are_no_skill(text, skill):
    result, = extract(json.dumps({"id": "x", "text": text}))
    assert skill not in {s["name"] for s in result["skills"]}


@pytest.mark.xfail(strict=True, reason="known miss: 'AGI can wait' is not taken for AGI")
def test_agi_in_a_startups_prose_is_the_skill():
    result, = extract(json.dumps({"id": "s", "text": STARTUP}))
    assert "AGI" in {s["name"] for s in result["skills"]}
