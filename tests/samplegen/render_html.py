"""HTML as agency sites publish it: article pages (plain or Word-exported), listing pages, GBK or UTF-8."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from samplegen.layout import Grid, Printed


@dataclass
class HtmlStyle:
    """How an article page is written."""

    word: bool = False  # exported from Word: <p class=MsoNormal><span> in every cell, &nbsp; fillers
    encoding: str = "utf-8"  # or "gbk"
    br_labels: bool = False  # long header labels broken with <br>
    inline: bool = True  # the report's text and tables are in the page
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (href, link text)

    def tags(self) -> list[str]:
        """Quirk names for the truth manifest."""
        out = []
        if self.word:
            out.append("word_html")
        if self.encoding != "utf-8":
            out.append(self.encoding)
        if self.br_labels:
            out.append("br_labels")
        return out


def _cell_text(text: str, style: HtmlStyle, header: bool) -> str:
    t = escape(text, quote=False)
    if style.br_labels and header and 6 <= len(text) <= 12 and "第二十条" not in text:
        half = len(text) // 2
        t = escape(text[:half], quote=False) + "<br>" + escape(text[half:], quote=False)
    if not style.word:
        return t
    if header:
        return f"<p class=MsoNormal align=center><span style='font-family:宋体'>{t}<span lang=EN-US>&nbsp;</span></span></p>"
    return f"<p class=MsoNormal align=center><span lang=EN-US>{t}</span></p>"


def table_html(grid: Grid, style: HtmlStyle) -> str:
    """A spanned grid as an HTML table."""
    attrs = " class=MsoNormalTable border=1 cellspacing=0 cellpadding=0" if style.word else ' border="1"'
    out = [f"<table{attrs}>"]
    for row in grid:
        out.append("<tr>")
        for c in row:
            span = (f" rowspan={c.rowspan}" if c.rowspan > 1 else "") + (
                f" colspan={c.colspan}" if c.colspan > 1 else ""
            )
            td = "td" if style.word or not c.header else "th"
            out.append(f"<{td}{span}>{_cell_text(c.text, style, c.header)}</{td}>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def _para(text: str, style: HtmlStyle, heading: bool = False) -> str:
    t = escape(text, quote=False)
    if style.word:
        inner = (
            f"<b><span style='font-family:黑体'>{t}</span></b>"
            if heading
            else (f"<span style='font-size:16pt;font-family:仿宋_GB2312'>{t}</span>")
        )
        return f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>{inner}</p>"
    return f"<h3>{t}</h3>" if heading else f"<p>{t}</p>"


def page(title: str, body: str, nav: str, encoding: str = "utf-8") -> bytes:
    """A whole HTML page in the given encoding (its meta tag says which)."""
    meta = "gbk" if encoding == "gbk" else "utf-8"
    text = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">\n'
        f"<title>{escape(title, quote=False)}</title>\n</head>\n<body>\n"
        f'<div class="nav">{nav}</div>\n{body}\n'
        '<div class="footer">主办：杭州市人民政府办公厅　浙ICP备05001234号</div>\n</body>\n</html>\n'
    )
    return text.encode(encoding)


def article_html(doc: Printed, style: HtmlStyle, agency: str, date: str, nav: str) -> bytes:
    """An article page carrying the report inline, as an attachment link, or both."""
    parts = [
        f'<div class="article">\n<h1>{escape(doc.title, quote=False)}</h1>',
        f'<div class="info">发布日期：{date}　信息来源：{escape(agency, quote=False)}</div>',
        '<div class="content">',
    ]
    if style.inline:
        for block in doc.blocks:
            if block[0] == "h":
                parts.append(_para(block[1], style, heading=True))
            elif block[0] == "p":
                parts.append(_para(block[1], style))
            else:
                parts.append(table_html(block[2], style))
    else:
        parts.append(f"<p>现将《{escape(doc.title, quote=False)}》予以公布，全文详见附件。</p>")
    parts.append("</div>")
    if style.attachments:
        links = "".join(
            f'<li><a href="{escape(h)}">{escape(t, quote=False)}</a></li>' for h, t in style.attachments
        )
        parts.append(f'<div class="attachments"><p>附件：</p><ul>{links}</ul></div>')
    parts.append("</div>")
    return page(doc.title, "\n".join(parts), nav, style.encoding)


def simple_article(title: str, paragraphs: list[str], agency: str, date: str, nav: str) -> bytes:
    """An unrelated article (news, guides) for the listing pages to mix in."""
    body = [
        f'<div class="article">\n<h1>{escape(title, quote=False)}</h1>',
        f'<div class="info">发布日期：{date}　信息来源：{escape(agency, quote=False)}</div>',
    ]
    body += [f"<p>{escape(p, quote=False)}</p>" for p in paragraphs]
    body.append("</div>")
    return page(title, "\n".join(body), nav)


def listing_html(
    title: str,
    items: list[tuple[str, str, str]],
    prev_href: str | None,
    next_href: str | None,
    pageno: int,
    pages: int,
    nav: str,
) -> bytes:
    """One page of an agency's 年度报告 column: dated links, then 上一页 / 下一页."""
    lis = "\n".join(
        f'<li><a href="{escape(h)}" target="_blank">{escape(t, quote=False)}</a><span>{d}</span></li>'
        for h, t, d in items
    )
    pager = [f"<span>共{pages}页 第{pageno}页</span>"]
    if prev_href:
        pager.append(f'<a href="{escape(prev_href)}">上一页</a>')
    if next_href:
        pager.append(f'<a href="{escape(next_href)}">下一页</a>')
    body = (
        f'<div class="column">\n<h2>{escape(title, quote=False)}</h2>\n<ul class="list">\n{lis}\n</ul>\n'
        f'<div class="pager">{" ".join(pager)}</div>\n</div>'
    )
    return page(title, body, nav)
