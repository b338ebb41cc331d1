import pytest

from rules.mandates import mandate_data
from rules import mandate_rules
from rules.registry import RuleContext, all_rules
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs
from tests.mandates_helpers import NOW, settings, staffed

# NOW is Friday 20/11/2026; the stores' « Délai mandat » is 7 unless said otherwise.


def findings(func, mission: dict, delay=7, extra=None, store=None):
    tabs = make_tabs(missions=[staffed(**mission)], stores=[{"Délai mandat": delay, **(store or {})}])
    data = Workbook(MemoryBackend(tabs)).load()
    ctx = RuleContext(data, settings(), NOW, mandate_records=extra(data) if callable(extra) else (extra or {}))
    return func(ctx)


@pytest.mark.parametrize("mission, delay, fires", [
    ({"Date": "25/11/2026", "Mandat": ""}, 7, True),
    ({"Date": "25/11/2026", "Mandat": "Généré"}, 7, True),
    ({"Date": "25/11/2026", "Mandat": "À refaire"}, 7, True),
    ({"Date": "27/11/2026", "Mandat": "À générer"}, 7, True),       # exactly 7 days
    ({"Date": "23/11/2026", "Mandat": ""}, 7, True),                # 3 days
    ({"Date": "25/11/2026", "Mandat": "Envoyé"}, 7, False),
    ({"Date": "25/11/2026", "Mandat": "Accusé"}, 7, False),
    ({"Date": "25/11/2026", "Mandat": "Refusé"}, 7, False),         # mandat.refuse says it
    ({"Date": "28/11/2026", "Mandat": ""}, 7, False),               # 8 days
    ({"Date": "28/11/2026", "Mandat": ""}, 10, True),
    ({"Date": "28/11/2026", "Mandat": ""}, None, False),            # empty: default 7
    ({"Date": "22/11/2026", "Mandat": ""}, 7, False),               # 2 days: mandat.non_accuse
    ({"Date": "25/11/2026", "Mandat": "", "Statut": "À pourvoir"}, 7, False),
    ({"Date": "25/11/2026", "Mandat": "", "Statut": "Annulée"}, 7, False),
    ({"Date": "25/11/2026", "Mandat": "", "Salarié": ""}, 7, False),
    ({"Date": "19/11/2026", "Mandat": ""}, 7, False),               # past
])
def test_not_sent_in_time(mission, delay, fires):
    assert bool(findings(mandate_rules.not_sent_in_time, mission, delay)) == fires


def test_not_sent_in_time_message():
    [f] = findings(mandate_rules.not_sent_in_time, {"Date": "25/11/2026", "Mandat": "Généré"})
    assert (f.rule, f.severity, f.cell, f.key) == ("mandat.non_envoye", "alerte", "Missions!P2", "M0001")
    assert f.message == (
        "Missions!P2 : mandat « Généré » alors que la mission du 25/11/2026 au magasin C001 est dans 5 jours "
        "et que le magasin veut le mandat 7 jours avant ; envoyez-le (backoffice mandates --send).")


@pytest.mark.parametrize("mission, fires", [
    ({"Date": "20/11/2026", "Mandat": "Envoyé"}, True),     # today
    ({"Date": "22/11/2026", "Mandat": "Généré"}, True),
    ({"Date": "22/11/2026", "Mandat": ""}, True),
    ({"Date": "22/11/2026", "Mandat": "Accusé"}, False),
    ({"Date": "22/11/2026", "Mandat": "Refusé"}, False),    # mandat.refuse says it
    ({"Date": "23/11/2026", "Mandat": "Envoyé"}, False),    # 3 days
    ({"Date": "22/11/2026", "Mandat": "Envoyé", "Statut": "Annulée"}, False),
    ({"Date": "22/11/2026", "Mandat": "Envoyé", "Statut": "Réalisée"}, False),
    ({"Date": "19/11/2026", "Mandat": "Envoyé"}, False),
])
def test_not_acknowledged(mission, fires):
    assert bool(findings(mandate_rules.not_acknowledged, mission)) == fires


def test_not_acknowledged_message():
    [f] = findings(mandate_rules.not_acknowledged, {"Date": "21/11/2026", "Mandat": "Envoyé"})
    assert (f.rule, f.severity) == ("mandat.non_accuse", "erreur")
    assert f.message == (
        "Missions!P2 : mandat « Envoyé », non accusé par le magasin C001, pour une mission demain "
        "(21/11/2026) ; appelez le magasin pour confirmer la réception, puis mettez Mandat à « Accusé ».")
    [f] = findings(mandate_rules.not_acknowledged, {"Date": "21/11/2026", "Mandat": ""})  # never sent
    assert f.message == (
        "Missions!P2 : mandat non préparé, jamais envoyé au magasin C001, pour une mission demain (21/11/2026) ; "
        "générez-le et envoyez-le (backoffice mandates --send), appelez le magasin pour qu'il le confirme, "
        "puis mettez Mandat à « Accusé ».")


@pytest.mark.parametrize("mission, fires", [
    ({"Date": "21/11/2026", "Mandat": "Refusé"}, True),
    ({"Date": "11/01/2027", "Mandat": "Refusé"}, True),
    ({"Date": "21/11/2026", "Mandat": "Accusé"}, False),
    ({"Date": "19/11/2026", "Mandat": "Refusé"}, False),
    ({"Date": "21/11/2026", "Mandat": "Refusé", "Statut": "Annulée"}, False),
])
def test_refused(mission, fires):
    assert bool(findings(mandate_rules.refused, mission)) == fires


def _records(fields_change=None):
    """Sidecar records as the mandates job keeps them, for the mission as it is (or was)."""
    def build(data):
        md = mandate_data(data, "M0001", settings().agency)
        fields = {**md.fields, **(fields_change or {})}
        from rules.mandates import fingerprint

        return {"M0001": {"empreinte": fingerprint(fields), "donnees": fields}}
    return build


@pytest.mark.parametrize("mission, extra, fires", [
    ({"Mandat": "À refaire"}, None, True),
    ({"Mandat": "Envoyé"}, _records({"mission_debut": "08:00"}), True),
    ({"Mandat": "Généré"}, _records({"salarie_nom": "Autre"}), True),
    ({"Mandat": "Envoyé"}, _records(), False),                  # unchanged
    ({"Mandat": "Envoyé"}, None, False),                        # no record: nothing to compare
    ({"Mandat": "", }, _records({"mission_debut": "08:00"}), False),
    ({"Mandat": "Envoyé", "Date": "19/11/2026"}, _records({"mission_debut": "08:00"}), False),
])
def test_to_redo(mission, extra, fires):
    assert bool(findings(mandate_rules.to_redo, mission, extra=extra)) == fires


def test_to_redo_message_says_what_changed():
    [f] = findings(mandate_rules.to_redo, {"Mandat": "Envoyé"}, extra=_records({"mission_debut": "08:00"}))
    assert f.message == ("Missions!P2 : mandat « Envoyé » devenu faux (début « 08:00 » → « 09:00 ») ; lancez "
                         "backoffice mandates pour le régénérer, puis --send.")


def test_rules_are_registered_with_french_docstrings():
    ids = {r.id: r for r in all_rules()}
    for rule_id in ("mandat.non_envoye", "mandat.non_accuse", "mandat.refuse", "mandat.a_refaire"):
        assert ids[rule_id].tab == "Missions" and ids[rule_id].doc


def test_the_check_reads_the_mandates_memory_from_the_workbook(tmp_path):
    from backoffice.jobs.base import JobContext
    from backoffice.jobs.memory import MANDATE, records
    from backoffice.settings import Region
    from sheets_sync import Workbook
    from tests.mandates_helpers import run

    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    run(backend, tmp_path)
    ctx = JobContext(settings(), Region("IDF"), NOW, out=str(tmp_path / "elsewhere"))
    found = records(Workbook(backend).load(), ctx, MANDATE)
    assert list(found) == ["M0001"] and len(found["M0001"]["empreinte"]) == 12
