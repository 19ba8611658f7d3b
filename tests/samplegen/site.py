"""Writing the agency sites: listing pages, article pages, attachments, the routing table and the catalog.

The layout it writes is described (and read) by `nianbao.demo.city`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from email.utils import format_datetime
from pathlib import Path

from nianbao.demo.city import CATALOG_TEMPLATE, ROUTES

from samplegen.agencies import CITY, Agency
from samplegen.render_html import listing_html, page, simple_article

_DISTRACTORS = (
    "{name}{year}年政府信息公开工作要点",
    "{name}{year}年法治政府建设年度报告",
    "{name}政府信息公开指南（{year}年修订）",
    "关于{name}{year}年度部门预算公开的说明",
    "{name}{year}年上半年政务公开工作情况",
    "{name}{year}年度部门决算",
    "{year}年{name}重点领域信息公开目录",
    "{name}关于开展{year}年“政府开放日”活动的公告",
    "{name}{year}年度政务新媒体工作年度报表",
)


def nav(agency_id: str) -> str:
    """The site navigation every page carries (its 年度报告 link has no year: not a report)."""
    return f'<a href="/">首页</a> &gt; <a href="/{agency_id}/ndbg/index.html">政府信息公开年度报告</a>'


def http_date(day: str, hour: int = 9) -> str:
    """'2021-01-25' → an HTTP date at `hour` o'clock China time."""
    y, m, d = (int(x) for x in day.split("-"))
    when = dt.datetime(y, m, d, hour, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return format_datetime(when.astimezone(dt.UTC), usegmt=True)


class SiteWriter:
    """Writes pages and documents under `root/site` and keeps the routing table beside them."""

    def __init__(self, root: Path, seed: int, flat: bool = False) -> None:
        self.root = root
        self.flat = flat  # scale runs: /<id>/art/art_….html, no date folders (far fewer directories)
        self.site = root / "site"
        self.rng = random.Random(f"{seed}:site")
        self.routes: dict[str, dict[str, str]] = {
            "files": {},
            "types": {},
            "redirects": {},
            "corrections": {},
            "last_modified": {},
        }
        self.listings: dict[str, list[tuple[str, str, str]]] = {}
        self._download_id = 3700
        self._article_no = 5_120_000
        self._dirs: set[Path] = set()

    # ------------------------------------------------------------------ files and URLs
    def _file_for(self, url: str, ext: str) -> str:
        if "?" not in url:
            return url.lstrip("/")
        return f"_files/q{len(self.routes['files']) + 1:05d}.{ext}"

    def put(
        self,
        url: str,
        data: bytes,
        ext: str,
        content_type: str | None = None,
        date: str | None = None,
        correction: bool = False,
    ) -> str:
        """Store a body for a URL; returns its file path relative to `site/`."""
        if correction:
            rel = f"_corrections/c{len(self.routes['corrections']) + 1:04d}.{ext}"
        else:
            rel = self._file_for(url, ext)
        path = self.site / rel
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        path.write_bytes(data)
        if correction:
            self.routes["corrections"][url] = rel
        elif "?" in url:
            self.routes["files"][url] = rel
        if content_type and not correction:
            self.routes["types"][url] = content_type
        if date and not correction:
            self.routes["last_modified"][url] = http_date(date)
        return rel

    def article_url(self, agency: Agency, day: str) -> str:
        """A Hangzhou-CMS style article URL: /<id>/art/2021/1/25/art_1229_5120001.html."""
        self._article_no += self.rng.randint(1, 900)
        y, m, d = (int(x) for x in day.split("-"))
        folder = "" if self.flat else f"{y}/{m}/{d}/"
        return (
            f"/{agency.id}/art/{folder}art_1229{abs(hash_id(agency.id)) % 1000:03d}_{self._article_no}.html"
        )

    def attachment_url(self, agency: Agency, kind: str, ext: str, day: str) -> str:
        """Where an attachment lives: a static file, `/download?id=N`, or a JSP with an opaque name."""
        if kind == "download":
            self._download_id += self.rng.randint(1, 40)
            return f"/download?id={self._download_id}"
        if kind == "jsp":
            token = "".join(self.rng.choice("0123456789abcdef") for _ in range(24))
            return f"/{agency.id}/module/download/downfile.jsp?classid=0&filename={token}"
        return f"/{agency.id}/files/P0{day.replace('-', '')}{self.rng.randint(100, 999)}.{ext}"

    # ------------------------------------------------------------------ pages
    def list_item(self, agency: Agency, href: str, title: str, day: str) -> None:
        """Add a link to the agency's 年度报告 listing."""
        self.listings.setdefault(agency.id, []).append((href, title, day))

    def distractors(self, agency: Agency, years: list[int], few: bool = False) -> None:
        """Unrelated articles mixed into the listing (guides, budgets, work plans)."""
        n = self.rng.randint(4, 8)
        if few:
            n = 2
        for k in self.rng.sample(range(len(_DISTRACTORS)), n):
            year = self.rng.choice(years) + 1
            title = _DISTRACTORS[k].format(name=agency.name, year=year)
            day = f"{year}-{self.rng.randint(2, 11):02d}-{self.rng.randint(1, 28):02d}"
            url = self.article_url(agency, day)
            body = simple_article(
                title,
                [f"{agency.name}现将有关情况公布如下。", "特此公告。"],
                agency.name,
                day,
                nav(agency.id),
            )
            self.put(url, body, "html", "text/html; charset=utf-8", day)
            self.list_item(agency, url, title, day)

    def article(self, agency: Agency, url: str, data: bytes, day: str, encoding: str) -> None:
        """Store an article page with the content type its encoding calls for (GBK pages say only text/html)."""
        self.put(url, data, "html", "text/html" if encoding == "gbk" else "text/html; charset=utf-8", day)

    def write_listings(self, agencies: list[Agency], per_page: int = 6) -> None:
        """Each agency's listing, newest first, over as many pages as it takes (下一页 between them)."""
        for agency in agencies:
            items = sorted(self.listings.get(agency.id, []), key=lambda i: (i[2], i[1]), reverse=True)
            pages = max(1, -(-len(items) // per_page))
            for n in range(pages):
                name = "index.html" if n == 0 else f"index_{n + 1}.html"
                prev_href = None if n == 0 else ("index.html" if n == 1 else f"index_{n}.html")
                next_href = f"index_{n + 2}.html" if n + 1 < pages else None
                chunk = [(h, t, d) for h, t, d in items[n * per_page : (n + 1) * per_page]]
                data = listing_html(
                    f"{agency.name} 政府信息公开年度报告",
                    chunk,
                    prev_href,
                    next_href,
                    n + 1,
                    pages,
                    nav(agency.id),
                )
                self.put(f"/{agency.id}/ndbg/{name}", data, "html", "text/html; charset=utf-8")
        links = "\n".join(
            f'<li><a href="/{a.id}/ndbg/index.html">{a.name}政府信息公开年度报告</a></li>' for a in agencies
        )
        self.put(
            "/index.html",
            page(f"{CITY}政府信息公开", f"<ul>\n{links}\n</ul>", '<a href="/">首页</a>'),
            "html",
            "text/html; charset=utf-8",
        )

    def finish(self, agencies: list[Agency]) -> None:
        """Write the routing table and the catalog template."""
        (self.root / ROUTES).write_text(
            json.dumps(self.routes, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        (self.root / CATALOG_TEMPLATE).write_text(catalog_template(agencies), encoding="utf-8")


def hash_id(text: str) -> int:
    """A stable small hash (Python's hash() is salted per process)."""
    h = 0
    for ch in text:
        h = (h * 131 + ord(ch)) % 1_000_003
    return h


def catalog_template(agencies: list[Agency]) -> str:
    """The catalog YAML of spec/interfaces.md, index URLs relative to `{base_url}`."""
    lines = [f"city: {CITY}", "allowed_hosts: [127.0.0.1]", "agencies:"]
    for a in agencies:
        lines += [
            f"  - id: {a.id}",
            f"    name: {a.name}",
            f"    region: {a.region}",
            f"    level: {a.level}",
            f"    kind: {a.kind}",
            f'    index_url: "{{base_url}}/{a.id}/ndbg/index.html"',
        ]
    return "\n".join(lines) + "\n"
