"""CVM purchase records: 费用中心 order pages (PDF or screenshot), the console order list, and VAT invoices
for 云服务器. One `cvm_order` fact per CVM order, {order_id, purchased_on, product, amount_cny,
account_subject}; orders of other products become `cloud_order` facts of the same shape. The choices
between candidate values (实付金额 over 原价, 下单时间 over 支付时间, the invoice's buyer) are documented in
extractors/data/cvm_order.yaml."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from extractors.fields import FieldParser, Reading, first_reading, read_by_shape, read_labelled, value_text
from extractors.labels import find_labels
from extractors.layout import value_candidates
from extractors.specs import load_options
from extractors.tables import TableRow, column_of, read_table
from extractors.values import ValueParseError, normalise, parse_date, registered_name
from pipeline.models import BBox, Document, DocumentKind, Fact, Page, TextBlock

NAME = "cvm_order"
KIND = DocumentKind.CVM_ORDER
CVM_FACT, OTHER_FACT = "cvm_order", "cloud_order"
ROW_WEIGHT = 0.97  # a cell placed by its column header is trusted like a value right of its label
ORDER_KEYS = ("order_id", "purchased_on", "product", "amount_cny", "account_subject")


class CvmOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cvm_products: list[str]
    not_cvm_products: list[str]
    known_products: list[str]
    unpaid_statuses: list[str]
    invoice_markers: list[str]
    sellers: list[str]
    company_suffixes: list[str]
    tax_category: str
    currency_marks: list[str]
    order_id_digits: tuple[int, int]
    invoice_no_digits: list[int]
    earliest_order_year: int
    bad_format_confidence: float
    mismatch_confidence: float
    digit_repairs: dict[str, str]
    list_min_columns: int
    list_columns: dict[str, list[str]]


def options() -> CvmOptions:
    return load_options(NAME, CvmOptions)


@dataclass(frozen=True)
class Part:
    """One component of an order with where it was read."""

    value: object
    confidence: float
    warnings: tuple[str, ...]
    page: int | None
    bbox: BBox | None
    text: str

    @classmethod
    def of(cls, fact: Fact | None) -> Part | None:
        if fact is None:
            return None
        return cls(fact.value, fact.confidence, tuple(fact.warnings), fact.page, fact.bbox, fact.text)


def extract(document: Document) -> list[Fact]:
    is_list, facts = list_orders(document)
    if is_list:
        return facts
    if is_invoice(document):
        return invoice_order(document)
    return detail_order(document)


def is_invoice(document: Document) -> bool:
    text = normalise(document.text)
    return any(marker in text for marker in options().invoice_markers)


def is_cvm(product: str) -> bool:
    spec = options()
    return not any(w in product for w in spec.not_cvm_products) and any(w in product for w in spec.cvm_products)


# --- value parsers -----------------------------------------------------------------------------------------

def order_date_prefix(order_id: str) -> dt.date | None:
    """The date a Tencent order id starts with (YYYYMMDD), or None when it is not a real, plausible date."""
    try:
        day = dt.date(int(order_id[:4]), int(order_id[4:6]), int(order_id[6:8]))
    except ValueError:
        return None
    return day if day.year >= options().earliest_order_year else None


def parse_order_id(text: str) -> list[Reading]:
    spec = options()
    low, high = spec.order_id_digits
    repairs = str.maketrans(spec.digit_repairs)
    for run in re.findall(rf"[0-9][0-9A-Za-z|]{{{low - 1},{high - 1}}}", normalise(text)):
        digits = run.translate(repairs)
        if not digits.isdigit():
            continue
        warnings = [] if digits == run else [f"OCR letters read as digits in order id {run}"]
        factor = 1.0 if digits == run else 0.95
        if order_date_prefix(digits) is None:
            warnings.append(f"order id {digits} does not start with a real date (YYYYMMDD): "
                            "misread, or not a Tencent order id")
            factor = spec.bad_format_confidence
        return [Reading("order_id", digits, factor, tuple(warnings))]
    return []


def parse_invoice_no(text: str) -> list[Reading]:
    digits = re.match(r"\d+", normalise(text).lstrip(":："))
    if not digits:
        return []
    number = digits.group(0)
    if len(number) in options().invoice_no_digits:
        return [Reading("order_id", number)]
    warning = f"发票号码 {number} has {len(number)} digits, not one of {options().invoice_no_digits}"
    return [Reading("order_id", number, options().bad_format_confidence, (warning,))]


def parse_day(text: str) -> list[Reading]:
    try:
        return [Reading("purchased_on", parse_date(text).isoformat())]
    except ValueParseError:
        return []


def parse_amount(text: str) -> list[Reading]:
    """A paid amount: ¥1,296.00, 1296.00, 1296.00元. A negative amount (a discount) is not one."""
    compact = normalise(text).lstrip(")）:：")
    for mark in sorted(options().currency_marks, key=len, reverse=True):
        compact = compact.removeprefix(mark)
    match = re.match(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(?![\d,])", compact)
    if not match:
        return []
    try:
        amount = Decimal(match.group(0).replace(",", ""))
    except InvalidOperation:
        return []
    return [Reading("amount_cny", int(amount) if amount == amount.to_integral_value() else float(amount))]


def product_name(text: str) -> str:
    return re.sub(options().tax_category, "", normalise(text).lstrip(":："))


def parse_product(text: str) -> list[Reading]:
    name = product_name(text)
    return [Reading("product", name)] if any(word in name for word in options().known_products) else []


def parse_goods_line(text: str) -> list[Reading]:
    """An invoice goods line found by its shape (*税目*名称) when its header was not read."""
    return parse_product(text) if re.match(options().tax_category, normalise(text)) else []


def parse_company(text: str) -> list[Reading]:
    compact = normalise(text).lstrip(":：")
    suffixes = "|".join(re.escape(s) for s in sorted(options().company_suffixes, key=len, reverse=True))
    if not re.fullmatch(rf".{{2,60}}?(?:{suffixes})", compact) or re.search(r"\d{3}|[:：;；，,。]", compact):
        return []
    return [Reading("account_subject", registered_name(compact))]


# --- one order per document: order pages and invoices ------------------------------------------------------

def _first(document: Document, fields: tuple[str, ...], parser: FieldParser) -> Part | None:
    for field in fields:
        facts = read_labelled(document, NAME, field, parser, NAME)
        if facts:
            return Part.of(facts[0])
    return None


def detail_order(document: Document) -> list[Fact]:
    parts = {
        "order_id": _first(document, ("order_id",), parse_order_id),
        "purchased_on": _first(document, ("placed_at", "paid_at"), parse_day),
        "product": _first(document, ("product",), parse_product),
        "amount_cny": _first(document, ("paid_amount", "order_amount"), parse_amount),
        "account_subject": _first(document, ("account_subject",), parse_company),
    }
    return assemble(document, parts, dated_id=True, invoice=False)


def invoice_order(document: Document) -> list[Fact]:
    order_id = _first(document, ("order_id",), parse_order_id)
    product = _first(document, ("goods",), parse_product) or _goods_by_shape(document)
    parts = {
        "order_id": order_id or _first(document, ("invoice_no",), parse_invoice_no),
        "purchased_on": _first(document, ("invoice_date",), parse_day),
        "product": product,
        "amount_cny": _first(document, ("invoice_total",), parse_amount),
        "account_subject": _buyer(document),
    }
    return assemble(document, parts, dated_id=order_id is not None, invoice=True)


def _goods_by_shape(document: Document) -> Part | None:
    found = read_by_shape(document, parse_goods_line, NAME)
    return Part.of(found[0]) if found else None


def _buyer(document: Document) -> Part | None:
    """The first 名称 on the invoice that is not a Tencent seller."""
    sellers = {normalise(s) for s in options().sellers}
    for page in document.pages:
        hits = find_labels([b.text for b in page.blocks], NAME)
        for block, block_hits in sorted(zip(page.blocks, hits), key=lambda bh: (bh[0].bbox[1], bh[0].bbox[0])):
            for hit in (h for h in block_hits if h.field == "party_name"):
                rest = value_text(normalise(block.text), hit, block_hits)
                for fact in first_reading(document, page, value_candidates(page, block, rest), parse_company, NAME):
                    if normalise(fact.value) not in sellers:
                        return Part.of(fact)
    return None


# --- assembling an order fact ------------------------------------------------------------------------------

def assemble(document: Document, parts: dict[str, Part | None], *, dated_id: bool, invoice: bool) -> list[Fact]:
    """The order fact from its parts; none without an order id and a product (CVM or not is unknown)."""
    order_id, product = parts["order_id"], parts["product"]
    if order_id is None or product is None:
        return []
    spec = options()
    value = {key: parts[key].value if parts[key] is not None else None for key in ORDER_KEYS}
    found = [p for p in parts.values() if p is not None]
    confidence = min(p.confidence for p in found)
    warnings = [w for p in found for w in p.warnings]
    for key in ("purchased_on", "amount_cny"):
        if parts[key] is None:
            warnings.append(f"no {key} read for order {order_id.value}")
            confidence = min(confidence, spec.bad_format_confidence)
    mismatch = _date_mismatch(str(order_id.value), value["purchased_on"], invoice) if dated_id else None
    if mismatch:
        warnings.append(mismatch)
        confidence = min(confidence, spec.mismatch_confidence)
    # The order's box: the account subject is printed once for the whole page (a list's banner), not in it.
    boxes = [p.bbox for key, p in parts.items() if p is not None and p.bbox is not None
             and key != "account_subject" and p.page == order_id.page]
    return [Fact(
        name=CVM_FACT if is_cvm(str(product.value)) else OTHER_FACT, value=value, confidence=round(confidence, 4),
        document=document.path, page=order_id.page, bbox=_union(boxes) if boxes else None, extractor=NAME, warnings=warnings,
        text=" | ".join(f"{key}: {parts[key].text}" for key in ORDER_KEYS if parts[key] is not None),
    )]


def _union(boxes: list[BBox]) -> BBox:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _date_mismatch(order_id: str, purchased_on: object, invoice: bool) -> str | None:
    """An order id's date prefix is the order date: it must equal 下单时间, or precede an invoice's date."""
    prefix = order_date_prefix(order_id)
    if prefix is None or not isinstance(purchased_on, str):
        return None
    day = dt.date.fromisoformat(purchased_on)
    if (prefix <= day) if invoice else (prefix == day):
        return None
    return f"order id {order_id} is dated {prefix}, which does not fit the printed date {day}"


# --- the console order list --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Skew:
    """A small rotation (a phone photo of a screen) estimated from the table header, undone before rows
    are grouped by line; `undo` maps a box back to the page for provenance."""

    slope: float
    x0: float
    y0: float

    def apply(self, block: TextBlock) -> TextBlock:
        x, y = (block.bbox[0] + block.bbox[2]) / 2, (block.bbox[1] + block.bbox[3]) / 2
        dx, dy = self.slope * (y - self.y0), -self.slope * (x - self.x0)
        x0, y0, x1, y1 = block.bbox
        return block.model_copy(update={"bbox": (x0 + dx, y0 + dy, x1 + dx, y1 + dy)})

    def undo(self, bbox: BBox) -> BBox:
        corners = [(x - self.slope * (y - self.y0), y + self.slope * (x - self.x0))
                   for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return (min(xs), min(ys), max(xs), max(ys))


def _centre(block: TextBlock) -> tuple[float, float]:
    return (block.bbox[0] + block.bbox[2]) / 2, (block.bbox[1] + block.bbox[3]) / 2


def header_chain(page: Page) -> list[TextBlock]:
    """The longest left-to-right chain of column-naming blocks whose neighbours sit on one (possibly tilted)
    line; a search box naming one or two columns is not a header."""
    columns = options().list_columns
    heads = sorted((b for b in page.blocks if column_of(b.text, columns)), key=lambda b: _centre(b)[0])
    best: list[TextBlock] = []
    for i, first in enumerate(heads):
        chain = [first]
        for block in heads[i + 1:]:
            (px, py), (x, y) = _centre(chain[-1]), _centre(block)
            if abs(y - py) <= 0.5 * (chain[-1].bbox[3] - chain[-1].bbox[1]) + 0.1 * (x - px):
                chain.append(block)
        if len({column_of(b.text, columns) for b in chain}) > len({column_of(b.text, columns) for b in best}):
            best = chain
    return best if len({column_of(b.text, columns) for b in best}) >= options().list_min_columns else []


def page_skew(page: Page) -> Skew:
    chain = header_chain(page)
    if len(chain) < 2:
        return Skew(0.0, 0.0, 0.0)
    points = [_centre(b) for b in chain]
    mx, my = sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
    spread = sum((p[0] - mx) ** 2 for p in points)
    slope = sum((p[0] - mx) * (p[1] - my) for p in points) / spread if spread else 0.0
    return Skew(slope, mx, my)


def list_orders(document: Document) -> tuple[bool, list[Fact]]:
    """(whether the document is an order list, its order facts). Cancelled and unpaid rows give no fact."""
    spec = options()
    skews = {page.number: page_skew(page) for page in document.pages}
    straight = document.model_copy(update={"pages": [
        page.model_copy(update={"blocks": [skews[page.number].apply(b) for b in page.blocks]}) for page in document.pages
    ]})
    table = read_table(straight, spec.list_columns, spec.list_min_columns)
    rows = [(row, parse_order_id(row.cells.get("order_id", ""))) for row in table]
    rows = [(row, ids[0]) for row, ids in rows if ids]
    if not rows:
        return False, []
    subject = _first(document, ("account_subject",), parse_company)
    facts = []
    for row, order_id in rows:
        if not any(status in row.cells.get("status", "") for status in spec.unpaid_statuses):
            facts.extend(_row_order(document, row, order_id, subject, skews[row.page]))
    return True, facts


def _row_order(document: Document, row: TableRow, order_id: Reading, subject: Part | None, skew: Skew) -> list[Fact]:
    bbox = skew.undo(row.bbox)

    def part(column: str, parser: FieldParser | None = None) -> Part | None:
        cell = row.cells.get(column, "")
        readings = parser(cell) if parser else ([Reading(column, product_name(cell))] if cell else [])
        if not readings:
            return None
        reading = readings[0]
        confidence = row.confidence * ROW_WEIGHT * reading.factor
        return Part(reading.value, confidence, reading.warnings, row.page, bbox, f"{column}={cell}")

    parts = {
        "order_id": Part(order_id.value, row.confidence * ROW_WEIGHT * order_id.factor, order_id.warnings, row.page, bbox,
                         f"order_id={row.cells['order_id']}"),
        "purchased_on": part("placed_at", parse_day), "product": part("product"),
        "amount_cny": part("amount", parse_amount), "account_subject": subject,
    }
    return assemble(document, parts, dated_id=True, invoice=False)
