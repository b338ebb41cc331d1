"""Settings: defaults, the user's file, environment and CLI overrides; unknown keys refused."""
from pathlib import Path

import pytest

from backoffice.settings import Settings, load_settings
from sheets_sync.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_documented_figures():
    s = load_settings(environ={})
    assert (s.presence.early_minutes, s.presence.grace_minutes) == (60, 15)
    assert (s.check.meal_ceilings["2026"]["restaurant"], s.check.km_min_rates["2025-03-01"]) == (21.40, 0.29)
    assert s.sheets.requests_per_minute == 60
    assert s.regions == ()


def test_file_then_environment_then_cli(tmp_path):
    path = write(tmp_path, '[presence]\ngrace_minutes = 20\n[[regions]]\ncode = "IDF"\nworkbook = "w/IDF.xlsx"\n')
    s = load_settings(path, environ={"BACKOFFICE_PRESENCE_EARLY_MINUTES": "45"},
                      overrides={"presence": {"grace_minutes": 10}})
    assert (s.presence.early_minutes, s.presence.grace_minutes) == (45, 10)
    assert s.region("idf").workbook == "w/IDF.xlsx"
    assert s.path(s.region("IDF").workbook) == tmp_path / "w" / "IDF.xlsx"


def test_frozen():
    with pytest.raises(Exception):
        load_settings(environ={}).presence.grace_minutes = 1  # type: ignore[misc]
    assert isinstance(load_settings(environ={}), Settings)


@pytest.mark.parametrize("text, message", [
    ("[presence]\ngrace = 5\n", "clé inconnue « presence.grace »"),
    ("[presnce]\ngrace_minutes = 5\n", "section inconnue « presnce »"),
    ('[[regions]]\ncode = "IDF"\nsheet = "x"\n', "clé inconnue « regions.sheet »"),
    ('[[regions]]\nname = "Sans code"\n', "une région sans « code »"),
    ('[[regions]]\ncode = "IDF"\n[[regions]]\ncode = "idf"\n', "un code de région apparaît deux fois"),
    ('[check.rules]\n"frais.doublon" = "grave"\n', "attendu off, erreur ou alerte"),
    ("[presence]\ngrace_minutes = \"quinze\"\n", "valeur « quinze » invalide pour presence.grace_minutes"),
])
def test_bad_config_names_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text), environ={})
    assert message in str(err.value)


def test_unknown_environment_key_is_an_error():
    with pytest.raises(ConfigError) as err:
        load_settings(environ={"BACKOFFICE_PRESENCE_GRACE": "5"})
    assert "clé inconnue « presence.grace »" in str(err.value)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="introuvable"):
        load_settings(tmp_path / "absent.toml", environ={})
    with pytest.raises(ConfigError, match="syntaxe TOML invalide"):
        load_settings(write(tmp_path, "[presence\n"), environ={})


def test_header_and_tab_overrides_merge_global_and_region(tmp_path):
    path = write(tmp_path, '[headers.Missions]\n"Date" = "Date mission"\n[tabs]\n"Missions" = "Missions 2026"\n'
                           '[[regions]]\ncode = "IDF"\nworkbook = "x.xlsx"\n[regions.headers.Missions]\n"Fin" = "Heure fin"\n')
    s = load_settings(path, environ={})
    region = s.region("IDF")
    assert s.header_overrides(region) == {"Missions": {"Date": "Date mission", "Fin": "Heure fin"}}
    assert s.tab_names(region) == {"Missions": "Missions 2026"}


def test_template_is_found_in_the_packaged_config():
    s = load_settings(environ={})
    assert s.template_path() == Path(s.config_dir) / "templates" / "mandat_fournisseur.docx"
    assert s.template_path().exists()


def test_an_environment_typo_is_blamed_on_the_variable():
    with pytest.raises(ConfigError) as err:
        load_settings(environ={"BACKOFFICE_PRESENCE_GRACE_MINUTE": "20"})
    assert str(err.value).startswith(
        "Variable d'environnement BACKOFFICE_PRESENCE_GRACE_MINUTE : clé inconnue « presence.grace_minute ».")


def test_a_bad_environment_value_is_blamed_on_the_variable():
    with pytest.raises(ConfigError) as err:
        load_settings(environ={"BACKOFFICE_PRESENCE_GRACE_MINUTES": "quinze"})
    assert str(err.value) == ("Variable d'environnement BACKOFFICE_PRESENCE_GRACE_MINUTES : valeur « quinze » "
                              "invalide pour presence.grace_minutes.")


def test_the_geocoder_url_has_one_variable():
    assert load_settings(environ={"BACKOFFICE_GEOCODE_URL": "http://127.0.0.1:9/"}).geocode.url == \
        "http://127.0.0.1:9/"


MALFORMED = {  # every kind of broken config a person or a tool can leave: a French message each, exit 2
    "utf16": "[suggest]\ndays = 3\n".encode("utf-16"), "binary": bytes(range(256)),
    "deep": ("a = " + "[" * 5000 + "]" * 5000 + "\n").encode(), "nan_days": b"[suggest]\ndays = nan\n",
    "inf_float": b"[suggest]\nroad_factor = inf\n", "nan_float": b"[suggest]\nroad_factor = nan\n",
    "huge_days": b"[suggest]\ndays = 100000000000000000000\n", "negative_days": b"[suggest]\ndays = -5\n",
    "fraction_days": b"[suggest]\ndays = 2.5\n", "table_wrong_type": b"suggest = 3\n",
    "section_array": b"[[suggest]]\ndays = 3\n", "regions_table": b"[regions]\ncode = 'X'\n",
    "regions_string": b"regions = 'IDF'\n", "region_not_table": b"regions = [1, 2]\n",
    "headers_wrong": b"[headers]\nMissions = 'x'\n", "headers_value_int": b"[headers.Missions]\nDate = 3\n",
    "region_headers_int": b"[[regions]]\ncode = 'IDF'\n[regions.headers.Missions]\nDate = 3\n",
    "tabs_wrong": b"tabs = 3\n", "rpm_zero": b"[sheets]\nrequests_per_minute = 0\n",
    "rpm_negative": b"[sheets]\nrequests_per_minute = -1\n", "accent_key": "[regions.headers.Salariés]\n".encode(),
    "bad_syntax": b"[suggest\ndays = 3\n", "dup_key": b"[suggest]\ndays = 3\ndays = 4\n",
    "rules_not_table": b"[check]\nrules = 'off'\n", "meal_wrong": b"[check.meal_ceilings]\n\"2026\" = 3\n",
    "km_wrong": b"[check.km_min_rates]\n\"hier\" = 0.3\n", "minor_night": b"[worktime]\nminor_night = 'x'\n",
    "minor_night_list": b"[worktime]\nminor_night = [1]\n",
    "region_code_slash": b"[[regions]]\ncode = '../..'\nworkbook = 'x.xlsx'\n", "bool_weird": b"[agency]\ndemo = [1]\n",
    "timeout_neg": b"[sheets]\ntimeout_s = -3\n", "unknown_key": b"[suggest]\ndayz = 3\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_config_is_a_french_message_naming_the_file(tmp_path, name):
    from click.testing import CliRunner

    from backoffice.cli import cli

    path = tmp_path / f"{name}.toml"
    path.write_bytes(MALFORMED[name])
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(path) in str(err.value) and "Traceback" not in str(err.value)
    result = CliRunner().invoke(cli, ["--config", str(path), "check"])
    assert result.exit_code == 2 and str(path) in result.output and "Traceback" not in result.output


def test_a_toml_error_gives_its_line_and_column_and_how_to_quote_an_accent(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[agency]\nname = \"x\"\n[regions.headers.Salariés]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert "ligne 3, colonne" in str(err.value) and '[regions.headers."Salariés"]' in str(err.value)
