"""The canonical codes of the report template, in one place (see spec/templates.md).

Every other module — extractors, expectations, warehouse, rollups — takes its codes and
Chinese labels from here.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATES = ("v2019", "v2021")
TEMPLATE_YEARS = {"v2019": (2019, 2020), "v2021": (2021, 2100)}


def template_of_year(year: int) -> str | None:
    """The template a report year is printed on, or None for a year no template covers (before 2019)."""
    return next((t for t, (lo, hi) in TEMPLATE_YEARS.items() if lo <= year <= hi), None)


TABLE_NAMES = ("proactive", "applications", "review_litigation")
TABLE_LABELS = {
    "proactive": "主动公开政府信息情况",
    "applications": "收到和处理政府信息公开申请情况",
    "review_litigation": "政府信息公开行政复议、行政诉讼情况",
}


@dataclass(frozen=True)
class Code:
    """A canonical code with its printed label and the fragments that recognise it in a label cell."""

    code: str
    label: str
    keys: tuple[str, ...]  # any one of these, after normalising, identifies the label


# ---------------------------------------------------------------- table 2: proactive
PROACTIVE_ITEMS = {
    "v2019": (
        Code("rules", "规章", ("规章",)),
        Code("normative_documents", "规范性文件", ("规范性文件",)),
        Code("licensing", "行政许可", ("行政许可",)),
        Code("other_services", "其他对外管理服务事项", ("其他对外管理服务事项", "对外管理服务")),
        Code("penalty", "行政处罚", ("行政处罚",)),
        Code("coercion", "行政强制", ("行政强制",)),
        Code("fees", "行政事业性收费", ("行政事业性收费",)),
        Code("procurement", "政府集中采购", ("政府集中采购", "集中采购")),
    ),
    "v2021": (
        Code("rules", "规章", ("规章",)),
        Code("normative_documents", "行政规范性文件", ("规范性文件",)),
        Code("licensing", "行政许可", ("行政许可",)),
        Code("penalty", "行政处罚", ("行政处罚",)),
        Code("coercion", "行政强制", ("行政强制",)),
        Code("fees", "行政事业性收费", ("行政事业性收费",)),
    ),
}

PROACTIVE_MEASURES = {
    "v2019": (
        Code("made", "本年新制作数量", ("新制作",)),
        Code("published", "本年新公开数量", ("新公开",)),
        Code("total_public", "对外公开总数量", ("公开总数",)),
        Code("prev_items", "上一年项目数量", ("上一年项目", "上年项目")),
        Code("change", "本年增/减", ("增/减", "增减", "增／减")),
        Code("decisions", "处理决定数量", ("处理决定",)),
        Code("projects", "采购项目数量", ("采购项目",)),
        Code("amount_yuan", "采购总金额", ("采购总金额", "总金额")),
    ),
    "v2021": (
        Code("issued", "本年制发件数", ("制发",)),
        Code("repealed", "本年废止件数", ("废止",)),
        Code("in_force", "现行有效件数", ("现行有效",)),
        Code("decisions", "本年处理决定数量", ("处理决定",)),
        Code("amount_yuan", "本年收费金额（单位：万元）", ("收费金额",)),
    ),
}

# which measures each item carries, per template (the template's own layout)
PROACTIVE_LAYOUT: dict[str, dict[str, tuple[str, ...]]] = {
    "v2019": {
        "rules": ("made", "published", "total_public"),
        "normative_documents": ("made", "published", "total_public"),
        "licensing": ("prev_items", "change", "decisions"),
        "other_services": ("prev_items", "change", "decisions"),
        "penalty": ("prev_items", "change", "decisions"),
        "coercion": ("prev_items", "change", "decisions"),
        "fees": ("prev_items", "change"),
        "procurement": ("projects", "amount_yuan"),
    },
    "v2021": {
        "rules": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "licensing": ("decisions",),
        "penalty": ("decisions",),
        "coercion": ("decisions",),
        "fees": ("amount_yuan",),
    },
}
SIGNED_MEASURES = frozenset({"change"})
MONEY_MEASURES = frozenset({"amount_yuan"})

# ---------------------------------------------------------------- table 3: applications
APPLICANTS = (
    Code("natural_person", "自然人", ("自然人",)),
    Code("commercial", "商业企业", ("商业企业",)),
    Code("research", "科研机构", ("科研机构",)),
    Code("social_welfare", "社会公益组织", ("社会公益组织", "公益组织")),
    Code("legal_services", "法律服务机构", ("法律服务机构",)),
    Code("other_org", "其他", ("其他",)),
    Code("total", "总计", ("总计",)),
)
APPLICANT_CODES = tuple(c.code for c in APPLICANTS)
APPLICANT_PARTS = APPLICANT_CODES[:-1]  # the six columns that sum to `total`

# Group codes: the label that spans several outcome rows. Used as context for ambiguous sub-rows.
_ROWS_COMMON_HEAD = (
    Code("received_new", "一、本年新收政府信息公开申请数量", ("本年新收",)),
    Code("carried_in", "二、上年结转政府信息公开申请数量", ("上年结转",)),
    Code("granted", "（一）予以公开", ("予以公开",)),
    Code("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",)),
    Code("denied_state_secret", "1．属于国家秘密", ("国家秘密",)),
    Code("denied_prohibited_by_law", "2．其他法律行政法规禁止公开", ("法律行政法规禁止", "行政法规禁止公开")),
    Code("denied_three_safeties", "3．危及“三安全一稳定”", ("三安全一稳定", "危及")),
    Code("denied_third_party", "4．保护第三方合法权益", ("第三方合法权益", "保护第三方")),
    Code("denied_internal_affairs", "5．属于三类内部事务信息", ("内部事务",)),
    Code("denied_process_info", "6．属于四类过程性信息", ("过程性信息",)),
    Code("denied_enforcement_file", "7．属于行政执法案卷", ("执法案卷",)),
    Code("denied_admin_query", "8．属于行政查询事项", ("行政查询",)),
    Code("unavailable_not_held", "1．本机关不掌握相关政府信息", ("不掌握",)),
    Code("unavailable_needs_creation", "2．没有现成信息需要另行制作", ("另行制作", "没有现成信息")),
    Code("unavailable_unclear", "3．补正后申请内容仍不明确", ("仍不明确", "补正后申请")),
    Code("rejected_petition", "1．信访举报投诉类申请", ("信访举报", "投诉类")),
    Code("rejected_duplicate", "2．重复申请", ("重复申请",)),
    Code("rejected_publication", "3．要求提供公开出版物", ("公开出版物",)),
    Code("rejected_mass_repetitive", "4．无正当理由大量反复申请", ("大量反复",)),
    Code("rejected_confirm_reissue", "5．要求行政机关确认或重新出具已获取信息", ("重新出具", "确认或重新")),
)
_ROWS_COMMON_TAIL = (
    Code("handled_total", "（七）总计", ("总计",)),
    Code("carried_out", "四、结转下年度继续办理", ("结转下年", "下年度继续")),
)
APPLICATION_ROWS = {
    "v2019": (
        *_ROWS_COMMON_HEAD,
        Code("other_handling", "（六）其他处理", ("其他处理",)),
        *_ROWS_COMMON_TAIL,
    ),
    "v2021": (
        *_ROWS_COMMON_HEAD,
        Code(
            "other_no_correction",
            "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ("逾期不补正",),
        ),
        Code(
            "other_fee_unpaid",
            "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ("收费通知", "缴纳费用"),
        ),
        Code("other_misc", "3．其他", ()),  # only "3. 其他" under （六）其他处理: resolved by context
        *_ROWS_COMMON_TAIL,
    ),
}
OUTCOME_ROWS = {
    t: tuple(
        c.code for c in rows if c.code not in {"received_new", "carried_in", "handled_total", "carried_out"}
    )
    for t, rows in APPLICATION_ROWS.items()
}

# ---------------------------------------------------------------- table 4: review_litigation
PROCEEDINGS = (
    Code("review", "行政复议", ("行政复议",)),
    Code("litigation_direct", "行政诉讼·未经复议直接起诉", ("未经复议直接起诉", "直接起诉")),
    Code("litigation_after_review", "行政诉讼·复议后起诉", ("复议后起诉",)),
)
OUTCOMES = (
    Code("upheld", "结果维持", ("维持",)),
    Code("corrected", "结果纠正", ("纠正",)),
    Code("other", "其他结果", ("其他结果",)),
    Code("pending", "尚未审结", ("尚未审结", "未审结")),
    Code("total", "总计", ("总计",)),
)
PROCEEDING_CODES = tuple(c.code for c in PROCEEDINGS)
OUTCOME_CODES = tuple(c.code for c in OUTCOMES)
OUTCOME_PARTS = OUTCOME_CODES[:-1]


# ---------------------------------------------------------------- printed headings
# The cells of the printed tables that span several codes, as the templates print them: codes name the
# rows and columns, these name groups of them (for showing a report's tables as printed).
PROACTIVE_SECTIONS = (  # 第二十条 sub-table heading → its items, in printed order (第（九）项: v2019 only)
    ("第二十条第（一）项", ("rules", "normative_documents")),
    ("第二十条第（五）项", ("licensing", "other_services")),
    ("第二十条第（六）项", ("penalty", "coercion")),
    ("第二十条第（八）项", ("fees",)),
    ("第二十条第（九）项", ("procurement",)),
)
PROACTIVE_ITEM_HEADER = "信息内容"
APPLICANT_HEADER = "申请人情况"
APPLICANT_GROUP = "法人或其他组织"  # spans commercial … other_org
APPLICATIONS_IDENTITY = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICATION_GROUPS = {  # the label spanning a family of table 3 rows
    "outcomes": "三、本年度办理结果",  # granted … handled_total
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "rejected": "（五）不予处理",
    "other": "（六）其他处理",  # v2021: other_no_correction, other_fee_unpaid, other_misc
}
LITIGATION_GROUP = "行政诉讼"  # spans litigation_direct and litigation_after_review


def application_row_codes(template: str) -> tuple[str, ...]:
    """Row codes of table 3 for a template, in printed order."""
    return tuple(c.code for c in APPLICATION_ROWS[template])


def label_of(table: str, code: str, template: str = "v2021") -> str:
    """The Chinese label printed for a canonical code (row, column, item, measure or outcome)."""
    pools: list[tuple[Code, ...]] = []
    if table == "proactive":
        pools = [PROACTIVE_ITEMS[template], PROACTIVE_MEASURES[template]]
    elif table == "applications":
        pools = [APPLICATION_ROWS[template], APPLICANTS]
    else:
        pools = [PROCEEDINGS, OUTCOMES]
    for pool in pools:
        for c in pool:
            if c.code == code:
                return c.label
    raise KeyError(f"{table}.{code} ({template})")


def expected_cells(template: str) -> list[tuple[str, str, str]]:
    """Every (table, row, column) cell a complete report of this template carries."""
    cells: list[tuple[str, str, str]] = []
    for item, measures in PROACTIVE_LAYOUT[template].items():
        cells.extend(("proactive", item, m) for m in measures)
    for row in application_row_codes(template):
        cells.extend(("applications", row, a) for a in APPLICANT_CODES)
    for p in PROCEEDING_CODES:
        cells.extend(("review_litigation", p, o) for o in OUTCOME_CODES)
    return cells
