"""backoffice.ivr_log: the IVR export in its encodings, separators and date formats."""
import os

import pytest

from backoffice.ivr_log import LineProblem, newest_log, read_ivr_log
from sheets_sync.errors import InputError

HEADER = "date_appel;numero_appelant;code_saisi;resultat\n"


def write(tmp_path, text: str, name="svi.csv", encoding="utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def summary(log):
    return [(c.line, c.time.strftime("%Y-%m-%d %H:%M:%S"), c.phone, c.code, c.ok)
            for c in log.calls.itertuples(index=False)]


def test_latin1_semicolon_french_dates(tmp_path):
    path = write(tmp_path, "Date_Appel;Numéro appelant;Code saisi;Résultat\n"
                           "29/11/2026 08:55;06 12 34 56 78;0042;OK\n"
                           "29/11/2026 09:01:30;masqué;;ABANDON\n", encoding="latin-1")
    log = read_ivr_log(path)
    assert summary(log) == [(2, "2026-11-29 08:55:00", "+33612345678", "0042", True),
                            (3, "2026-11-29 09:01:30", "", "", False)]
    assert list(log.calls["number"]) == ["06 12 34 56 78", "masqué"]
    assert log.problems == []
    assert len(log.ok_calls) == 1


def test_utf8_bom_comma_iso_dates(tmp_path):
    text = ("\ufeffdate_appel,numero_appelant,code_saisi,resultat\n"
            "2026-11-29 08:55:00,+33612345678,S0042,ok\n"
            "2026-11-29T09:05,0033612345678,,OK\n"
            "2026-11-29T08:10:00+01:00,612345678,,OK\n"
            "2026-11-29T07:10:00Z,\"+33 6 12 34 56 78\",,OK\n")
    log = read_ivr_log(write(tmp_path, text))
    assert summary(log) == [
        (2, "2026-11-29 08:55:00", "+33612345678", "S0042", True),
        (3, "2026-11-29 09:05:00", "+33612345678", "", True),
        (4, "2026-11-29 08:10:00", "+33612345678", "", True),
        (5, "2026-11-29 08:10:00", "+33612345678", "", True),  # UTC brought to Paris time
    ]


def test_bad_lines_are_reported_and_the_good_ones_used(tmp_path):
    text = (HEADER
            + "29/11/2026 08:55;0612345678;1;OK\n"
            + "31/11/2026 08:56;0612345678;2;OK\n"
            + "\n"
            + "29/11/2026 08:57;0612345678\n"
            + "29/11/2026 08:58;0612345678;3;PEUT-ÊTRE\n"
            + ";0612345678;4;\n")
    log = read_ivr_log(write(tmp_path, text))
    assert list(log.calls["code"]) == ["1"]
    assert log.problems == [
        LineProblem(3, "date_appel", "ligne 3, colonne date_appel : date « 31/11/2026 08:56 » illisible "
                                     "(attendu JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM)"),
        LineProblem(5, "code_saisi", "ligne 5 : 2 champ(s), colonne code_saisi absente"),
        LineProblem(6, "resultat", "ligne 6, colonne resultat : résultat « PEUT-ÊTRE » inconnu "
                                   "(attendu OK, ABANDON ou ERREUR)"),
        LineProblem(7, "date_appel", "ligne 7, colonne date_appel : date vide illisible "
                                     "(attendu JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM)"),
        LineProblem(7, "resultat", "ligne 7, colonne resultat : résultat vide inconnu "
                                   "(attendu OK, ABANDON ou ERREUR)"),
    ]


def test_extra_columns_and_any_column_order(tmp_path):
    text = "resultat;id;code_saisi;date_appel;numero_appelant\nOK;77;42;29/11/2026 09:00;masqué\n"
    log = read_ivr_log(write(tmp_path, text))
    assert summary(log) == [(2, "2026-11-29 09:00:00", "", "42", True)]


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04\x00\x00binary", "svi.csv : ce n'est pas un fichier CSV (contenu binaire) ; "
                                  "exportez le journal du SVI au format CSV."),
    (b"", "svi.csv : fichier vide ; attendu l'export CSV du SVI (date_appel, numero_appelant, "
          "code_saisi, resultat)."),
    ("date;numero_appelant;code_saisi;resultat\n29/11/2026 09:00;x;1;OK\n".encode(),
     "svi.csv : colonne(s) obligatoire(s) date_appel introuvable(s) à la ligne 1 (en-têtes trouvés : "
     "date, numero_appelant, code_saisi, resultat). Attendu un CSV séparé par « ; » ou « , » avec "
     "date_appel, numero_appelant, code_saisi, resultat."),
    ((HEADER + "hier;0612345678;1;OK\n").encode(),
     "svi.csv : aucune ligne d'appel utilisable ; 1 ligne(s) illisible(s), dont : ligne 2, colonne "
     "date_appel : date « hier » illisible (attendu JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM). "
     "Vérifiez l'export du SVI (format : docs/workbook.md)."),
])
def test_unusable_files(tmp_path, content, message):
    path = tmp_path / "svi.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_ivr_log(path)
    assert str(err.value) == message


def test_a_folder_gives_its_newest_export(tmp_path):
    for name, mtime in (("svi_0800.csv", 1000), ("svi_0915.csv", 3000), ("svi_0830.csv", 2000),
                        ("notes.docx", 9000)):
        (tmp_path / name).write_text(HEADER)
        os.utime(tmp_path / name, (mtime, mtime))
    assert newest_log(tmp_path).name == "svi_0915.csv"
    assert newest_log(tmp_path / "svi_0800.csv").name == "svi_0800.csv"


def test_an_empty_folder_has_no_newest_export(tmp_path):
    assert newest_log(tmp_path) is None


def test_the_header_alone_is_a_log_with_no_call(tmp_path):
    path = tmp_path / "svi.csv"
    path.write_text(HEADER)
    log = read_ivr_log(path)
    assert log.calls.empty and log.problems == []
    assert list(log.calls.columns) == ["line", "time", "number", "phone", "code", "ok", "result"]


@pytest.mark.parametrize("number", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "612345678",
                                    "06.12.34.56.78", "01-42-00-00-01", "+33 9 70 00 00 00",
                                    "+32 470 12 34 56", "+33 (0)6 12 34 56 78", "masqué", "", "12"])
def test_caller_phone_agrees_with_the_contracts_parser(number):
    from backoffice.ivr_log import caller_phone
    from backoffice.jobs.presence import shown_phone
    from sheets_sync.parsing import display_phone, phone_or_empty

    assert caller_phone(number) == phone_or_empty(number)
    if caller_phone(number):
        assert shown_phone(caller_phone(number)) == display_phone(caller_phone(number))


def test_an_export_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "svi.csv"
    path.write_text(HEADER + "29/11/2026 09:00;0612345678;1;OK\n" * 100)
    with pytest.raises(InputError) as err:
        read_ivr_log(path, max_bytes=1000)
    assert str(err.value) == ("svi.csv : journal SVI de 0 Mo, plus que la limite de 0 Mo (réglage "
                              "limits.ivr_log_mb) ; vérifiez l'export du SVI (un export du jour suffit).")
