"""CVM purchase records: 费用中心 order lists (web, PDF, English console), order details and the phone app's order
cards, renewal records, and invoices naming 云服务器. One `cvm_order` fact per paid CVM order, `{order_id,
purchased_on, product, amount_cny, account_subject}`; paid orders of other products are `cloud_order` facts of the
same shape. The choices between candidate values are written in extractors/data/cvm_order.yaml.

- An order list is a table read by content (extractors/tables.py): its header names the columns, each row is an
  order; the order id shows its column by its value when the header is unknown.
- Cards and detail pages are items (extractors/items.py), one per order id, their fields read by the field layer.
- An invoice has one order per goods line, in the national format's column order."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from extractors.cell_values import value_role
from extractors.dates import parse_date
from extractors.field_reading import FieldReading, read_document
from extractors.items import Item, read_items
from extractors.lines import nearest_word, page_lines
from extractors.registry import KindExtractor
from extractors.shapes import match_formats
from extractors.tables import Record, document_rows, read_records
from extractors.values import ValueParseError, normalise, registered_name
from pipeline.models import BBox, Document, DocumentKind, Fact

NAME = "cvm_order"
KIND = DocumentKind.CVM_ORDER
CVM_FACT, OTHER_FACT = "cvm_order", "cloud_order"
ROW_CONFIDENCE = 0.97  # a cell placed by its column header is trusted like a value right of its label
ORDER_KEYS = ("order_id", "purchased_on", "product", "amount_cny", "account_subject")
ITEM_BIAS = 0.65  # an order card's lines run on below its order id


class CvmOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cvm_products: list[str]
    not_cvm_products: list[str]
    unpaid_statuses: list[str]
    paid_statuses: list[str]
    invoice_markers: list[str]
    invoice_line: str
    earliest_order_year: int
    bad_format_confidence: float
    mismatch_confidence: float
    list_min_columns: int
    list_columns: dict[str, list[str]]
    list_words: dict[str, list[str]]


@dataclass(frozen=True)
class Order:
    """An order's values, where they were read, and how sure the reading is."""

    values: dict[str, object]
    page: int
    bbox: BBox | None
    text: str
    confidence: float
    evidence: tuple[str, ...]
    warnings: tuple[str, ...] = ()


class CvmOrder(KindExtractor):
    kind = KIND
    Options = CvmOptions

    def extract(self, document: Document) -> list[Fact]:
        subject = self._subject(document)
        orders = self._invoice(document) if self.is_invoice(document) else []
        if not orders:
            orders = self._list(document, subject)
            if not orders:  # no list, or a table of goods without order ids (a detail page's 商品信息)
                orders = self._items(document, subject)
        return [self._fact(document, order) for order in orders]

    # --- what a product and a status are ------------------------------------------------------------------

    def is_cvm(self, product: str) -> bool:
        text = product.lower()
        return not any(w.lower() in text for w in self.options.not_cvm_products) and any(w.lower() in text for w in self.options.cvm_products)

    def is_unpaid(self, text: str) -> bool:
        lowered = text.lower()
        return any(w.lower() in lowered for w in self.options.unpaid_statuses)

    def _card_unpaid(self, item: Item) -> bool:
        """A card's or a detail page's status: the status word printed nearest its order id (a filter bar of
        全部 / 待支付 / 已支付 / 已取消 above the cards is no card's status)."""
        if item.region is None:
            return self.is_unpaid(item.text)
        box = item.fields["order_id"].bbox
        statuses = {"unpaid": self.options.unpaid_statuses, "paid": self.options.paid_statuses}
        return nearest_word(item.region, ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), statuses) == "unpaid"

    def is_invoice(self, document: Document) -> bool:
        """Two of an invoice's own words (发票号码, 价税合计 …): a contract or a letter naming 增值税发票 is none."""
        text = normalise(document.text)
        return sum(marker in text for marker in self.options.invoice_markers) >= 2

    def order_id(self, text: str) -> tuple[str, float, tuple[str, ...]] | None:
        """An order id in `text`: (id, confidence factor, warnings); a long number without a date prefix is
        kept, doubted. The pieces OCR printed apart are tried first (a spreadsheet's row number before the id:
        10 2025…), then the text joined (an id OCR cut with a space)."""
        doubtful = None
        for piece in [*text.split(), text.replace(" ", "")]:
            for run in re.findall(r"[0-9OoIlSB|]{12,32}", piece):
                found = match_formats(run, self.data.formats["order_id"], self.data.lookalikes)
                if not found.valid:
                    continue
                warnings = ("OCR letters read as digits in the order id",) if found.repaired else ()
                if found.strength == 1.0 and _date_prefix(found.value, self.options.earliest_order_year) is not None:
                    return found.value, 1.0, warnings
                warning = f"order id {found.value} does not start with a real date (YYYYMMDD): misread, or not a Tencent order id"
                doubtful = doubtful or (found.value, self.options.bad_format_confidence, (*warnings, warning))
        return doubtful

    # --- the account's company -----------------------------------------------------------------------------

    def _subject(self, document: Document) -> FieldReading | None:
        readings = [r for page in document.pages for r in self.reader.read_page(page, ("account_subject",)).get("account_subject", [])]
        return max(readings, key=lambda r: r.confidence, default=None)

    # --- an order list ---------------------------------------------------------------------------------------

    def _list(self, document: Document, subject: FieldReading | None) -> list[Order] | None:
        """The orders of a table whose header names the order columns; None when the document has none."""
        def role(text: str) -> str | None:
            if self.order_id(text) is not None and len(text.replace(" ", "")) <= 34:
                return "order_id"
            if value_role(text, {}, ("amount",)):  # ¥1,815.00 under a header OCR misread (订单金解)
                return "order_amount"
            return value_role(text, self.options.list_words, ())

        header, records = read_records(document_rows(document), self.table_columns(self.options.list_columns), role, self.options.list_min_columns)
        if header is None or "order_id" not in header.names:
            return None
        orders = []
        for record in records:
            order = self._row_order(record, subject)
            if order is not None:
                orders.append(order)
        return orders

    def _row_order(self, record: Record, subject: FieldReading | None) -> Order | None:
        found = self.order_id(record.get("order_id"))
        if found is None or self.is_unpaid(record.get("status")):
            return None
        order_id, factor, warnings = found
        if factor < 1.0 and not any(record.get(k) for k in ("product", "placed_at", "paid_at", "paid_amount", "order_amount")):
            return None  # a long number alone on its row with no date in it (a spreadsheet's row numbers) is no order
        day = _day(record.get("placed_at")) or _day(record.get("paid_at"))
        amount = amount_in(record.get("paid_amount")) if record.get("paid_amount") else amount_in(record.get("order_amount"))
        row = record.row
        confidence = row.placed_confidence(ROW_CONFIDENCE) * factor
        values = {"order_id": order_id, "purchased_on": day, "product": record.get("product") or None,
                  "amount_cny": amount, "account_subject": _subject_value(subject)}
        return self._checked(Order(values, row.page, row.bbox, row.text, confidence,
                                   ("a row of the order list, its cells placed by the header",), warnings), subject)

    # --- cards and detail pages ------------------------------------------------------------------------------

    def _items(self, document: Document, subject: FieldReading | None) -> list[Order]:
        fields = ("order_id", "placed_at", "paid_at", "paid_amount", "order_amount", "product")
        orders = []
        for item in read_items(document, self.reader, ("order_id",), fields, 2, ITEM_BIAS):
            if "order_id" not in item.fields or self._card_unpaid(item):
                continue
            orders.append(self._item_order(item, subject))
        return orders

    def _item_order(self, item: Item, subject: FieldReading | None) -> Order:
        fields = item.fields
        found = self.order_id(str(fields["order_id"].value))
        order_id, factor, warnings = found if found else (str(fields["order_id"].value), self.options.bad_format_confidence, ())
        day = fields.get("placed_at") or fields.get("paid_at")
        amount = fields.get("paid_amount") or fields.get("order_amount")
        values = {"order_id": order_id, "purchased_on": day.value if day else None,
                  "product": fields["product"].value if "product" in fields else None,
                  "amount_cny": _money_value(amount.value) if amount else None, "account_subject": _subject_value(subject)}
        used = [r for r in (fields["order_id"], day, amount, fields.get("product")) if r is not None]
        confidence = min(r.confidence for r in used) * factor
        evidence = tuple(f"{r.field}: {'; '.join(r.evidence)}" for r in used)
        text = " | ".join(f"{r.field}: {r.text}" for r in used)
        return self._checked(Order(values, fields["order_id"].page, fields["order_id"].bbox, text, confidence, evidence,
                                   (*warnings, *(w for r in used for w in r.warnings))), subject)

    # --- invoices --------------------------------------------------------------------------------------------

    def _invoice(self, document: Document) -> list[Order]:
        """One order per goods line; the order id printed in 备注 on a one-line invoice, else the 发票号码."""
        fields = read_document(self.reader, document.pages, ("order_id", "invoice_no", "invoice_date", "invoice_total"))
        lines = self._goods_lines(document)
        buyer = self._buyer(document)
        number = fields.get("order_id") if len(lines) == 1 and fields.get("order_id") else fields.get("invoice_no")
        date, total = fields.get("invoice_date"), fields.get("invoice_total")
        orders = []
        for goods, amount, where in lines:
            if len(lines) == 1 and total is not None:
                amount = _money_value(total.value)
            values = {"order_id": number.value if number else None, "purchased_on": date.value if date else None,
                      "product": goods, "amount_cny": amount, "account_subject": _subject_value(buyer)}
            used = [r for r in (number, date, buyer) if r is not None]
            confidence = min([where[3], *(r.confidence for r in used)])
            warnings = tuple(f"no {k} read" for k, v in values.items() if v is None)
            orders.append(Order(values, where[0], where[1], where[2], confidence,
                                ("a goods line of the invoice (*税目*名称 … 金额 税率 税额)",), warnings))
        return orders

    def _goods_lines(self, document: Document) -> list[tuple[str, float, tuple]]:
        pattern = re.compile(self.options.invoice_line)
        found: dict[tuple[str, str], tuple[str, float, tuple]] = {}
        for page in document.pages:
            for line in page_lines(page):
                for match in pattern.finditer(line.text):
                    money = _line_amounts(match.group("rest")) or (match.group(0), None)  # figures unread: the total may do
                    start, end = match.span("goods")
                    # the 规格型号 cell after it: far apart, or a model code (SA2.LARGE8) read as a box of its own
                    models = [a for a, _ in line.spans if _MODEL_CODE.match(line.text[a:])]
                    end = min([cut for cut in [*line.hard, *models] if start < cut < end] or [end])
                    goods = re.sub(r"(项|次|个|台|套|年|月)$", "", line.text[start:end].strip()).strip()
                    where = (page.number, line.bbox_of(match.start(), match.end()), match.group(0),
                             line.confidence_of(match.start(), match.end()))
                    found.setdefault((goods, money[0]), (goods, money[1], where))
        return list(found.values())

    def _buyer(self, document: Document) -> FieldReading | None:
        """The first 名称 on the invoice that is not a Tencent seller."""
        readings = [r for page in document.pages for r in self.reader.read_page(page, ("buyer",)).get("buyer", [])]
        buyers = [r for r in readings if any(e.startswith("label") for e in r.evidence)]
        return min(buyers, key=lambda r: (r.page, r.bbox[1], r.bbox[0]), default=None)

    # --- facts -----------------------------------------------------------------------------------------------

    def _checked(self, order: Order, subject: FieldReading | None) -> Order:
        """An order id's date prefix is the order date: it must equal 下单时间 (else the order is doubted)."""
        prefix = _date_prefix(str(order.values["order_id"]), self.options.earliest_order_year)
        day = order.values["purchased_on"]
        warnings = list(order.warnings)
        confidence = order.confidence
        if prefix is not None and isinstance(day, str) and prefix.isoformat() != day:
            warnings.append(f"order id {order.values['order_id']} is dated {prefix}, which does not fit the printed date {day}")
            confidence = min(confidence, self.options.mismatch_confidence)
        for key in ("purchased_on", "amount_cny", "product"):
            if order.values[key] is None:
                warnings.append(f"no {key} read for order {order.values['order_id']}")
                confidence = min(confidence, self.options.bad_format_confidence)
        evidence = order.evidence + ((f"account subject: {'; '.join(subject.evidence)}",) if subject else ())
        if subject is not None and order.values["account_subject"] is not None:
            confidence = min(confidence, subject.confidence)
        return Order(order.values, order.page, order.bbox, order.text, confidence, evidence, tuple(dict.fromkeys(warnings)))

    def _fact(self, document: Document, order: Order) -> Fact:
        product = str(order.values["product"] or "")
        return Fact(name=CVM_FACT if self.is_cvm(product) else OTHER_FACT, value=order.values,
                    confidence=round(order.confidence, 4), document=document.path, page=order.page, bbox=order.bbox,
                    text=order.text, extractor=NAME, warnings=list(order.warnings), evidence=list(order.evidence))


_MODEL_CODE = re.compile(r"[A-Z]{1,4}\d+[A-Za-z]?\.[A-Z0-9]")  # an instance type: S5.MEDIUM4, SA2.LARGE8, M5.2XLARGE32
_NUMBERS = re.compile(r"\d+\.\d{2}(?!%)|\d{1,2}%|免税|不征税|\*{3}|\d+")


def _line_amounts(rest: str) -> tuple[str, float] | None:
    """(金额, 金额 + 税额) of a goods line's figures: the amount is the figure before the rate, the tax the one
    after, and the tax must be the amount times the rate. Money figures have two decimals, so figures the text
    layer runs together (3117.643117.646%) split; a unit price of more decimals printed apart stays whole."""
    tokens = []
    for chunk in rest.split():
        unit_price = re.fullmatch(r"\D*(\d+\.\d{3,})", chunk)  # 1985.84905660: a unit price, printed apart
        tokens += [unit_price.group(1)] if unit_price else _NUMBERS.findall(chunk)
    rate = next((i for i, t in enumerate(tokens) if t.endswith("%") or t in ("免税", "不征税")), None)
    if rate is None or rate == 0 or "." not in tokens[rate - 1]:
        return None
    tax = tokens[rate + 1] if rate + 1 < len(tokens) and "." in tokens[rate + 1] else "0"
    amount = Decimal(tokens[rate - 1])
    if tokens[rate].endswith("%") and abs(amount * Decimal(tokens[rate][:-1]) / 100 - Decimal(tax)) > Decimal("0.06"):
        return None  # 税额 is 金额 times the rate, to the cent: figures that disagree are misread or mis-split
    return tokens[rate - 1], round(float(amount + Decimal(tax)), 2)


def _date_prefix(order_id: str, earliest_year: int) -> dt.date | None:
    try:
        day = dt.date(int(order_id[:4]), int(order_id[4:6]), int(order_id[6:8]))
    except ValueError:
        return None
    return day if day.year >= earliest_year else None


def _day(text: str) -> str | None:
    try:
        return parse_date(text).isoformat() if text else None
    except ValueParseError:
        return None


def amount_in(text: str) -> float | None:
    """A paid amount as a list prints it: ¥1,296.00, 1296.00, 6,874.73 CNY. A negative amount is a discount."""
    text = text.replace(" ", "")
    dotted = re.search(r"\d{1,3}(?:\.\d{3})+\.\d{2}(?!\d)", text)  # 1.255.50: OCR read the thousands comma as a point
    if dotted:
        text = text.replace(dotted.group(0), dotted.group(0)[:-3].replace(".", ",") + dotted.group(0)[-3:])
    match = re.search(r"-?\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|-?\d+(?:\.\d{1,2})?", text)
    if match is None or match.group(0).startswith("-"):
        return None
    try:
        return float(Decimal(match.group(0).replace(",", "")))
    except InvalidOperation:
        return None


def _money_value(money) -> float | None:
    amount = getattr(money, "amount", None)
    return float(amount) if amount is not None else None


def _subject_value(reading: FieldReading | None) -> str | None:
    return registered_name(reading.value) if reading is not None else None


EXTRACTOR = CvmOrder()
extract = EXTRACTOR.extract
