"""Legacy Word `.doc` and WPS `.wps` attachments: converted to DOCX by LibreOffice (headless), then read
as DOCX. The converter is a Debian program (`libreoffice-writer-nogui`); where it is missing the
document is refused as `converter_missing`, naming the package, rather than as unreadable.

The conversion runs in a throwaway folder with a throwaway LibreOffice profile, with a time limit, and
nothing of it is kept.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from nianbao.pipeline.errors import ExtractError
from nianbao.pipeline.extract.cells import ParsedDocument

PACKAGE = "libreoffice-writer-nogui"
TIMEOUT_S = 45.0


def converter() -> str | None:
    """The LibreOffice program on this machine, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, suffix: str = ".doc") -> bytes:
    """A legacy Word/WPS document's bytes converted to DOCX bytes, or ExtractError."""
    program = converter()
    if program is None:
        raise ExtractError(
            "converter_missing",
            f"a legacy Word/WPS document needs LibreOffice to convert it: apt-get install {PACKAGE}",
        )
    with tempfile.TemporaryDirectory(prefix="nianbao-convert-") as tmp:
        folder = Path(tmp)
        source = folder / f"document{suffix}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        try:
            subprocess.run(
                command, capture_output=True, timeout=TIMEOUT_S, check=False, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as e:
            raise ExtractError(
                "resource_limit", f"LibreOffice did not convert it in {TIMEOUT_S:.0f} s"
            ) from e
        out = folder / "out" / "document.docx"
        if not out.exists():
            raise ExtractError("truncated", "LibreOffice could not convert the legacy Word/WPS document")
        return out.read_bytes()


def parse_legacy(data: bytes) -> ParsedDocument:
    """A `.doc`/`.wps` document read as the DOCX LibreOffice makes of it."""
    from nianbao.pipeline.extract.docx import parse_docx

    parsed = parse_docx(to_docx(data))
    parsed.reading["converted_by"] = "libreoffice"
    return parsed
