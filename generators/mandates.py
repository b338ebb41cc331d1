"""Mandates (*mandats fournisseur*): the Word rendering (what was generated lives in the
workbook's memory, ``État``).

The data printed on a mandate and its fingerprint are :mod:`rules.mandates`. Rendering uses
docxtpl in a **sandboxed** Jinja environment with autoescape: values are data, never template
code (a name holding ``{{ 7*7 }}`` is printed as is), and ``&``/``<`` are escaped for Word's XML.
A template tag the data lacks is a :class:`BackofficeError` listing it and the tags available.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from rules.mandates import BRAND_TAGS, STORE_TAGS, TAGS
from sheets_sync.errors import BackofficeError

from .files import atomic_write

TO_COMPLETE = "à compléter"
COMPLETABLE = {*BRAND_TAGS, *STORE_TAGS, "mission_type", "mission_operation"}


# --- rendering -------------------------------------------------------------------------------

def _environment():
    """A sandboxed, autoescaping Jinja environment that compiles each template source once.

    docxtpl calls ``from_string`` on the document XML for every mandate; the XML is the same for
    every mandate of a batch, so caching the compiled template saves about a third of the time.
    """
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class CachingSandbox(SandboxedEnvironment):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._compiled: dict[str, Any] = {}

        def from_string(self, source, globals=None, template_class=None):
            if globals or template_class or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            key = (self.autoescape, source)
            if key not in self._compiled:
                self._compiled[key] = super().from_string(source)
            return self._compiled[key]

    return CachingSandbox(autoescape=True, undefined=StrictUndefined)


class MandateTemplate:
    """The Word template, read once per batch, checked against the tags the data offers."""

    def __init__(self, path: Path, available: Iterable[str] = TAGS, label: str = "mandat",
                 completable: Iterable[str] = COMPLETABLE):
        from docxtpl import DocxTemplate
        from jinja2 import TemplateSyntaxError

        self.path, self.label, self.completable = Path(path), label, set(completable)
        if not self.path.is_file():
            section, builder = ("contracts", "make_contract_template") if label == "contrat" else ("mandates", "make_template")
            raise BackofficeError(
                f"Modèle de {label} introuvable : {self.path}. Indiquez-le dans la configuration "
                f"([{section}] template) ou reconstruisez-le : python -m generators.{builder}."
            )
        self.blob = self.path.read_bytes()
        self.env = _environment()
        try:
            used = DocxTemplate(io.BytesIO(self.blob)).get_undeclared_template_variables(self.env)
        except TemplateSyntaxError as err:
            raise BackofficeError(
                f"Modèle de {self.label} {self.path} : balise mal formée ({err.message}, ligne XML {err.lineno}). "
                "Ouvrez-le dans Word et corrigez la balise {{ … }}."
            ) from None
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:  # not a .docx at all
            raise BackofficeError(f"Modèle de {self.label} {self.path} illisible : {err}.") from None
        self.tags = set(used)
        missing = sorted(self.tags - set(available))
        if missing:
            shown = ", ".join(f"« {m} »" for m in missing)
            raise BackofficeError(
                f"Le modèle de {self.label} {self.path} utilise {'la balise' if len(missing) == 1 else 'les balises'} "
                f"{shown} que les données n'ont pas. Balises disponibles : {', '.join(sorted(available))}."
            )

    def render(self, context: Mapping[str, str], out: Path) -> None:
        """Write the mandate for ``context`` at ``out`` (atomically: temp file, then rename)."""
        from docxtpl import DocxTemplate
        from jinja2 import UndefinedError

        doc = DocxTemplate(io.BytesIO(self.blob))
        # a field of an optional column left empty reads « à compléter » on the document, not a
        # gap in a sentence (« La société , titulaire… »); its data and fingerprint stay as they are
        shown = {k: TO_COMPLETE if k in self.completable and isinstance(v, str) and not v.strip() else v
                 for k, v in context.items()}
        try:
            doc.render(shown, jinja_env=self.env, autoescape=True)
        except UndefinedError as err:
            raise BackofficeError(
                f"Le modèle de {self.label} {self.path} demande une donnée absente ({err.message}). "
                f"Balises disponibles : {', '.join(sorted(context))}."
            ) from None
        buffer = io.BytesIO()
        doc.save(buffer)
        atomic_write(out, buffer.getvalue())
