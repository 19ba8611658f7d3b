"""Ground-truth canonical records: the sample city's (plausible, carried year to year) and the format fixtures'.

Every record's own arithmetic holds (table 3 balances, every total is its parts' sum) unless a fault is
planted on purpose; the goldens and the city's truth are written from these records, never from an extractor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nianbao.pipeline import tables as T
from nianbao.pipeline.model import Report

from samplegen.agencies import Agency

# (low, high) of new applications a year by size class
_VOLUME = {"large": (300, 2600), "medium": (25, 260), "small": (0, 14)}
# relative weight of each outcome row; rows of one template only are simply absent from the other
_OUTCOME_WEIGHTS = {
    "granted": 36.0,
    "partially_granted": 7.0,
    "denied_state_secret": 0.3,
    "denied_prohibited_by_law": 0.6,
    "denied_three_safeties": 0.3,
    "denied_third_party": 1.2,
    "denied_internal_affairs": 0.8,
    "denied_process_info": 1.5,
    "denied_enforcement_file": 0.5,
    "denied_admin_query": 1.5,
    "unavailable_not_held": 22.0,
    "unavailable_needs_creation": 3.0,
    "unavailable_unclear": 2.0,
    "rejected_petition": 4.0,
    "rejected_duplicate": 3.0,
    "rejected_publication": 0.4,
    "rejected_mass_repetitive": 1.0,
    "rejected_confirm_reissue": 0.8,
    "other_handling": 6.0,
    "other_no_correction": 3.0,
    "other_fee_unpaid": 0.3,
    "other_misc": 3.0,
}
# share of new applications by applicant column (natural persons dominate)
_APPLICANT_WEIGHTS = {
    "natural_person": 88.0,
    "commercial": 7.0,
    "research": 0.3,
    "social_welfare": 0.4,
    "legal_services": 2.5,
    "other_org": 1.8,
}


def template_for(year: int) -> str:
    """The template a report of this year is printed on."""
    for template, (lo, hi) in T.TEMPLATE_YEARS.items():
        if lo <= year <= hi:
            return template
    return "v2019"


def split(rng: random.Random, n: int, weights: dict[str, float], sparse: bool = True) -> dict[str, int]:
    """Split n into integer parts roughly by (jittered) weights; small n leaves most parts at 0."""
    keys = list(weights)
    w = {k: weights[k] * rng.uniform(0.4, 1.6) for k in keys}
    if sparse and n < 40:
        top = max(keys, key=lambda k: weights[k])
        w = {k: v if (k == top or v > 5 or rng.random() < 0.25) else 0.0 for k, v in w.items()}
    total_w = sum(w.values())
    raw = {k: n * w[k] / total_w for k in keys}
    out = {k: int(raw[k]) for k in keys}
    rest = n - sum(out.values())
    order = sorted(keys, key=lambda k: (raw[k] - out[k], w[k]), reverse=True)
    for k in order[:rest]:
        out[k] += 1
    return out


def _with_total(parts: dict[str, int]) -> dict[str, int]:
    row = {a: parts.get(a, 0) for a in T.APPLICANT_PARTS}
    row["total"] = sum(row.values())
    return row


def make_applications(
    rng: random.Random, agency: Agency, template: str, carried_in: dict[str, int], volume: int
) -> dict[str, dict[str, int]]:
    """Table 3 for one year: new applications, the carry-in, outcomes and carry-out, balanced per column."""
    received = split(rng, volume, _APPLICANT_WEIGHTS)
    outcomes = T.OUTCOME_ROWS[template]
    weights = {o: _OUTCOME_WEIGHTS[o] for o in outcomes}
    cells: dict[str, dict[str, int]] = {o: {} for o in outcomes}
    carried_out: dict[str, int] = {}
    for a in T.APPLICANT_PARTS:
        avail = received[a] + carried_in.get(a, 0)
        out = int(avail * rng.uniform(0.0, 0.07)) if avail > 12 else 1 if avail and rng.random() < 0.12 else 0
        carried_out[a] = out
        for o, v in split(rng, avail - out, weights).items():
            cells[o][a] = v
    rows: dict[str, dict[str, int]] = {
        "received_new": _with_total(received),
        "carried_in": _with_total(carried_in),
    }
    for o in outcomes:
        rows[o] = _with_total(cells[o])
    rows["handled_total"] = _with_total({a: sum(cells[o][a] for o in outcomes) for a in T.APPLICANT_PARTS})
    rows["carried_out"] = _with_total(carried_out)
    return {r: rows[r] for r in T.application_row_codes(template)}


def make_review_litigation(rng: random.Random, agency: Agency, volume: int) -> dict[str, dict[str, int]]:
    """Table 4: mostly zeros; busy bodies see a few reviews and suits a year."""
    scale = {"large": (12, 5), "medium": (4, 2), "small": (1, 0)}[agency.size]
    out: dict[str, dict[str, int]] = {}
    for n, p in enumerate(T.PROCEEDING_CODES):
        top = scale[0] if n == 0 else scale[1]
        k = rng.randint(0, top) if rng.random() < (0.8 if agency.size == "large" else 0.35) else 0
        parts = split(rng, k, {"upheld": 6.0, "corrected": 1.0, "other": 2.0, "pending": 1.5})
        out[p] = {o: parts[o] for o in T.OUTCOME_PARTS}
        out[p]["total"] = k
    return out


def _money(rng: random.Random, lo: int, hi: int, fen: bool) -> Decimal:
    """An amount in yuan; with fen when asked (procurement), whole hundreds otherwise (printed in 万元)."""
    if fen:
        return Decimal(rng.randint(lo * 100, hi * 100)) / 100
    return Decimal(rng.randint(lo // 100, hi // 100) * 100)


def make_proactive(rng: random.Random, agency: Agency, template: str) -> dict[str, dict[str, Any]]:
    """Table 2 in the template's layout; only governments make 规章."""
    big = {"large": 4.0, "medium": 1.0, "small": 0.3}[agency.size]
    makes_rules = agency.kind == "government" and agency.level == "municipal"
    out: dict[str, dict[str, Any]] = {}
    for item, measures in T.PROACTIVE_LAYOUT[template].items():
        row: dict[str, Any] = {}
        for m in measures:
            if item == "rules" and not makes_rules:
                row[m] = 0
            elif m in {"made", "published", "issued"}:
                row[m] = rng.randint(0, int(6 * big) + 1)
            elif m == "repealed":
                row[m] = rng.randint(0, int(2 * big) + 1)
            elif m in {"total_public", "in_force"}:
                row[m] = rng.randint(5, int(60 * big) + 10)
            elif m == "prev_items":
                row[m] = 0 if item == "fees" and rng.random() < 0.6 else rng.randint(0, int(80 * big) + 5)
            elif m == "change":
                row[m] = rng.randint(-min(row.get("prev_items", 0), 30), 40) if row.get("prev_items") else 0
            elif m == "decisions":
                row[m] = 0 if rng.random() < 0.15 else rng.randint(1, int(900 * big) + 20)
            elif m == "projects":
                row[m] = rng.randint(0, int(25 * big) + 3)
            elif m == "amount_yuan" and item == "procurement":
                row[m] = (
                    _money(rng, 20_000, int(3_000_000 * big), fen=True) if row.get("projects") else Decimal(0)
                )
            else:  # fees under v2021, in 万元 on paper
                row[m] = (
                    Decimal(0) if rng.random() < 0.55 else _money(rng, 1000, int(900_000 * big), fen=False)
                )
        if "published" in row:
            row["published"] = min(row["published"], row["made"]) if rng.random() < 0.8 else row["made"]
            row["total_public"] = max(row["total_public"], row["published"])
        out[item] = row
    return out


def agency_volumes(rng: random.Random, agency: Agency, years: list[int]) -> list[int]:
    """New applications per year: a base level with year-to-year drift."""
    lo, hi = _VOLUME[agency.size]
    base = rng.randint(lo, hi)
    return [max(0, int(base * rng.uniform(0.75, 1.3))) for _ in years]


def agency_records(seed: int, agency: Agency, years: list[int]) -> list[Report]:
    """The clean reports of one agency for consecutive years, the carry chained between them."""
    rng = random.Random(f"{seed}:{agency.id}")
    volumes = agency_volumes(rng, agency, years)
    carried: dict[str, int] = split(rng, int(volumes[0] * rng.uniform(0, 0.04)), _APPLICANT_WEIGHTS)
    out: list[Report] = []
    for year, volume in zip(years, volumes, strict=True):
        template = template_for(year)
        apps = make_applications(rng, agency, template, carried, volume)
        carried = {a: apps["carried_out"][a] for a in T.APPLICANT_PARTS}
        fees: Decimal | None = None
        if template == "v2021":
            fees = Decimal(rng.choice((100, 200, 400, 1250))) if rng.random() < 0.08 else Decimal(0)
        out.append(
            Report(
                agency=agency.name,
                year=year,
                template=template,
                proactive=make_proactive(rng, agency, template),
                applications=apps,
                review_litigation=make_review_litigation(rng, agency, volume),
                processing_fees_yuan=fees,
            )
        )
    return out


def narrative_claims(report: Report) -> dict[str, int]:
    """The totals the report's narrative states: received applications, and reviews/suits when any."""
    apps = report.applications
    rl = report.review_litigation
    claims = {"applications_received": apps["received_new"]["total"]}
    review = rl["review"]["total"]
    suits = rl["litigation_direct"]["total"] + rl["litigation_after_review"]["total"]
    if review or suits:
        claims["review"] = review
        claims["litigation"] = suits
    return claims


# ----------------------------------------------------------------------------- planted faults
def plant_misprint(report: Report, check: str) -> list[str]:
    """Change printed values so that exactly one blocking identity fails; returns the touched cells."""
    apps = report.applications
    if check == "t3_balance":
        apps["received_new"]["natural_person"] += 3
        apps["received_new"]["total"] += 3
        return ["applications.received_new.natural_person", "applications.received_new.total"]
    if check == "t3_row_total":
        # move one application between two outcome rows in one column: column sums hold, row sums do not
        rows = [r for r in T.OUTCOME_ROWS[report.template] if apps[r]["natural_person"] > 0]
        src = rows[-1]
        dst = "granted" if src != "granted" else "unavailable_not_held"
        apps[src]["natural_person"] -= 1
        apps[dst]["natural_person"] += 1
        return [f"applications.{src}.natural_person", f"applications.{dst}.natural_person"]
    if check == "t4_group_total":
        report.review_litigation["review"]["total"] += 1
        return ["review_litigation.review.total"]
    raise ValueError(check)


def plant_carry_break(report: Report, k: int = 2) -> list[str]:
    """Print a carry-in that differs from last year's carry-out, keeping this year's own arithmetic whole."""
    apps = report.applications
    for row in ("carried_in", "granted", "handled_total"):
        apps[row]["natural_person"] += k
        apps[row]["total"] += k
    return ["applications.carried_in.natural_person", "applications.carried_in.total"]


# ----------------------------------------------------------------------------- the format fixtures' records
@dataclass(frozen=True)
class Draw:
    """The value pools a small fixture record is drawn from, and how table 3 is drawn."""

    counts: tuple[int, ...]  # table 2's counts
    changes: tuple[int, ...]  # table 2's 本年增/减
    amounts: dict[str, tuple[str, ...]]  # template → table 2's money, in yuan
    busy: tuple[int, ...]  # an outcome cell of natural persons and companies
    quiet: tuple[int, ...]  # an outcome cell of the other applicants
    carried_in: tuple[int, ...]
    carried_out: tuple[int, ...]
    reviews: tuple[int, ...]  # each part of a table 4 group
    by_row: bool  # table 3 drawn row by row, every applicant carrying (else applicant by applicant)


# the HTML, DOCX and text fixtures'
DOC_DRAW = Draw(
    counts=(0, 0, 3, 11, 50, 412, 5200, 12345),
    changes=(-28, -14, -1, 0, 3, 231, 1204),
    amounts={"v2019": ("1270084.4", "251000", "98765.43"), "v2021": ("123500", "0", "35000", "1270100")},
    busy=(0, 0, 0, 1, 2, 7, 31),
    quiet=(0, 0, 0, 0, 1),
    carried_in=(0, 1, 3),
    carried_out=(0, 2, 5),
    reviews=(0, 0, 1, 2, 6),
    by_row=False,
)
# the PDF fixtures'
PDF_DRAW = Draw(
    counts=(0, 0, 3, 11, 27, 412, 5200),
    changes=(-28, -3, 0, 5, 231),
    amounts={"v2019": ("1270084.4", "251000"), "v2021": ("123500", "251000", "961716000")},
    busy=(0, 0, 0, 1, 2, 7, 15),
    quiet=(0, 0, 0, 0, 1),
    carried_in=(0, 0, 1, 3),
    carried_out=(0, 0, 2),
    reviews=(0, 0, 1, 2, 5),
    by_row=True,
)
_BUSY = ("natural_person", "commercial")


def _fixture_applications(rng: random.Random, template: str, draw: Draw) -> dict[str, dict[str, int]]:
    """Table 3 drawn cell by cell from the pools, then balanced: received = handled + carried out - carried in."""
    outcomes = [r for r in T.application_row_codes(template) if r in T.OUTCOME_ROWS[template]]
    cells: dict[str, dict[str, int]] = {r: {} for r in outcomes}
    carried_in: dict[str, int] = {}
    carried_out: dict[str, int] = {}
    if draw.by_row:
        for r in outcomes:
            for a in T.APPLICANT_PARTS:
                cells[r][a] = rng.choice(draw.busy if a in _BUSY else draw.quiet)
        carried_in = {a: rng.choice(draw.carried_in) for a in T.APPLICANT_PARTS}
        carried_out = {a: rng.choice(draw.carried_out) for a in T.APPLICANT_PARTS}
    else:
        for a in T.APPLICANT_PARTS:
            for r in outcomes:
                cells[r][a] = rng.choice(draw.busy if a in _BUSY else draw.quiet)
            handled = sum(cells[r][a] for r in outcomes)
            carried_in[a] = rng.choice(draw.carried_in) if a in _BUSY else 0
            carried_out[a] = min(handled + carried_in[a], rng.choice(draw.carried_out))
    handled = {a: sum(cells[r][a] for r in outcomes) for a in T.APPLICANT_PARTS}
    received = {a: max(0, handled[a] + carried_out[a] - carried_in[a]) for a in T.APPLICANT_PARTS}
    carried_in = {a: handled[a] + carried_out[a] - received[a] for a in T.APPLICANT_PARTS}
    rows = {
        "received_new": received,
        "carried_in": carried_in,
        **cells,
        "handled_total": handled,
        "carried_out": carried_out,
    }
    return {r: _with_total(rows[r]) for r in T.application_row_codes(template)}


def fixture_record(
    seed: int, agency: str, year: int, template: str, fees: Decimal | None, draw: Draw = DOC_DRAW
) -> Report:
    """A small report whose own arithmetic holds, drawn from `draw`'s pools (fees only under v2021)."""
    rng = random.Random(seed)
    proactive: dict[str, dict[str, Any]] = {}
    for item, measures in T.PROACTIVE_LAYOUT[template].items():
        row: dict[str, Any] = {}
        for m in measures:
            if m == "change":
                row[m] = rng.choice(draw.changes)
            elif m == "amount_yuan":
                row[m] = Decimal(rng.choice(draw.amounts[template]))
            else:
                row[m] = rng.choice(draw.counts)
        proactive[item] = row
    applications = _fixture_applications(rng, template, draw)
    review: dict[str, dict[str, int]] = {}
    for p in T.PROCEEDING_CODES:
        parts = {o: rng.choice(draw.reviews) for o in T.OUTCOME_PARTS}
        review[p] = {**parts, "total": sum(parts.values())}
    return Report(
        agency=agency,
        year=year,
        template=template,
        proactive=proactive,
        applications=applications,
        review_litigation=review,
        processing_fees_yuan=fees if template == "v2021" else None,
    )


def without_carry_out(report: Report) -> Report:
    """The same report with nothing carried into next year (received_new lowered to keep table 3 balanced)."""
    apps = report.applications
    apps["carried_out"] = dict.fromkeys(apps["carried_out"], 0)
    apps["received_new"] = {a: apps["handled_total"][a] - apps["carried_in"][a] for a in apps["received_new"]}
    if min(apps["received_new"].values()) < 0:
        raise ValueError("nothing carried out leaves a negative received_new: choose another seed")
    return report
