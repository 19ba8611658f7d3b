"""The sample city's agencies: real 杭州市 bodies with stable ids, and synthetic ones for scale runs."""

from __future__ import annotations

from dataclasses import dataclass

CITY = "杭州市"


@dataclass(frozen=True)
class Agency:
    """One publishing body as the catalog lists it, plus how busy it is (drives the generated numbers)."""

    id: str
    name: str
    region: str
    level: str  # municipal | district | county
    kind: str  # government | department
    size: str  # large | medium | small


_DEPARTMENTS = (
    ("hz-szf", "杭州市人民政府", "large"),
    ("hz-fgw", "杭州市发展和改革委员会", "medium"),
    ("hz-jyj", "杭州市教育局", "medium"),
    ("hz-kjj", "杭州市科学技术局", "small"),
    ("hz-jxj", "杭州市经济和信息化局", "small"),
    ("hz-gaj", "杭州市公安局", "large"),
    ("hz-mzj", "杭州市民政局", "medium"),
    ("hz-sfj", "杭州市司法局", "small"),
    ("hz-czj", "杭州市财政局", "medium"),
    ("hz-rsj", "杭州市人力资源和社会保障局", "medium"),
    ("hz-ghzy", "杭州市规划和自然资源局", "large"),
    ("hz-sthjj", "杭州市生态环境局", "medium"),
    ("hz-fgj", "杭州市住房保障和房产管理局", "large"),
    ("hz-jtj", "杭州市交通运输局", "medium"),
    ("hz-lsj", "杭州市林业水利局", "small"),
    ("hz-nyj", "杭州市农业农村局", "small"),
    ("hz-swj", "杭州市商务局", "small"),
    ("hz-wgl", "杭州市文化广电旅游局", "small"),
    ("hz-wjw", "杭州市卫生健康委员会", "medium"),
    ("hz-yjglj", "杭州市应急管理局", "small"),
    ("hz-scjg", "杭州市市场监督管理局", "medium"),
    ("hz-cgj", "杭州市城市管理局", "medium"),
    ("hz-tjj", "杭州市统计局", "small"),
    ("hz-ybj", "杭州市医疗保障局", "small"),
)

_DISTRICTS = (
    ("hz-scq", "上城区", "district", "large"),
    ("hz-gsq", "拱墅区", "district", "large"),
    ("hz-xhq", "西湖区", "district", "large"),
    ("hz-bjq", "滨江区", "district", "medium"),
    ("hz-xsq", "萧山区", "district", "large"),
    ("hz-yhq", "余杭区", "district", "large"),
    ("hz-lpq", "临平区", "district", "medium"),
    ("hz-qtq", "钱塘区", "district", "medium"),
    ("hz-fyq", "富阳区", "district", "medium"),
    ("hz-laq", "临安区", "district", "medium"),
    ("hz-tlx", "桐庐县", "county", "small"),
    ("hz-cax", "淳安县", "county", "small"),
    ("hz-jds", "建德市", "county", "small"),
)

# district-level bureaus used to make up scale-mode agencies: (id suffix, name suffix, size)
_DISTRICT_BUREAUS = (
    ("jyj", "教育局", "medium"),
    ("mzj", "民政局", "small"),
    ("sfj", "司法局", "small"),
    ("czj", "财政局", "small"),
    ("rsj", "人力资源和社会保障局", "small"),
    ("zjj", "住房和城乡建设局", "medium"),
    ("wjj", "卫生健康局", "small"),
    ("scjg", "市场监督管理局", "medium"),
    ("yjglj", "应急管理局", "small"),
    ("cgj", "城市管理局", "small"),
    ("nyj", "农业农村局", "small"),
    ("tyj", "退役军人事务局", "small"),
)


def city_agencies() -> list[Agency]:
    """The sample city: municipal departments, the city government, district and county governments."""
    out = [
        Agency(
            aid, name, CITY, "municipal", "government" if name.endswith("人民政府") else "department", size
        )
        for aid, name, size in _DEPARTMENTS
    ]
    out.extend(
        Agency(aid, f"{CITY}{region}人民政府", region, level, "government", size)
        for aid, region, level, size in _DISTRICTS
    )
    return out


def scale_agencies(n: int) -> list[Agency]:
    """N agencies for benchmarks: the city's own first, then district bureaus, then numbered sub-districts."""
    out = city_agencies()
    for aid, region, _level, _size in _DISTRICTS:
        for suffix, bureau, size in _DISTRICT_BUREAUS:
            out.append(
                Agency(f"{aid}-{suffix}", f"{CITY}{region}{bureau}", region, "district", "department", size)
            )
    k = 0
    while len(out) < n:
        aid, region, _level, _size = _DISTRICTS[k % len(_DISTRICTS)]
        out.append(
            Agency(
                f"{aid}-jd{k // len(_DISTRICTS) + 1:04d}",
                f"{CITY}{region}第{k // len(_DISTRICTS) + 1}街道办事处",
                region,
                "township",
                "government",
                "small",
            )
        )
        k += 1
    return out[:n]
