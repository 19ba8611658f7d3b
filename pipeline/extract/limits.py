"""Resource limits on reading one document (issue 18), checked before a parser sees the bytes.

A hostile document is small on the wire and huge once read: a 1 MB PDF whose content stream inflates
to 1 GB, a DOCX whose XML part holds a 1 GB text node, a 50 MB HTML page of table cells. Each reader
calls its check here first (`check_pdf`, `check_docx`, `check_html`, `check_text`; `check_pages` once
pdfium has counted the pages), and a document over a limit is refused as `too_large` with the limit
named. The checks measure in bounded memory: every compressed PDF stream and every XML part of a DOCX
is inflated chunk by chunk and counted, never held. What they cannot see (an encrypted PDF's streams,
what no count before parsing shows) is bounded by the reader's process caps (`isolate.py`). A table whose
spans multiply its cells is measured before its grid is built (`check_table_cells`).

The limits in force are the context's (`using`), so the readers' signatures stay as they are.
"""

from __future__ import annotations

import base64
import re
import resource
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from io import BytesIO

from nianbao.pipeline.errors import ExtractError

MiB = 1024 * 1024
_CHUNK = 1 * MiB


@dataclass(frozen=True)
class ReadLimits:
    """How much one document may take to read. Real reports sit far below every one of these."""

    max_pages: int = 2000  # PDF pages (real reports: under 100)
    max_stream_bytes: int = 16 * MiB  # one PDF stream, inflated (real: under 1 MiB)
    max_image_bytes: int = 128 * MiB  # one PDF image, inflated (a 300 dpi A4 colour scan: 26 MiB)
    max_streams: int = 50_000  # PDF streams (real: under 5,000)
    max_inflated_bytes: int = 256 * MiB  # all of a document's compressed parts, inflated (real: a few MiB)
    max_xml_bytes: int = 64 * MiB  # one XML part of a DOCX, inflated (real: under 1 MiB)
    max_zip_entries: int = 2000  # parts of a DOCX (real: under 50)
    max_elements: int = 500_000  # XML or HTML elements of a document (real: under 20,000)
    max_html_bytes: int = 16 * MiB  # an HTML page (real: under 1 MiB)
    max_text_bytes: int = 16 * MiB  # a text document (real: under 100 KiB)
    max_table_cells: int = 1_000_000  # one HTML or DOCX table's grid, spans spread out (real: under 1,000)
    memory_mb: int = 1024  # the reader process's address space (isolate.py)
    seconds: float = 60.0  # the reader process's processor time for one document (isolate.py)
    # a scan read by OCR (issue 13): the address space the ONNX runtime needs beside the parsers (its
    # libraries alone map ~0.8 GiB), and the time for a document that may need OCR (no fonts, an image)
    ocr_memory_mb: int = 3072
    ocr_seconds: float = 300.0
    isolated: bool = True  # read in a child process under the two caps above

    def __post_init__(self) -> None:
        if (
            min(
                self.max_pages,
                self.max_stream_bytes,
                self.max_streams,
                self.max_inflated_bytes,
                self.max_xml_bytes,
                self.max_zip_entries,
                self.max_elements,
                self.max_html_bytes,
                self.max_text_bytes,
                self.max_table_cells,
                self.memory_mb,
            )
            <= 0
            or not self.seconds > 0
        ):
            raise ValueError("every read limit must be positive")

    def key(self) -> str:
        """A short fingerprint of the limits, for keys of cached readings (a refusal depends on them)."""
        return format(zlib.crc32(repr(sorted(asdict(self).items())).encode()), "08x")


_DEFAULT = ReadLimits()
_ACTIVE: ContextVar[ReadLimits | None] = ContextVar("nianbao_read_limits", default=None)


def active() -> ReadLimits:
    """The limits in force for the document being read (the defaults outside `using`)."""
    return _ACTIVE.get() or _DEFAULT


def is_web_archive(data: bytes) -> bool:
    """A MIME message whose type is multipart/related (a web archive, `.mht`): its Content-Type among the
    headers before the first blank line."""
    head = data[:8192].lstrip()
    end = min((i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i != -1), default=len(head))
    return re.search(rb"(?:^|\n)content-type:\s*multipart/related", head[:end].lower()) is not None


def may_need_ocr(data: bytes) -> bool:
    """Whether a document may be read by OCR (and so get `ocr_seconds`): an image, a PDF with no font
    resource at all (a scan), a web archive, a page carrying pictures of its own (`data:image`: tables
    pasted as pictures) or a Word file with pictures (`word/media/`). A PDF whose fonts are garbled or
    whose tables are pictures is not told apart this cheaply and reads within `seconds`."""
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")):
        return True
    if is_web_archive(data) or (b"<" in data[:1024] and re.search(rb"(?i)data:image/", data) is not None):
        return True
    if data.startswith(b"PK\x03\x04") and b"word/media/" in data:
        return True  # a Word file with pictures, which may be its tables (docx.py)
    return data[:1024].find(b"%PDF-") != -1 and b"/Font" not in data


@contextmanager
def more_memory(limits: ReadLimits) -> Iterator[None]:
    """Inside a reader process: the address-space cap raised to `ocr_memory_mb` (the process was started
    with that as its hard limit); the process is then retired after the document (`RAISED`)."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        yield
        return
    wanted = limits.ocr_memory_mb * MiB
    if soft == resource.RLIM_INFINITY or (hard != resource.RLIM_INFINITY and hard < wanted) or soft >= wanted:
        yield
        return
    # raised for the rest of this process's life: the ONNX runtime keeps what it mapped, and a lower cap
    # under it would fail the next allocation anywhere; the reader process retires after this document
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    RAISED[0] = True
    yield


RAISED = [False]  # whether this process's cap was raised for OCR (isolate retires such a reader process)


@contextmanager
def using(limits: ReadLimits) -> Iterator[ReadLimits]:
    """Read with these limits inside the block."""
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)


def _size(n: int) -> str:
    return f"{n / MiB:.0f} MiB" if n >= MiB else f"{n} bytes"


def _refuse(what: str, limit: str, value: int, *, bytes_: bool = True) -> ExtractError:
    shown = _size(value) if bytes_ else f"{value:,}"
    return ExtractError("too_large", f"{what} (limit {limit} = {shown})")


def check_table_cells(cells: int) -> None:
    """Refuse a table whose grid, every span spread out, would hold more than `max_table_cells` cells."""
    lim = active()
    if cells > lim.max_table_cells:
        raise _refuse(f"a table spans {cells:,} cells", "max_table_cells", lim.max_table_cells, bytes_=False)


# ----------------------------------------------------------------------------- text and HTML
def check_text(data: bytes, limits: ReadLimits | None = None) -> None:
    """Refuse a text document over `max_text_bytes`."""
    lim = limits or active()
    if len(data) > lim.max_text_bytes:
        raise _refuse(f"the text is {_size(len(data))}", "max_text_bytes", lim.max_text_bytes)


def check_html(data: bytes, limits: ReadLimits | None = None) -> None:
    """Refuse an HTML page over `max_html_bytes` or with more than `max_elements` elements."""
    lim = limits or active()
    if len(data) > lim.max_html_bytes:
        raise _refuse(f"the page is {_size(len(data))}", "max_html_bytes", lim.max_html_bytes)
    elements = data.count(b"<") - data.count(b"</")  # start tags (and comments): at least every element
    if elements > lim.max_elements:
        raise _refuse(
            f"the page has about {elements:,} elements", "max_elements", lim.max_elements, bytes_=False
        )


def check_mhtml(data: bytes, limits: ReadLimits | None = None) -> None:
    """Refuse a web archive over `max_inflated_bytes` (its parts, decoded, are no larger than it is); its
    page is then checked as an HTML page, its pictures as images."""
    lim = limits or active()
    if len(data) > lim.max_inflated_bytes:
        raise _refuse(f"the web archive is {_size(len(data))}", "max_inflated_bytes", lim.max_inflated_bytes)


# ----------------------------------------------------------------------------- DOCX (ZIP of XML parts)
def check_docx(data: bytes, limits: ReadLimits | None = None) -> None:
    """Refuse a DOCX whose parts are too many, inflate too far, or hold too many XML elements.

    The sizes a ZIP declares bound what `zipfile` will inflate (it stops at the declared size), so they
    are checked first; then every XML part is inflated chunk by chunk and its elements counted. A
    container that cannot be opened is left to the reader, which says why.
    """
    lim = limits or active()
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError):
        return
    if len(infos) > lim.max_zip_entries:
        raise _refuse(
            f"the document has {len(infos):,} parts", "max_zip_entries", lim.max_zip_entries, bytes_=False
        )
    total = sum(i.file_size for i in infos)
    if total > lim.max_inflated_bytes:
        raise _refuse(f"its parts inflate to {_size(total)}", "max_inflated_bytes", lim.max_inflated_bytes)
    elements = 0
    for info in infos:
        try:
            with archive.open(info) as part:
                head = part.read(64)
                if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                    continue  # an image or another binary part: never parsed as XML
                if info.file_size > lim.max_xml_bytes:
                    raise _refuse(
                        f"the part {info.filename[:80]} inflates to {_size(info.file_size)}",
                        "max_xml_bytes",
                        lim.max_xml_bytes,
                    )
                chunk = head
                while chunk:
                    elements += chunk.count(b"<") - chunk.count(b"</")
                    if elements > lim.max_elements:
                        raise _refuse(
                            f"its XML has more than {lim.max_elements:,} elements",
                            "max_elements",
                            lim.max_elements,
                            bytes_=False,
                        )
                    chunk = part.read(_CHUNK)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError):
            continue  # a damaged or encrypted part: the reader refuses the document with its own reason


# ----------------------------------------------------------------------------- PDF
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = re.compile(rb"/([^\s/\[\]<>()]+)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_LENGTH = re.compile(rb"/Length\s+(\d{1,10})(?!\d)(?!\s+\d+\s+R)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_ABBREVIATIONS = {
    "AHx": "ASCIIHexDecode",
    "A85": "ASCII85Decode",
    "LZW": "LZWDecode",
    "Fl": "FlateDecode",
    "RL": "RunLengthDecode",
}
_EXPANDING = ("FlateDecode", "LZWDecode", "RunLengthDecode")
_ASCII = ("ASCIIHexDecode", "ASCII85Decode")


def check_pages(pages: int, limits: ReadLimits | None = None) -> None:
    """Refuse a PDF with more than `max_pages` pages."""
    lim = limits or active()
    if pages > lim.max_pages:
        raise _refuse(f"the PDF has {pages:,} pages", "max_pages", lim.max_pages, bytes_=False)


def check_pdf(data: bytes, limits: ReadLimits | None = None) -> None:
    """Refuse a PDF one of whose streams, or all of whose streams together, inflate past the limits.

    Every `stream` keyword of the file is tried, whatever its object says (a hostile file can hide a
    stream's filter behind an indirect object or a #-escaped name): its filters are read from the
    dictionary before it, and a stream that starts like zlib data is inflated in any case. Inflation
    runs chunk by chunk and stops at the limit, so the check itself stays small. An image may inflate
    further than a content stream (`max_image_bytes`): text reading never decodes images.
    """
    lim = limits or active()
    view = memoryview(data)
    total = 0
    streams = 0
    for m in _STREAM.finditer(data):
        if data[max(0, m.start() - 3) : m.start()] == b"end":
            continue
        streams += 1
        if streams > lim.max_streams:
            raise _refuse("the PDF has too many streams", "max_streams", lim.max_streams, bytes_=False)
        dictionary = _dictionary(data, m.start())
        filters = _filters(dictionary)
        image = _IMAGE.search(dictionary) is not None
        name, limit = (
            ("max_image_bytes", lim.max_image_bytes) if image else ("max_stream_bytes", lim.max_stream_bytes)
        )
        budget = min(limit, lim.max_inflated_bytes - total)
        try:
            n = _inflated_size(view, m.end(), filters, budget, _extent(data, dictionary, m.end()))
        except _OverBudget as over:
            if over.limit == "nested":
                raise ExtractError(
                    "too_large",
                    f"a PDF stream at byte {m.start()} nests compression ({', '.join(filters)}), which no"
                    f" real report does: it is refused unmeasured (limit {name})",
                ) from None
            if limit <= lim.max_inflated_bytes - total:
                raise _refuse(
                    f"a PDF {'image' if image else 'stream'} at byte {m.start()} inflates past {_size(limit)}",
                    name,
                    limit,
                ) from None
            raise _refuse(
                f"the PDF's streams inflate past {_size(lim.max_inflated_bytes)}",
                "max_inflated_bytes",
                lim.max_inflated_bytes,
            ) from None
        total += n


class _OverBudget(Exception):
    def __init__(self, limit: str = "budget") -> None:
        self.limit = limit


def _dictionary(data: bytes, stream_at: int) -> bytes:
    """The text of the stream's dictionary: from its `N G obj` (within 2 KiB) to the `stream` keyword."""
    head = data[max(0, stream_at - 2048) : stream_at]
    objs = list(_OBJ.finditer(head))
    return head[objs[-1].end() :] if objs else head


def _extent(data: bytes, dictionary: bytes, start: int) -> int:
    """Where the stream's data ends: its direct /Length, or failing that the next `endstream`."""
    found = _LENGTH.findall(dictionary)
    if found and start + int(found[-1]) <= len(data):
        return start + int(found[-1])
    end = data.find(b"endstream", start)
    return len(data) if end == -1 else end


def _filters(dictionary: bytes) -> list[str]:
    """The filter names a stream's dictionary gives (#-escapes and abbreviations resolved)."""
    found = _FILTER.findall(dictionary)
    if not found:
        return []
    names = []
    for raw in _NAME.findall(found[-1]):
        name = _HEX_ESCAPE.sub(lambda h: bytes([int(h.group(1), 16)]), raw).decode("latin-1")
        names.append(_ABBREVIATIONS.get(name, name))
    return names


def _looks_like_zlib(view: memoryview, at: int) -> bool:
    if len(view) < at + 2:
        return False
    cmf, flg = view[at], view[at + 1]
    return cmf & 0x0F == 8 and (cmf * 256 + flg) % 31 == 0


def _inflated_size(view: memoryview, start: int, filters: list[str], budget: int, end: int) -> int:
    """How far the stream's decompression goes (counted, never held); _OverBudget past `budget`.

    zlib data is fed until it ends by itself (a wrong /Length cannot shorten it); the other decoders
    read up to `end`.
    """
    expanding = [f for f in filters if f in _EXPANDING]
    if len(expanding) > 1:
        raise _OverBudget("nested")
    if not expanding:
        return _flate_size(_chunks(view, start), budget) if _looks_like_zlib(view, start) else 0
    prefix = filters[: filters.index(expanding[0])]
    src: Iterator[bytes] = _chunks(view, start)
    for name in prefix:
        if name not in _ASCII:
            return 0  # a filter before the decompression that no text reading applies
        src = iter([_ascii_decode(name, src, budget)])
    if expanding[0] == "FlateDecode":
        return _flate_size(src, budget)
    data = b"".join(src) if prefix else bytes(view[start:end])
    if expanding[0] == "LZWDecode":
        return _lzw_size(data, budget)
    return _run_length_size(data, budget)


def _chunks(view: memoryview, start: int, end: int | None = None) -> Iterator[bytes]:
    for i in range(start, len(view) if end is None else end, _CHUNK):
        yield bytes(view[i : min(i + _CHUNK, len(view) if end is None else end)])


def _flate_size(src: Iterator[bytes], budget: int) -> int:
    """Bytes a zlib stream inflates to, up to `budget` (_OverBudget beyond); stops at its end or an error."""
    d = zlib.decompressobj()
    n = 0
    try:
        for chunk in src:
            buf = chunk
            while True:
                out = d.decompress(buf, _CHUNK)
                n += len(out)
                if n > budget:
                    raise _OverBudget()
                if d.eof:
                    return n
                buf = d.unconsumed_tail
                if not buf and len(out) < _CHUNK:
                    break
    except zlib.error:
        pass  # what came out before the damage is what a reader gets too
    return n


def _ascii_decode(name: str, src: Iterator[bytes], budget: int) -> bytes:
    """An ASCIIHex or ASCII85 layer decoded (it never grows but for ASCII85's `z`, which is counted first)."""
    end = b">" if name == "ASCIIHexDecode" else b"~>"
    parts: list[bytes] = []
    size = 0
    for chunk in src:
        cut = chunk.find(end)
        parts.append(chunk if cut == -1 else chunk[:cut])
        size += len(parts[-1])
        if size > 2 * budget:
            raise _OverBudget()
        if cut != -1:
            break
    text = re.sub(rb"\s", b"", b"".join(parts))
    if name == "ASCIIHexDecode":
        text = text[: len(text) - len(text) % 2]
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            return b""
    if text.count(b"z") * 4 + len(text) > budget:
        raise _OverBudget()
    try:
        return base64.a85decode(text.removeprefix(b"<~"), adobe=False)
    except ValueError:
        return b""


def _lzw_size(data: bytes, budget: int) -> int:
    """Bytes an LZW stream (PDF flavour: 9-12 bit codes, early change) decodes to, counted by entry length."""
    lengths: list[int] = []
    width, pos, n, previous = 9, 0, 0, 0
    nbits = len(data) * 8
    while pos + width <= nbits:
        byte, shift = divmod(pos, 8)
        word = int.from_bytes(data[byte : byte + 3].ljust(3, b"\0"), "big")
        code = (word >> (24 - shift - width)) & ((1 << width) - 1)
        pos += width
        if code == 256:
            lengths, width, previous = [], 9, 0
            continue
        if code == 257:
            break
        if code < 256:
            length = 1
        elif code - 258 < len(lengths):
            length = lengths[code - 258]
        else:
            length = previous + 1  # the KwKwK case: the entry being defined
        if previous:
            lengths.append(previous + 1)
        previous = length
        n += length
        if n > budget:
            raise _OverBudget()
        if len(lengths) + 258 >= (1 << width) - 1 and width < 12:
            width += 1
    return n


def _run_length_size(data: bytes, budget: int) -> int:
    """Bytes a RunLengthDecode stream decodes to."""
    i, n = 0, 0
    while i < len(data):
        length = data[i]
        if length == 128:
            break
        if length < 128:
            n += length + 1
            i += length + 2
        else:
            n += 257 - length
            i += 2
        if n > budget:
            raise _OverBudget()
    return n
