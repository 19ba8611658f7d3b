"""Hostile documents, made at run time and never committed (issue 18): decompression bombs and their kin.

Each maker returns the bytes of a document that is small on the wire and huge once read. The sizes are
parameters: the tests use bombs just over nianbao's limits (fast to make), `benchmarks/hostile.py` the
full-size ones the issue reported (a PDF stream of 1 GiB, a DOCX text node of 1 GiB, a 50 MB page).
"""

from __future__ import annotations

import base64
import io
import zipfile
import zlib
from collections.abc import Iterator

MiB = 1024 * 1024
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def deflate(chunks: Iterator[bytes], level: int = 9) -> bytes:
    """zlib data of the concatenated chunks, compressed as they come (never held whole)."""
    c = zlib.compressobj(level)
    out = [c.compress(chunk) for chunk in chunks]
    out.append(c.flush())
    return b"".join(out)


def repeat(unit: bytes, size: int) -> Iterator[bytes]:
    """`unit` repeated (whole) to about `size` bytes, in chunks of about 1 MiB."""
    block = unit * max(1, MiB // len(unit))
    left = size - size % len(unit)
    while left > 0:
        yield block[:left]
        left -= len(block)


def pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF of the given object bodies (object i+1 is objects[i]) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def _one_page(contents: bytes) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        contents,
    ]


def pdf_flate_bomb(inflated: int = 1024 * MiB, unit: bytes = b" ") -> bytes:
    """One page whose content stream (FlateDecode) inflates to `inflated` bytes of `unit`."""
    data = deflate(repeat(unit, inflated))
    return pdf(_one_page(_stream(b"/Filter /FlateDecode", data)))


def pdf_hidden_flate_bomb(inflated: int = 64 * MiB) -> bytes:
    """The same bomb with its filter behind a #-escaped name and its length indirect: it must still be found."""
    data = deflate(repeat(b" ", inflated))
    objects = _one_page(b"<< /Filter /Fl#61teDecode /Length 5 0 R >>\nstream\n" + data + b"\nendstream")
    return pdf([*objects, b"%d" % len(data)])


def pdf_ascii85_flate_bomb(inflated: int = 64 * MiB) -> bytes:
    """A Flate bomb wrapped in ASCII85 ([/ASCII85Decode /FlateDecode]): the first layer hides zlib's header."""
    data = base64.a85encode(deflate(repeat(b" ", inflated)), wrapcol=76) + b"~>"
    return pdf(_one_page(_stream(b"/Filter [/ASCII85Decode /FlateDecode]", data)))


def pdf_nested_flate_bomb(inflated: int = 1024 * MiB) -> bytes:
    """[/FlateDecode /FlateDecode]: a bomb compressed twice (tiny on the wire)."""
    data = deflate(iter([deflate(repeat(b" ", inflated))]))
    return pdf(_one_page(_stream(b"/Filter [/FlateDecode /FlateDecode]", data)))


def pdf_many_pages(pages: int) -> bytes:
    """`pages` empty pages sharing one empty content stream."""
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        _stream(b"", b"BT ET"),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"] * pages
    return pdf(objects)


def pdf_dense_paths(inflated: int = 30 * MiB) -> bytes:
    """A content stream just under the stream limit, of nothing but short ruled lines (page objects galore)."""
    return pdf_flate_bomb(inflated, b"0 0 m 1 0 l S\n")


def _docx(document_xml: Iterator[bytes], extra: dict[str, bytes] | None = None, level: int = 9) -> bytes:
    """A minimal .docx whose word/document.xml is the given chunks (deflated as they come)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            for chunk in document_xml:
                part.write(chunk)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def _document(body: Iterator[bytes]) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'.encode()
    yield from body
    yield b"</w:body></w:document>"


def docx_text_node_bomb(inflated: int = 1024 * MiB) -> bytes:
    """One paragraph whose single text node is `inflated` bytes long."""

    def body() -> Iterator[bytes]:
        yield b"<w:p><w:r><w:t>"
        yield from repeat(b"A", inflated)
        yield b"</w:t></w:r></w:p>"

    return _docx(_document(body()))


def docx_paragraphs_bomb(inflated: int = 1100 * MiB) -> bytes:
    """`inflated` bytes of one-character paragraphs (elements galore)."""
    return _docx(_document(repeat(b"<w:p><w:r><w:t>x</w:t></w:r></w:p>", inflated)))


def docx_many_parts(parts: int = 20_000) -> bytes:
    """A .docx padded with thousands of tiny parts."""
    return _docx(_document(iter([b"<w:p/>"])), {f"customXml/item{i}.xml": b"<a/>" for i in range(parts)}, 1)


def html_big(size: int = 50 * MiB) -> bytes:
    """A report page of `size` bytes: a title, then one table of endless rows of numbers."""
    head = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>2023年政府信息公开工作年度报告</title>'
        "</head><body><h1>2023年政府信息公开工作年度报告</h1><table>"
    ).encode()
    row = "<tr><td>本年新收政府信息公开申请数量</td><td>1</td><td>2</td><td>3</td></tr>\n".encode()
    return head + b"".join(repeat(row, size - len(head) - 30)) + b"</table></body></html>"


def html_span_bomb(rows: int = 20_000, span: int = 1000) -> bytes:
    """A short page whose table cells span 1000 columns each: a few hundred KiB that grid into millions."""
    row = f'<tr><td colspan="{span}">x</td></tr>'.encode()
    return b"<html><body><table>" + row * rows + b"</table></body></html>"


def docx_span_bomb(rows: int = 2_000, span: int = 1_000_000) -> bytes:
    """A .docx table whose rows each hold one cell spanning a million grid columns (a few KiB on the wire)."""
    row = f'<w:tr><w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p/></w:tc></w:tr>'.encode()
    return _docx(_document(iter([b"<w:tbl>", row * rows, b"</w:tbl>"])))


def text_big(size: int = 40 * MiB) -> bytes:
    """A text 'report' of `size` bytes."""
    return b"".join(repeat("二、主动公开政府信息情况\t1\t2\n".encode(), size))
