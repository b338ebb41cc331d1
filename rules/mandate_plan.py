"""What the mandates step does with one mission's mandate: a pure decision, with its table test
(``tests/test_mandate_plan.py``). The job reads the sheet, the memory and the files; this says
which of generate, regenerate, reuse, adopt, redo-later, PDF, or nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

TO_GENERATE = ("", "À générer")
REDO = "À refaire"
TRACKED = ("Généré", "Envoyé", "Accusé", "Refusé")
GENERATED = "Généré"
SENT_TO_STORE = ("Envoyé", "Accusé")

NOTHING, GENERATE, REGENERATE, REUSE, ADOPT, REDO_LATER, PDF = (
    "", "generate", "regenerate", "reuse", "adopt", "redo-later", "pdf")


@dataclass(frozen=True)
class Facts:
    """What the decision needs to know of one future mission (not cancelled) with data."""

    status: str  # Mandat, as the sheet says
    eligible: bool  # staffed, and within the horizon
    remembered: str  # the fingerprint of the memory's record, "" when there is none
    fingerprint: str  # what the mandate would print now
    file_exists: bool  # the record's document is on this machine
    shown_exists: bool  # the file « Mandat fichier » names exists
    want_pdf: bool = False
    pdf_exists: bool = False


def considered(status: str, eligible: bool, has_record: bool, want_send: bool) -> bool:
    """Whether the mission is looked at at all (its data read)."""
    return eligible or (has_record and status in TRACKED) or (status == GENERATED and want_send)


def decide(f: Facts) -> str:
    """The action for one mandate (see the module's text):

    - empty / ``À générer``, in the window: ``reuse`` the document an earlier run made for the same
      data (its sheet write was lost), else ``generate``;
    - ``À refaire``, in the window: ``regenerate``;
    - ``Généré``/``Envoyé``/``Accusé``/``Refusé`` without a record: ``generate`` when the sheet says
      ``Généré`` in the window and no file exists, else ``adopt`` (its data now is the reference);
    - with a record whose fingerprint differs: ``regenerate`` in the window, else ``redo-later``
      (Mandat ``À refaire``);
    - ``Généré`` in the window, unchanged, with ``--pdf`` and no PDF yet: ``pdf``.
    """
    if f.status in TO_GENERATE:
        if not f.eligible:
            return NOTHING
        return REUSE if f.remembered == f.fingerprint and f.file_exists else GENERATE
    if f.status == REDO:
        return REGENERATE if f.eligible else NOTHING
    if f.status not in TRACKED:
        return NOTHING  # a word a person typed: left alone
    if not f.remembered:
        return GENERATE if f.status == GENERATED and f.eligible and not f.shown_exists else ADOPT
    if f.remembered != f.fingerprint:
        return REGENERATE if f.eligible else REDO_LATER
    if f.status == GENERATED and f.want_pdf and f.eligible and not f.pdf_exists:
        return PDF
    return NOTHING


__all__ = ["ADOPT", "Facts", "GENERATE", "NOTHING", "PDF", "REDO_LATER", "REGENERATE", "REUSE", "considered", "decide"]
