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
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

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
                   timeout_s: float = 120.0, per_file_s: float = 3.0,
                   progress: Callable[..., Iterable] | None = None) -> dict[Path, Path | None]:
    """Convert ``files`` into ``outdir`` in one LibreOffice run.

    Returns ``{docx: pdf}`` with ``None`` for a file LibreOffice did not convert. The time
    allowed is ``timeout_s`` plus ``per_file_s`` per file; past it the process is killed and
    a BackofficeError says so. ``progress`` (``progress(items, label, length)``, as the
    runner gives) is advanced as each PDF appears.
    """
    files = [Path(f).resolve() for f in files]
    if not files:
        return {}
    exe = find_soffice(soffice)
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="backoffice-lo-"))
    limit = timeout_s + per_file_s * len(files)
    started = time.time_ns()
    try:
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
        # Its output goes to a file, not a pipe: a pipe that nobody reads while we watch the
        # PDFs appear would fill up and stall a large batch.
        with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
            try:
                proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, text=True)
            except OSError as err:
                raise BackofficeError(f"LibreOffice ({exe}) ne démarre pas : {err}.") from None
            ticks = _watch(proc, [outdir / (f.stem + ".pdf") for f in files], started, limit)
            for _ in (progress or _quiet)(ticks, "PDF", len(files)):
                pass
            proc.wait()
            log.seek(0)
            output = log.read()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out: dict[Path, Path | None] = {}
    for f in files:
        pdf = outdir / (f.stem + ".pdf")
        out[f] = pdf if pdf.exists() and pdf.stat().st_mtime_ns >= f.stat().st_mtime_ns else None
    if proc.returncode != 0 and not any(out.values()):
        detail = output.strip().splitlines()[-1:] or ["(aucun message)"]
        raise BackofficeError(f"LibreOffice a échoué (code {proc.returncode}) : {detail[0]}")
    return out


def _quiet(items: Iterable, *_args, **_kwargs) -> Iterable:
    return items


def _watch(proc: subprocess.Popen, pdfs: list[Path], started_ns: int, limit_s: float) -> Iterator[Path]:
    """Yield each PDF as LibreOffice writes it; kill the process past ``limit_s``."""
    deadline = time.monotonic() + limit_s
    waiting = list(pdfs)
    while True:
        running = proc.poll() is None
        fresh = [p for p in waiting if p.exists() and p.stat().st_mtime_ns >= started_ns]
        for pdf in fresh:
            waiting.remove(pdf)
            yield pdf
        if not running or not waiting:
            break
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise BackofficeError(
                f"LibreOffice n'a pas fini de convertir {len(pdfs)} mandat(s) en {limit_s:.0f} s ; "
                "réessayez, ou augmentez [mandates] pdf_timeout_s."
            )
        time.sleep(0.2)
    if proc.poll() is None:  # every PDF is there: let LibreOffice finish writing and quit
        try:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
