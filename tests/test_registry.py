"""Every finding id the code can produce is registered: ``check --rules`` and docs/rules.md
list them all."""
import re
from pathlib import Path

from rules.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]


def test_every_finding_id_in_the_code_is_registered():
    registered = {r.id for r in all_rules()}
    found = set()
    for folder in ("backoffice", "sheets_sync", "generators", "rules"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text("utf-8")
            found |= set(re.findall(r'^RULE_[A-Z_]+ = "([a-z]+\.[a-z_]+)"', text, re.M))
            found |= set(re.findall(r'Finding\(\s*"([a-z]+\.[a-z_]+)"', text))
            found |= set(re.findall(r'@rule\("([a-z]+\.[a-z_]+)"', text))
            found |= set(re.findall(r'job_finding\(\s*"([a-z]+\.[a-z_]+)"', text))
            found |= set(re.findall(r'rule_id: str = "([a-z]+\.[a-z_]+)"', text))
    assert found, "the scan found nothing: the patterns are out of date"
    assert found - registered == set()


def test_job_findings_are_listed_but_never_run_by_the_check():
    jobs = [r for r in all_rules() if r.job]
    assert {"mandat.envoi_echoue", "mandat.reponse_a_lire", "presence.appel_non_rattache",
            "kit.commande_impossible", "geocode.introuvable"} <= {r.id for r in jobs}
    assert all(list(r.func(None)) == [] and r.doc for r in jobs)


def test_every_rule_has_a_french_name_for_the_managers_page():
    from rules.titles import TITLES

    assert {r.id for r in all_rules()} - set(TITLES) == set()
    assert set(TITLES) - {r.id for r in all_rules()} == set()
