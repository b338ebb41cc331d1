"""``backoffice report``: the figures on a hand-built region, the Synthèse tab, the page."""
import datetime as dt
import json
import re

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from generators.report_page import RegionPage
from rules.dashboard import RegionFigures, anomaly_trend
from tests.factories import make_tabs, write_xlsx

NOW = "2026-11-30 10:30"  # a Monday


def staffed(key, date, start, employee, **cells):
    return {"N° mission": key, "Date": date, "Début": start, "Fin": "18:00", "Salarié": employee,
            "Statut": "Confirmée", "Contrat": "Signé", "Mandat": "Accusé", **cells}


def employees():
    return [{"Matricule": f"S000{i}", "Téléphone": f"06 12 34 56 7{i}", "Nom": f"Nom{i}"} for i in range(1, 6)]


MISSIONS = [
    staffed("M01", "30/11/2026", "09:00", "S0001", **{"Présence": "Confirmée", "Heure appel": "08:55"}),
    staffed("M02", "30/11/2026", "09:30", "S0002", **{"Présence": "En retard", "Heure appel": "09:41"}),
    staffed("M03", "30/11/2026", "10:00", "S0003", **{"Présence": "Manquante", "Contrat": "Envoyé"}),
    staffed("M04", "30/11/2026", "10:15", "S0004"),
    staffed("M05", "30/11/2026", "14:00", "S0005", Mandat="Généré"),
    {"N° mission": "M06", "Date": "01/12/2026", "Suggestions": "1. S0001 (à 3 km)"},
    {"N° mission": "M07", "Date": "02/12/2026"},
    {"N° mission": "M12", "Date": "02/12/2026", "Suggestions": "Aucun candidat : 2 trop loin, 1 non formé"},
    staffed("M08", "03/12/2026", "09:00", "S0001", Mandat="Envoyé", Kit="KIT-A",
            **{"Mandat suivi": "À appeler : escalade du 29/11/2026"}),
    staffed("M09", "01/12/2026", "09:00", "S0002", Mandat="Refusé", Kit="KIT-B", **{"Kit statut": "Expédié"}),
    staffed("M10", "25/11/2026", "09:00", "S0003", Statut="Réalisée", Kit="KIT-C",
            **{"Kit statut": "Livré", "Présence": "Confirmée"}),
    staffed("M11", "30/11/2026", "09:00", "S0005", Statut="Annulée"),
]


@pytest.fixture()
def region(tmp_path):
    path = tmp_path / "IDF.xlsx"
    write_xlsx(path, make_tabs(employees=employees(), missions=MISSIONS,
                               expenses=[{"N° note": "N1"}, {"N° note": "N2", "Statut": "Validée"}]))
    return path


def report(path, *args, now=NOW):
    result = CliRunner().invoke(cli, ["--workbook", str(path), "--now", now, *args, "report",
                                      "--out", str(path.parent / "pages")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_the_figures_of_a_hand_built_region(region):
    result = report(region, "--json")
    team = json.loads(result.output)["team"]
    figures = {(f["section"], f["label"]): f["value"] for f in team["regions"][0]["figures"]}
    assert figures == {
        ("Aujourd'hui", "Missions du jour"): 5, ("Aujourd'hui", "Commencées"): 4,
        ("Aujourd'hui", "Présence confirmée"): 1, ("Aujourd'hui", "En retard"): 1,
        ("Aujourd'hui", "Manquantes, à appeler"): 1, ("Aujourd'hui", "Sans nouvelles"): 1,
        ("À pourvoir", "Missions sur 7 jours"): 10, ("À pourvoir", "À pourvoir avec candidat"): 1,
        ("À pourvoir", "À pourvoir sans candidat"): 2,  # « Aucun candidat … », and not yet suggested
        ("Mandats", "À envoyer"): 1, ("Mandats", "Envoyés non accusés, échéance proche"): 1,
        ("Mandats", "Refusés"): 1, ("Mandats", "Magasins à appeler (escalade)"): 1,
        ("Kits", "À commander"): 1, ("Kits", "Non livrés pour demain"): 1, ("Kits", "Non retournés"): 1,
        ("Dossiers", "Contrats non signés"): 1, ("Dossiers", "Comptes rendus manquants"): 1,
        ("Dossiers", "Notes de frais en attente"): 1,
        ("Anomalies", "Erreurs"): figures[("Anomalies", "Erreurs")],
        ("Anomalies", "Alertes"): figures[("Anomalies", "Alertes")],
    }
    days = [(d["day"], d["missions"], d["staffed"], d["with_candidate"], d["without_candidate"])
            for d in team["regions"][0]["days"]]
    assert days[:4] == [("30/11/2026", 5, 5, 0, 0), ("01/12/2026", 2, 1, 1, 0),
                        ("02/12/2026", 2, 0, 0, 2), ("03/12/2026", 1, 1, 0, 0)]
    assert team["regions"][0]["last_call"] == "09:41"


def test_the_anomaly_figures_are_the_checks_findings(region):
    team = json.loads(report(region, "--json").output)["team"]
    figures = {f["label"]: f["value"] for f in team["regions"][0]["figures"] if f["section"] == "Anomalies"}
    check = json.loads(CliRunner().invoke(cli, ["--workbook", str(region), "--now", NOW, "--json", "--dry-run",
                                                "check"]).output)
    found = check["regions"][0]["steps"][0]["findings"]
    assert figures == {"Erreurs": sum(f["severity"] == "erreur" for f in found),
                       "Alertes": sum(f["severity"] == "alerte" for f in found)}
    by_rule = {(rule, severity): n for rule, severity, n in team["regions"][0]["anomalies"]}
    assert by_rule[("rapport.cr_manquant", "alerte")] == 1


def test_the_synthese_tab_holds_the_figures_and_is_not_rewritten_when_nothing_changed(region):
    first = report(region)
    assert first.exit_code in (0, 1), first.output
    assert "Synthèse : 30 ligne(s), Journal +1" in first.output
    rows = list(openpyxl.load_workbook(region)["Synthèse"].iter_rows(values_only=True))
    assert rows[0] == ("Rubrique", "Indicateur", "Valeur", "Cellule")
    assert rows[1] == ("Synthèse", "Mise à jour", "30/11/2026 10:30", None)
    assert rows[2] == ("Aujourd'hui", "Missions du jour", "5", "Missions!G2")
    assert rows[5] == ("Aujourd'hui", "En retard", "1", "Missions!V3")
    assert rows[-8] == ("À pourvoir", "Couverture du 30/11", "100 %", None)
    assert rows[-7] == ("À pourvoir", "Couverture du 01/12", "50 %", None)
    assert rows[-1][:2] == ("Tendance", "Anomalies, semaine du 30/11/2026")
    before = region.read_bytes()
    again = report(region, now="2026-11-30 10:45")  # later, but no figure moved
    assert "report     indicateurs 21 · Synthèse à jour" in again.output
    assert "Écriture : 0 cellule(s) écrite(s), Journal +0" in again.output
    assert region.read_bytes() == before


TOOLS_TABS = ("Synthèse", "Journal", "Anomalies", "État", "Envois")  # the tool's own (created at its first write)


def test_no_tab_the_people_edit_is_written(region):
    before = {ws.title: list(ws.iter_rows(values_only=True)) for ws in openpyxl.load_workbook(region)
              if ws.title not in TOOLS_TABS}
    report(region)
    after = {ws.title: list(ws.iter_rows(values_only=True)) for ws in openpyxl.load_workbook(region)
             if ws.title not in TOOLS_TABS}
    assert after == before


def test_dry_run_writes_neither_the_tab_nor_the_page(region):
    result = report(region, "--dry-run")
    assert "Simulation (--dry-run)" in result.output
    assert "Synthèse" not in openpyxl.load_workbook(region).sheetnames
    assert not (region.parent / "pages").exists()


def test_the_page_is_written_after_the_sheet_and_named_for_the_day(region):
    result = report(region)
    page = region.parent / "pages" / "rapport-2026-11-30.html"
    assert result.output.splitlines()[-1] == f"Fichier : {page}"
    html = page.read_text(encoding="utf-8")
    for fetch_or_run in ("<script", "src=", "<link", "@import"):  # nothing to run, nothing to fetch
        assert fetch_or_run not in html
    assert not re.search(r"url\((?!#)", html)  # only the charts' own clip paths
    assert 'href="https://' not in html  # an .xlsx region links to its file,
    assert 'href="../IDF.xlsx"' in html and "file://" not in html  # relative to the page: any machine
    assert (page.parent / "../IDF.xlsx").resolve() == region.resolve()


def test_an_anomaly_trend_from_the_journal_rewrites():
    journal = pd.DataFrame({
        "Horodatage": ["2026-11-10 07:00:00", "2026-11-12 07:00:00", "2026-11-19 07:00:00", "bad", "2026-11-20 07:00:00"],
        "Onglet": ["Anomalies", "Anomalies", "Anomalies", "Anomalies", "Missions"],
        "Nouvelle valeur": ["12 lignes", "9 lignes", "4 lignes", "3 lignes", "x"],
    })
    trend = anomaly_trend(journal, dt.datetime(2026, 11, 30, 10, 30), current=6, weeks=5)
    assert trend == [(dt.date(2026, 11, 9), 9), (dt.date(2026, 11, 16), 4), (dt.date(2026, 11, 23), 4),
                     (dt.date(2026, 11, 30), 6)]  # 2 Nov: before the first rewrite, left out


def test_the_trend_is_kept_in_synthese_and_outlives_the_journal():
    from rules.dashboard import TREND, synthese_rows, trend_history

    rows = [["Synthèse", "Mise à jour", "23/11/2026 10:00", ""],
            [TREND, "Anomalies, semaine du 09/11/2026", "12", ""],
            [TREND, "Anomalies, semaine du 16/11/2026", "9", ""],
            [TREND, "Anomalies, semaine du 31/02/2026", "9", ""],  # not a date: ignored
            [TREND, "Anomalies, semaine du 23/11/2026", "beaucoup", ""]]  # not a count: ignored
    history = trend_history(rows)
    assert history == {dt.date(2026, 11, 9): 12, dt.date(2026, 11, 16): 9}
    empty = pd.DataFrame({"Horodatage": [], "Onglet": [], "Nouvelle valeur": []})  # the Journal archived
    trend = anomaly_trend(empty, dt.datetime(2026, 11, 30, 10, 30), current=6, weeks=5, history=history)
    assert trend == [(dt.date(2026, 11, 9), 12), (dt.date(2026, 11, 16), 9), (dt.date(2026, 11, 23), 9),
                     (dt.date(2026, 11, 30), 6)]
    figures = RegionFigures("IDF", "Île-de-France", dt.datetime(2026, 11, 30, 10, 30), trend=trend)
    written = synthese_rows(figures, rows)
    assert [r[1:3] for r in written if r[0] == TREND] == [
        ["Anomalies, semaine du 09/11/2026", "12"], ["Anomalies, semaine du 16/11/2026", "9"],
        ["Anomalies, semaine du 23/11/2026", "9"], ["Anomalies, semaine du 30/11/2026", "6"]]
    assert trend_history(written[1:]) == dict(trend)


def test_a_google_region_links_to_the_tab_and_the_cell():
    page = RegionPage(RegionFigures("IDF", "Île-de-France", dt.datetime(2026, 11, 30)), spreadsheet="abc123",
                      sheet_ids={"Missions": 42})
    assert page.href("Missions!V3") == "https://docs.google.com/spreadsheets/d/abc123/edit#gid=42&range=V3"
    assert page.href("") == "https://docs.google.com/spreadsheets/d/abc123/edit"
