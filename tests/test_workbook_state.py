"""The workbook is the only state: a run in a fresh output folder, on another machine, decides
as the first one did. Nothing is resent, nothing reordered, each cancellation told once — also
for a mandate a person marked « Envoyé » before the tool."""
import datetime as dt
from functools import partial

from backoffice.jobs.kits import kits_order_step
from backoffice.jobs.mandate_followup import FollowupOptions, mandates_followup_step
from backoffice.jobs.mandates import MandatesOptions, mandates_step
from backoffice.jobs.runner import run_region
from backoffice.settings import Region
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs, outbox_rows
from tests.mandates_helpers import cell, set_cell, staffed
from tests.test_mandates_followup import OFFICER, config

DAY = dt.datetime(2026, 11, 20, 9, 0)


def the_day(backend, out, now, cfg):
    steps = [("mandates", partial(mandates_step, options=MandatesOptions(send=True))),
             ("mandates-suivi", partial(mandates_followup_step, options=FollowupOptions(True))),
             ("kits", kits_order_step)]
    outcome = run_region(cfg, Region("IDF", officer_email=OFFICER), steps, now, out=str(out),
                         workbook=Workbook(backend))
    assert not outcome.error and not outcome.incidents, (outcome.error, outcome.incidents)
    return outcome


def subjects(inbox):
    return [m["Subject"].split(" : ")[0] if " : " in m["Subject"] else "Mandat" for m in inbox.messages()]


def test_a_fresh_output_folder_elsewhere_resends_nothing_and_tells_each_cancellation_once(smtp_server, tmp_path):
    inbox, port = smtp_server
    cfg = config(port)
    missions = [staffed(Kit="KIT-LINDT"),
                staffed(**{"N° mission": "M0002", "Mandat": "Envoyé", "Mandat envoyé le": "20/11/2026"})]
    backend = MemoryBackend(make_tabs(missions=missions))
    the_day(backend, tmp_path / "here", DAY, cfg)
    assert subjects(inbox) == ["Mandat"]  # M0001's mandate; M0002 was sent by a person
    kit_files = list((tmp_path / "here").rglob("commande_kits_*"))
    assert len(kit_files) == 1

    the_day(backend, tmp_path / "elsewhere", DAY + dt.timedelta(hours=2), cfg)  # another machine, empty folder
    assert subjects(inbox) == ["Mandat"]
    assert not list((tmp_path / "elsewhere").rglob("commande_kits_*"))

    for key in ("M0001", "M0002"):
        set_cell(backend, key, "Statut", "Annulée")
    the_day(backend, tmp_path / "third", DAY + dt.timedelta(hours=3), cfg)
    assert sorted(subjects(inbox)) == ["Annulation", "Annulation", "Mandat"]
    assert cell(backend, "M0002", "Mandat suivi") == "Annulation envoyée le 20/11/2026"
    assert len(list((tmp_path / "third").rglob("annulation_kits_*"))) == 1
    the_day(backend, tmp_path / "fourth", DAY + dt.timedelta(hours=4), cfg)
    assert len(inbox.envelopes) == 3 and not list((tmp_path / "fourth").rglob("annulation_kits_*"))
    done = [(r["Type"], r["État"]) for r in outbox_rows(backend)]
    assert sorted(done) == [("annulation kit", "fait"), ("commande kit", "fait"), ("e-mail annulation", "fait"),
                            ("e-mail annulation", "fait"), ("e-mail mandat", "fait")]


def test_a_mandate_marked_sent_by_hand_is_followed_up(smtp_server, tmp_path):
    inbox, port = smtp_server
    cfg = config(port)
    backend = MemoryBackend(make_tabs(missions=[staffed(Mandat="Envoyé", **{"Mandat envoyé le": "20/11/2026"})]))
    the_day(backend, tmp_path, DAY, cfg)
    assert inbox.envelopes == []
    the_day(backend, tmp_path / "b", DAY + dt.timedelta(days=1), cfg)  # the day after: its reminder
    assert [m["Subject"].split(" : ")[0] for m in inbox.messages()] == ["Rappel"]
    assert cell(backend, "M0001", "Mandat suivi") == "Relancé le 21/11/2026"
