"""Where the mandates' documents go and how one is found or made again: shared by the mandates
step and its follow-up (neither imports the other)."""
from __future__ import annotations

from pathlib import Path

from generators.files import file_stem
from rules.mandates import MandateData, reference

from .base import JobContext
from .memory import MANDATE
from .outbox import memory


def mandates_dir(ctx: JobContext) -> Path:
    """``<out>/<region>/mandats``, absolute."""
    return (ctx.out_dir() / "mandats").resolve()


def file_name(mission: str) -> str:
    """The mandate's file name: one per mission (:func:`generators.files.file_stem`); the
    document itself carries the full number."""
    return file_stem(mission)


def mandate_effect(region: str, key: str, fp: str, kind: str = "mandat") -> str:
    """The outbox effect of one e-mail about one version of a mandate (``mandat``, ``relance``,
    ``annulation``, ``escalade``): its kind and the mandate's reference."""
    return f"{kind}:{reference(region, key, fp)}"


def exists(path) -> bool:
    return bool(path) and Path(path).exists()


class Documents:
    """The documents to attach: the file a record names, or on a machine (or an output folder)
    that does not have it, the same document made again from the record's data."""

    def __init__(self, data, ctx: JobContext, template=None) -> None:
        self.data, self.ctx, self.template = data, ctx, template

    def of(self, key: str, record: dict) -> Path | None:
        """The PDF or .docx of the mandate of ``key`` (made again when missing); ``None`` when
        the record has no data to make it from."""
        for name in (record.get("pdf"), record.get("fichier")):
            if exists(name):
                return Path(name)
        if not record.get("donnees") or not record.get("empreinte"):
            return None
        if self.template is None:
            from generators.mandates import MandateTemplate

            self.template = MandateTemplate(self.ctx.settings.template_path())
        path = mandates_dir(self.ctx) / f"{file_name(key)}.docx"
        md = MandateData(key, dict(record["donnees"]), record["empreinte"], "", float("nan"))
        self.template.render(md.context(self.ctx.region.code, self.ctx.now, self.ctx.settings.agency.city), path)
        memory(self.data).update(MANDATE, key, fichier=str(path), pdf="")
        return path


__all__ = ["Documents", "exists", "file_name", "mandate_effect", "mandates_dir"]
