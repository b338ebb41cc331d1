"""Kit tracking import: good lines applied, bad lines reported with their line number."""
from functools import partial
import datetime as dt

import pytest

from backoffice.jobs.kits import kits_import_step
from backoffice.jobs.runner import run_region
from backoffice.kit_tracking import read_tracking
from backoffice.settings import load_settings
from sheets_sync import InputError, MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 10, 18, 0)
SETTINGS = load_settings(overrides={"regions": [{"code": "IDF"}, {"code": "NORD"}]}, environ={})
IDF = SETTINGS.region("IDF")


def ordered(key, status="Commandé", tracking=""):
    return {"N° mission": key, "Kit": "KIT-A", "Salarié": "S0001", "Statut": "Confirmée",
            "Date": "12/11/2026", "Kit statut": status, "N° commande kit": f"K-IDF-{key}",
            "N° suivi": tracking}


def run(tmp_path, missions, text, encoding="utf-8-sig"):
    path = tmp_path / "suivi.csv"
    path.write_bytes(text.encode(encoding))
    backend = MemoryBackend(make_tabs(missions=missions))
    outcome = run_region(SETTINGS, IDF, [("kits-suivi", partial(kits_import_step, tracking_file=str(path)))], NOW,
                         workbook=Workbook(backend))
    assert outcome.error == "", outcome.trace
    return backend, outcome, outcome.results[0]


def cells(backend, key):
    rows = backend.tabs["Missions"]
    row = next(r for r in rows[1:] if r[0] == key)
    return row[rows[0].index("Kit statut")], row[rows[0].index("N° suivi")]


HEADER = "N° commande;Statut;N° suivi;Date\r\n"


def test_good_lines_applied_bad_lines_reported(tmp_path):
    missions = [ordered("M1"), ordered("M2", "Livré", "1Z1"), ordered("M3", "Expédié", "1Z3"),
                ordered("M4"), ordered("M5"), ordered("M6", "Livré", "1Z6")]
    text = HEADER + (
        "K-IDF-M1;Expédié;1Z999;09/11/2026\r\n"  # 2 applied
        "K-IDF-M9;Livré;1Z9;09/11/2026\r\n"  # 3 unknown
        "K-IDF-M2;Expédié;1Z1;08/11/2026\r\n"  # 4 backwards
        "K-IDF-M4;En cours;;09/11/2026\r\n"  # 5 unreadable status
        "K-IDF-M5;Livré;;31/02/2026\r\n"  # 6 unreadable date
        "k-idf-m3;livre;;2026-11-10 08:15\r\n"  # 7 applied, case and accents ignored, tracking kept
        "\r\n"
        "K-NORD-M1;Livré;;09/11/2026\r\n"  # 9 another region's order: not ours, not an error
        "K-IDF-M6;Livré;1Z6;09/11/2026\r\n"  # 10 same status: nothing changes
    )
    backend, outcome, result = run(tmp_path, missions, text)
    assert cells(backend, "M1") == ("Expédié", "1Z999")
    assert cells(backend, "M3") == ("Livré", "1Z3")
    assert cells(backend, "M2") == ("Livré", "1Z1")
    assert cells(backend, "M4") == ("Commandé", "")
    assert cells(backend, "M5") == ("Commandé", "")
    assert outcome.report.written == 3
    fix = "Faites corriger la ligne par le logisticien, puis réimportez le fichier"
    assert [(f.severity, f.key, f.message) for f in result.findings] == [
        ("erreur", "K-IDF-M9", "suivi.csv ligne 3 : N° commande « K-IDF-M9 » inconnu : aucune mission de "
         "Missions n'a ce N° commande kit. Vérifiez le numéro avec le logisticien ; ligne non appliquée."),
        ("alerte", "K-IDF-M2", "suivi.csv ligne 4 : statut « Expédié » alors que le kit de la mission M2 "
         "est déjà « Livré » (Missions!S3) : un statut ne revient pas en arrière. Vérifiez avec le "
         "logisticien ; ligne non appliquée."),
        ("erreur", "K-IDF-M4", f"suivi.csv ligne 5 : statut « En cours » illisible (attendu Expédié, Livré "
         f"ou Retourné). {fix} ; ligne non appliquée."),
        ("erreur", "K-IDF-M5", f"suivi.csv ligne 6 : date « 31/02/2026 » illisible (attendu JJ/MM/AAAA). "
         f"{fix} ; ligne non appliquée."),
    ]
    assert result.summary == [("lignes lues", 8), ("kits mis à jour", 2), ("déjà à jour", 1),
                              ("lignes rejetées", 4), ("lignes d'autres régions", 1)]
    assert result.attention()


def test_latin1_file_and_the_furthest_status_of_an_order_wins(tmp_path):
    text = HEADER + "K-IDF-M1;Livré;1Z2;10/11/2026\r\nK-IDF-M1;Expédié;1Z1;09/11/2026\r\n"
    backend, _, result = run(tmp_path, [ordered("M1")], text, encoding="latin-1")
    assert cells(backend, "M1") == ("Livré", "1Z2")
    assert result.findings == [] and not result.attention()


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path):
    text = HEADER + "K-IDF-M1;Retourné;1Z1;20/11/2026\r\n"
    _, _, result = run(tmp_path, [ordered("M1", "Retourné", "1Z1")], text)
    assert result.changes.is_empty()


def test_comma_separated_file_with_extra_columns(tmp_path):
    text = "Date,N° Commande,Transporteur,statut,N° SUIVI\n09/11/2026,K-IDF-M1,Colissimo,Expédié,6A1\n"
    backend, _, _ = run(tmp_path, [ordered("M1")], text, encoding="utf-8")
    assert cells(backend, "M1") == ("Expédié", "6A1")


def test_a_missing_column_is_an_input_error(tmp_path):
    path = tmp_path / "suivi.csv"
    path.write_text("N° commande;État;N° suivi;Date\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_tracking(path)
    assert str(err.value) == (
        "suivi.csv : colonne « Statut » introuvable. En-têtes trouvés : N° commande, État, N° suivi, "
        "Date. Attendu : N° commande ; Statut ; N° suivi ; Date.")


def test_an_empty_file_is_an_input_error(tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="vide.csv : fichier de suivi vide"):
        read_tracking(path)
