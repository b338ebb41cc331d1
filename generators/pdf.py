"""DOCX -> PDF with LibreOffice headless: one ``soffice`` process for a whole batch.

Starting LibreOffice costs seconds; converting one more file in the same process costs a
fraction of that. Each batch uses a private, throw-away user profile
(``-env:UserInstallation``) so it neither collides with an office suite a person has open nor
with another batch running at the same time.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

from sheets_sync.errors import BackofficeError


def find_soffice(name: str = "soffice") -> str:
    """The LibreOffice executable, or a BackofficeError that says how to install it."""
    path = shutil.which(name) if not Path(name).is_absolute() else (name if Path(name).exists() else None)
    if not path:
        raise BackofficeError(
            f"LibreOffice introuvable (« {name} ») : la conversion en PDF en a besoin. Installez-le "
            "(Debian/Ubuntu : apt-get install libreoffice-writer-nogui) ou donnez son chemin dans la "
            "configuration ([mandates] libreoffice = \"/chemin/soffice\"), ou lancez sans --pdf."
        )
    return path


def convert_to_pdf(files: Sequence[Path], outdir: Path, soffice: str = "soffice",
                   timeout_s: float = 120.0, per_file_s: float = 3.0) -> dict[Path, Path | None]:
    """Convert ``files`` into ``outdir`` in one LibreOffice run.

    Returns ``{docx: pdf}`` with ``None`` for a file LibreOffice did not convert. The time
    allowed is ``timeout_s`` plus ``per_file_s`` per file; past it the process is killed and
    a BackofficeError says so.
    """
    files = [Path(f).resolve() for f in files]
    if not files:
        return {}
    exe = find_soffice(soffice)
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="backoffice-lo-"))
    limit = timeout_s + per_file_s * len(files)
    try:
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            raise BackofficeError(
                f"LibreOffice n'a pas fini de convertir {len(files)} mandat(s) en {limit:.0f} s ; "
                "réessayez, ou augmentez [mandates] pdf_timeout_s."
            ) from None
        except OSError as err:
            raise BackofficeError(f"LibreOffice ({exe}) ne démarre pas : {err}.") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out: dict[Path, Path | None] = {}
    for f in files:
        pdf = outdir / (f.stem + ".pdf")
        out[f] = pdf if pdf.exists() and pdf.stat().st_mtime_ns >= f.stat().st_mtime_ns else None
    if proc.returncode != 0 and not any(out.values()):
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(aucun message)"]
        raise BackofficeError(f"LibreOffice a échoué (code {proc.returncode}) : {detail[0]}")
    return out
