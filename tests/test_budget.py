"""Budget monitoring: the variance RAG at its exact boundaries, money parsing, importing a month (errors
named by file/row/column, atomic replacement), savings, trend, the monthly report's interface, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import openpyxl
import pytest
from typer.testing import CliRunner

from asc_assure.assurance import budget, risks
from asc_assure.assurance.workspace import Workspace, WorkspaceError
from asc_assure.cli import app
from asc_assure.domain import budget_rules as br

runner = CliRunner()
DEFAULT = br.VarianceThresholds.of("1.5", "1.1")


@pytest.fixture
def ws(tmp_path):
    return Workspace.for_store(tmp_path / "store")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# -- the variance RAG rule -------------------------------------------------------------------------------
@pytest.mark.parametrize(("forecast", "rag"), [
    (1_000_000_00, "green"),                 # on budget
    (950_000_00, "green"),                   # underspend is on track
    (1_010_999_99, "green"),                 # 1.0999999% adverse
    (1_011_000_00, "amber"),                 # exactly 1.1%: Amber (inclusive)
    (1_015_000_00, "amber"),                 # exactly 1.5%: still Amber
    (1_015_000_01, "red"),                   # one penny over 1.5%: Red
    (1_020_000_00, "red"),
])
def test_variance_rag_at_its_boundaries_on_a_one_million_budget(forecast, rag):
    assert br.variance_rag(1_000_000_00, forecast, DEFAULT) == rag


def test_rag_uses_exact_figures_not_the_rounded_percentage():
    # 1.5004% displays as "1.50%" but is above 1.5%: Red.
    assert br.variance_rag(10_000_000, 10_150_040, DEFAULT) == "red"
    assert f"{float(br.variance_pct(10_000_000, 10_150_040)):.2f}" == "1.50"
    # 1.0996% displays as "1.10%" but is below 1.1%: Green.
    assert br.variance_rag(10_000_000, 10_109_960, DEFAULT) == "green"
    # Figures whose percentage is not exact in binary floating point still land exactly on the bound.
    assert br.variance_pct(3_000, 3_045) == Fraction(3, 2)
    assert br.variance_rag(3_000, 3_045, DEFAULT) == "amber"


def test_income_lines_and_nil_budgets():
    # An income budget of -£1,000 that brings in only £980: variance +£20 is adverse, +2% of the budget's size.
    assert br.variance_pct(-100_000, -98_000) == 2 and br.variance_rag(-100_000, -98_000, DEFAULT) == "red"
    assert br.variance_pct(0, 500) is None and br.variance_rag(0, 500, DEFAULT) is None
    assert br.variance_rag(0, 0, DEFAULT) == "green"


def test_thresholds_are_configurable_and_checked():
    strict = br.VarianceThresholds.of(1, "0.5")
    assert br.variance_rag(100_00, 100_50, strict) == "amber" and br.variance_rag(100_00, 101_01, strict) == "red"
    with pytest.raises(ValueError, match="must not be above"):
        br.VarianceThresholds.of(1, 2)


@pytest.mark.parametrize(("text", "units", "pence"), [
    ("£1,234.50", "pounds", 123450), ("(1,234)", "pounds", -123400), ("-2.5", "thousands", -250000),
    ("250,201", "thousands", 25020100000), ("0.3", "millions", 30000000), (" 12 ", "pounds", 1200),
    ("1.005", "pounds", 101)])
def test_money_as_finance_exports_write_it(text, units, pence):
    assert br.to_pence(text, units) == pence


@pytest.mark.parametrize("bad", ["", "n/a", "12..3", "£", "nan"])
def test_money_that_is_not_money(bad):
    with pytest.raises(ValueError):
        br.to_pence(bad)


@pytest.mark.parametrize(("target", "forecast", "rag"), [(100, 100, "green"), (100, 99, "amber"), (100, 90, "amber"),
                                                         (100, 89, "red"), (100, None, None)])
def test_savings_rag_on_forecast_delivery_against_target(target, forecast, rag):
    assert br.savings_rag(target, forecast, br.SavingsThresholds.of(100, 90)) == rag


def test_months_and_financial_years():
    assert br.financial_year("2025-03") == "2024/25" and br.financial_year("2024-04") == "2024/25"
    assert br.financial_year_months("2024/25")[0] == "2024-04" and br.financial_year_months("2024-25")[-1] == "2025-03"
    with pytest.raises(ValueError, match="YYYY-MM"):
        br.parse_month("2024-13")
    with pytest.raises(ValueError, match="2024/25"):
        br.parse_financial_year("2024/26")


# -- importing ---------------------------------------------------------------------------------------------
GOOD = ("Service Area,Latest Budget,Forecast Spend\n"
        "Older people,\"1,000,000\",1015000\n"
        "Learning disabilities,2000000,2040000\n"
        "Mental health,500000,490000\n")


def test_import_loads_a_month_and_computes_variance_and_rag(ws, tmp_path):
    result = budget.import_file(ws, write(tmp_path / "sep.csv", GOOD), "2024-09", actor="alex")
    assert (result.rows_read, result.rows_loaded, result.errors, result.replaced_lines) == (3, 3, [], None)
    s = budget.month_summary(ws, "2024-09")
    assert [(ln["service_area"], ln["variance"], ln["rag"]) for ln in s["lines"]] == [
        ("Older people", 15000.0, "amber"), ("Learning disabilities", 40000.0, "red"),
        ("Mental health", -10000.0, "green")]
    assert s["totals"] == {"budget": 3500000.0, "forecast": 3545000.0, "variance": 45000.0,
                           "variance_pct": pytest.approx(45000 / 3500000 * 100), "rag": "amber"}  # 1.29%
    assert ws.changes("budget_month", "2024-09")[0]["action"] == "import"


def test_bad_rows_are_named_by_file_row_and_column_and_the_rest_load(ws, tmp_path):
    text = ("Service Area,Budget,Forecast Outturn\n"
            "Older people,1000,1010\n"
            ",200,210\n"
            "Carers,abc,100\n"
            "Older People,5,5\n"
            "Reablement,300,\n")
    result = budget.import_file(ws, write(tmp_path / "oct.csv", text), "2024-10", actor="alex")
    assert result.rows_loaded == 1 and result.rows_rejected == 4
    got = [(e["file"], e["row"], e["column"], e["reason"]) for e in result.errors]
    assert got == [("oct.csv", 3, "Service Area", "service area is blank"),
                   ("oct.csv", 4, "Budget", "budget 'abc' is not an amount of money"),
                   ("oct.csv", 5, "Service Area", "service area appears twice (first on row 2)"),
                   ("oct.csv", 6, "Forecast Outturn", "forecast outturn is blank")]
    assert "1 row(s) not loaded" not in result.message and "4 row(s) not loaded" in result.message


def test_reimporting_a_month_replaces_its_lines_atomically_and_says_so(ws, tmp_path):
    budget.import_file(ws, write(tmp_path / "a.csv", GOOD), "2024-09", actor="alex")
    budget.import_file(ws, write(tmp_path / "b.csv", GOOD), "2024-08", actor="alex")
    again = budget.import_file(ws, write(tmp_path / "c.csv", "Service,Budget,Forecast\nOlder people,10,11\n"),
                               "2024-09", actor="sam")
    assert again.replaced_lines == 3 and "replacing the 3 line(s) loaded before" in again.message
    assert [ln["service_area"] for ln in budget.month_lines(ws, "2024-09")] == ["Older people"]
    assert len(budget.month_lines(ws, "2024-08")) == 3  # other months untouched
    assert ws.changes("budget_month", "2024-09")[0]["action"] == "replace"


def test_a_file_with_no_valid_rows_never_wipes_the_month(ws, tmp_path):
    budget.import_file(ws, write(tmp_path / "a.csv", GOOD), "2024-09", actor="alex")
    bad = budget.import_file(ws, write(tmp_path / "bad.csv", "Service,Budget,Forecast\nX,abc,1\n"), "2024-09",
                             actor="alex")
    assert bad.rows_loaded == 0 and "existing lines were kept" in bad.message
    assert len(budget.month_lines(ws, "2024-09")) == 3


def test_a_failure_while_replacing_leaves_the_old_lines(ws, tmp_path, monkeypatch):
    budget.import_file(ws, write(tmp_path / "a.csv", GOOD), "2024-09", actor="alex")
    with pytest.raises(WorkspaceError):  # an unnamed actor makes the change log refuse, inside the transaction
        budget.load_lines(ws, "2024-09", [{"service_area": "New", "budget_pence": 1, "forecast_pence": 1}],
                          actor="", source="x")
    assert len(budget.month_lines(ws, "2024-09")) == 3


def test_whole_file_problems_name_the_file(ws, tmp_path):
    with pytest.raises(WorkspaceError, match=r"x\.csv: no forecast outturn column"):
        budget.import_file(ws, write(tmp_path / "x.csv", "Service,Budget\nA,1\n"), "2024-09", actor="a")
    with pytest.raises(WorkspaceError, match=r"scan\.pdf: is a PDF"):
        (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
        budget.import_file(ws, tmp_path / "scan.pdf", "2024-09", actor="a")
    with pytest.raises(WorkspaceError, match="--month '2024-9' is not a month"):
        budget.import_file(ws, write(tmp_path / "y.csv", GOOD), "2024-9", actor="a")


def test_excel_export_in_thousands_from_its_headings(ws, tmp_path):
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["Directorate", "Net Budget £000", "Projected Full Year Spend £000", "Month"])
    sheet.append(["Adult Services", 250201, 250201, "2024-09"])
    sheet.append(["Children's Services", 200448, 203963, "2024-09"])
    sheet.append(["Fire", 28676, 29326, "2024-08"])
    wb.save(tmp_path / "bmmr.xlsx")
    result = budget.import_file(ws, tmp_path / "bmmr.xlsx", "2024-09", actor="alex")
    assert result.units == "thousands" and result.rows_loaded == 2
    assert result.errors[0]["row"] == 4 and result.errors[0]["column"] == "Month"
    lines = {ln["service_area"]: ln for ln in budget.month_lines(ws, "2024-09")}
    assert lines["Children's Services"]["variance"] == 3_515_000.0 and lines["Children's Services"]["rag"] == "red"
    assert lines["Adult Services"]["rag"] == "green"
    with pytest.raises(WorkspaceError, match="headings say the figures are in £000"):
        budget.import_file(ws, tmp_path / "bmmr.xlsx", "2024-09", actor="alex", units="pounds")


def test_the_councils_september_2024_directorate_table_rates_as_published(ws, tmp_path):
    """Business Management and Monitoring Report, September 2024 (£000): R/G as the council published."""
    text = ("Directorate,Net Budget (£000),Projected Full Year Spend (£000)\n"
            "Adult Services,250201,250201\nChildren's Services,200448,203963\n"
            "Environment & Highways,69707,70307\nOxfordshire Fire & Rescue Service,28676,29326\n"
            "Resources and Law & Governance,57769,59089\n")
    budget.import_file(ws, write(tmp_path / "bmmr.csv", text), "2024-09", actor="alex")
    assert [ln["rag"] for ln in budget.month_lines(ws, "2024-09")] == ["green", "red", "green", "red", "red"]


# -- savings, trend and the monthly report's summary -------------------------------------------------------
def test_savings_position_as_at_a_month(ws):
    s = budget.add_scheme(ws, actor="alex", name="Reduce agency staff", financial_year="2024/25", target="900,000",
                          service_area="Assessment")
    budget.record_progress(ws, s["id"], actor="alex", month="2024-06", delivered=100000, forecast=900000)
    budget.record_progress(ws, s["id"], actor="alex", month="2024-09", delivered=250000, forecast=700000)
    june = budget.savings(ws, "2024-07")[0]
    assert (june["delivered"], june["forecast"], june["rag"]) == (100000.0, 900000.0, "green")
    sept = budget.savings(ws, "2025-03")[0]
    assert (sept["forecast"], sept["rag"]) == (700000.0, "red")
    assert budget.savings(ws, "2025-04") == []  # next financial year
    with pytest.raises(WorkspaceError, match="cannot be less than what has already been delivered"):
        budget.record_progress(ws, s["id"], actor="a", month="2024-10", delivered=500, forecast=400)
    with pytest.raises(WorkspaceError, match="not in the scheme's financial year"):
        budget.record_progress(ws, s["id"], actor="a", month="2025-04", delivered=1, forecast=1)
    with pytest.raises(WorkspaceError, match="already a savings scheme"):
        budget.add_scheme(ws, actor="a", name="reduce agency staff", financial_year="2024-25", target=1)
    assert [c["action"] for c in ws.changes("savings_scheme", s["id"])] == ["progress", "progress", "create"]


def test_month_summary_has_the_monthly_report_shape(ws, tmp_path):
    for month, forecast in (("2024-04", 1000000), ("2024-05", 1012000), ("2024-06", 1020000), ("2025-04", 1)):
        write(tmp_path / f"{month}.csv", f"Service,Budget,Forecast\nOlder people,1000000,{forecast}\n")
        budget.import_file(ws, tmp_path / f"{month}.csv", month, actor="alex")
    s = budget.month_summary(ws, "2024-05")
    assert set(s) == {"month", "lines", "totals", "savings", "trend"}
    assert set(s["lines"][0]) == {"service_area", "budget", "forecast", "variance", "variance_pct", "rag"}
    assert set(s["totals"]) == {"budget", "forecast", "variance", "variance_pct", "rag"}
    assert s["trend"] == [{"month": "2024-04", "budget": 1000000.0, "forecast": 1000000.0, "variance": 0.0},
                          {"month": "2024-05", "budget": 1000000.0, "forecast": 1012000.0, "variance": 12000.0}]
    assert [t["month"] for t in budget.trend(ws, "2024/25")] == ["2024-04", "2024-05", "2024-06"]
    assert budget.month_summary(ws, "2024-11")["totals"] is None


def test_a_store_can_set_its_own_variance_thresholds(ws, tmp_path):
    budget.import_file(ws, write(tmp_path / "a.csv", GOOD), "2024-09", actor="alex")
    risks.settings_override_path(ws).write_text("budget:\n  variance_rag:\n    red_above_pct: 1.0\n"
                                                "    amber_from_pct: 0.5\n")
    assert budget.month_lines(ws, "2024-09")[0]["rag"] == "red"  # 1.5% is now above Red's 1.0%
    risks.settings_override_path(ws).write_text("budget:\n  variance_rag:\n    red_above_pct: 1.0\n"
                                                "    amber_from_pct: 2\n")
    with pytest.raises(WorkspaceError, match="budget settings: amber_from_pct"):
        budget.month_lines(ws, "2024-09")


def test_demo_budget_covers_the_financial_year(tmp_path):
    ws = Workspace.for_store(tmp_path / "s")
    budget.seed_demo(ws, tmp_path / "s", dt.date(2025, 3, 31))
    assert budget.months(ws) == br.financial_year_months("2024/25")
    march = budget.month_summary(ws, "2025-03")
    assert len(march["lines"]) == 8 and {ln["rag"] for ln in march["lines"]} == {"red", "amber", "green"}
    assert len(march["savings"]) >= 3 and all(s["rag"] for s in march["savings"])
    assert all("demo" in i["source"] for i in budget.imports(ws))


# -- CLI ------------------------------------------------------------------------------------------------
def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("sub", [["import"], ["status"], ["trend"], ["savings"], ["savings", "list"],
                                 ["savings", "add"], ["savings", "update"]])
def test_every_budget_command_has_help(sub):
    result = cli("budget", *sub, "--help")
    assert result.exit_code == 0 and "Usage" in result.output


def test_cli_journey(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    f = write(tmp_path / "sep.csv", GOOD + "Carers,x,1\n")
    out = cli("budget", "import", f, "--store", store, "--month", "2024-09", "--actor", "alex")
    assert out.exit_code == 0, out.output
    assert "loaded 3 line(s) for September 2024" in out.output and "sep.csv row 5, column Latest Budget" in out.output
    again = json.loads(cli("budget", "import", f, "--store", store, "--month", "2024-09", "--json").output)
    assert again["replaced"] is True and again["replaced_lines"] == 3
    status = cli("budget", "status", "--store", store)
    assert "Older people" in status.output and "1.50%  Amber" in status.output
    assert json.loads(cli("budget", "trend", "--store", store, "--json").output)[0]["month"] == "2024-09"
    added = json.loads(cli("budget", "savings", "add", "--store", store, "--name", "TEC", "--year", "2024/25",
                           "--target", "600000", "--json").output)
    up = cli("budget", "savings", "update", added["id"], "--store", store, "--month", "2024-09", "--delivered",
             "100000", "--forecast", "550000")
    assert up.exit_code == 0 and "(Amber)" in up.output
    bad = write(tmp_path / "bad.csv", "Service,Budget,Forecast\nX,abc,1\n")
    rejected = cli("budget", "import", bad, "--store", store, "--month", "2024-10")
    assert rejected.exit_code == 2 and "nothing loaded" in rejected.output
    missing = cli("budget", "status", "--store", store, "--month", "2023-01")
    assert missing.exit_code == 2 and "no budget lines for 2023-01" in missing.output
