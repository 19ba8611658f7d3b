"""The producers outside Python: LibreOffice (DOCX → PDF), headless Chromium (HTML → PDF), qpdf (encryption).

They are Debian packages a fresh machine lacks; `missing` names what to install. Their output is not
byte-reproducible (creation dates, document IDs, AES salts), so `same_pdf` compares two PDFs with those
taken out: the fixture generator keeps a committed file that differs from a new one only there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

APT_INSTALL = "apt-get install -y libreoffice-writer-nogui chromium qpdf fonts-noto-cjk"
# what the development corpus needs besides (tests/files/corpus: `make corpus`)
CORPUS_APT_INSTALL = "apt-get install -y libreoffice-writer-nogui chromium qpdf poppler-utils fonts-noto-cjk fonts-wqy-microhei"
CJK_FONT = "Noto Sans CJK SC"
# program → the Debian package that brings it ("wqy" stands for the embeddable TrueType CJK face)
PACKAGES = {
    "soffice": "libreoffice-writer-nogui",
    "chromium": "chromium",
    "qpdf": "qpdf",
    "pdftotext": "poppler-utils",
    "wqy": "fonts-wqy-microhei",
    "weasyprint": "libpango-1.0-0",  # WeasyPrint is a Python package (dev extra); pango is what it loads
}
WQY_FONT = "WenQuanYi Micro Hei"
NOT_PROGRAMS = frozenset({"wqy", "weasyprint"})  # what `missing` looks for otherwise than on the PATH
# what changes from run to run in these producers' PDFs (qpdf's QDF form: one key per line)
_VOLATILE = re.compile(rb"^\s*/(CreationDate|ModDate|ID|DocChecksum)\b.*$", re.M)


def _has_font(family: str) -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", f":family={family}"], capture_output=True, text=True, check=False)
    return bool(out.stdout.strip())


def missing(programs: tuple[str, ...]) -> list[str]:
    """The Debian packages to install before `programs` can run (the CJK font counts for soffice/chromium:
    Noto Sans CJK, unless "wqy" is named: text set in a face asked for and substituted from WenQuanYi)."""
    out = [PACKAGES[p] for p in programs if p not in NOT_PROGRAMS and not shutil.which(p)]
    if "weasyprint" in programs and not _weasyprint():
        out.append(PACKAGES["weasyprint"])
    if "wqy" in programs:
        from samplegen.render_pdf import ttf_path

        if ttf_path() is None:
            out.append(PACKAGES["wqy"])
    if {"soffice", "chromium"} & set(programs) and "wqy" not in programs and not _has_font(CJK_FONT):
        out.append("fonts-noto-cjk")
    return out


def _weasyprint() -> bool:
    """Whether WeasyPrint can run here (it loads pango when imported)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def weasyprint_pdf(html: str) -> bytes:
    """Print a page to PDF with WeasyPrint: a layout engine of its own (it breaks a table row whose cells
    do not fit across the page, where Chromium moves the row whole)."""
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def chromium_pdf(html: str) -> bytes:
    """Print a page to PDF with headless Chromium, then recompress it with qpdf (fonts and text untouched)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "r.html"
        src.write_text(html, encoding="utf-8")
        raw, out = Path(tmp) / "raw.pdf", Path(tmp) / "out.pdf"
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={tmp}/profile",
                f"--print-to-pdf={raw}",
                src.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        # Chromium compresses lightly; recompress to keep the fixture small
        subprocess.run(
            ["qpdf", "--object-streams=generate", "--recompress-flate", "--compression-level=9", raw, out],
            check=True,
        )
        return out.read_bytes()


def soffice_pdf(docx: bytes, stem: str) -> bytes:
    """Convert a DOCX to PDF with headless LibreOffice (its own throwaway profile)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{stem}.docx"
        src.write_bytes(docx)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp}/lo",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                src,
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (Path(tmp) / f"{stem}.pdf").read_bytes()


def soffice_doc(docx: bytes, stem: str) -> bytes:
    """Convert a DOCX to legacy Word 97 .doc with headless LibreOffice (issue 13's legacy attachments)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{stem}.docx"
        src.write_bytes(docx)
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp}/lo",
                "--headless",
                "--convert-to",
                "doc:MS Word 97",
                "--outdir",
                tmp,
                src,
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (Path(tmp) / f"{stem}.doc").read_bytes()


def pdftotext_layout(pdf: bytes) -> bytes:
    """The PDF's text as poppler's `pdftotext -layout` writes it (UTF-8, pages ended by form feeds)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", src, "-"], check=True, capture_output=True, timeout=120
        )
        return out.stdout


def qpdf_encrypt(pdf: bytes, user: str, owner: str) -> bytes:
    """The PDF encrypted with AES-256 by qpdf (random salts: different bytes every run)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(pdf)
        subprocess.run(["qpdf", "--encrypt", user, owner, "256", "--", src, out], check=True)
        return out.read_bytes()


def _normalised(pdf: bytes, password: str | None) -> bytes:
    """The PDF decrypted and written out uncompressed (QDF), its dates and IDs removed."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(pdf)
        args = ["qpdf", "--qdf", "--object-streams=disable", "--decrypt"]
        if password:
            args.append(f"--password={password}")
        subprocess.run([*args, src, out], check=True, capture_output=True)
        return _VOLATILE.sub(b"", out.read_bytes())


def same_pdf(a: bytes, b: bytes, password: str | None = None) -> bool:
    """Whether two PDFs are the same document once decrypted, uncompressed and stripped of dates and IDs."""
    if a == b:
        return True
    try:
        return _normalised(a, password) == _normalised(b, password)
    except subprocess.CalledProcessError:
        return False
