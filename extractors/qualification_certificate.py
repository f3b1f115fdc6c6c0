"""Qualification certificates behind the bonus preferences 获得双软认证、国家高新企业认定优先: 高新技术企业证书,
软件企业证书 and 软件产品证书. One `qualification` fact per certificate (one per page), `{type, holder, cert_no,
issued_on, expires_on, product}`; `product` is the 软件名称 of a 软件产品证书 and None for the other types.

Fields are read by the typed field layer. What data cannot say, this module does:
- the type comes from the printed title (else a cue word, else the shape of the number); a number that does not
  match its type's form is kept at confidence <= 0.6 with a warning;
- `expires_on` is the printed 有效期至 date or the end of a printed range; else the issue date plus the printed
  period (有效期：三年) less one day (extractors/data/qualification_certificate.yaml says so as data)."""
from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

import cn2an
from pydantic import BaseModel, ConfigDict

from extractors.dates import find_dates
from extractors.field_reading import FieldReading, read_document
from extractors.items import Item, doubt, item_fact, read_items
from extractors.name_shapes import find_organisations, software_name
from extractors.registry import KindExtractor
from extractors.tables import Record, document_rows, read_records
from extractors.values import normalise, registered_name
from pipeline.models import Document, DocumentKind, Fact

NAME = "qualification_certificate"
KIND = DocumentKind.QUALIFICATION_CERTIFICATE
FACT = "qualification"
FIELDS = ("holder", "cert_no", "issued_on", "expires_on", "product")
DOUBT_CONFIDENCE = 0.6  # a certificate whose parts disagree (type and number, dates) is never trusted above this


class QualificationType(StrEnum):
    HIGH_TECH_ENTERPRISE = "high_tech_enterprise"
    SOFTWARE_ENTERPRISE = "software_enterprise"
    SOFTWARE_PRODUCT = "software_product"


class TypeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: QualificationType
    titles: list[str]
    cues: list[str]
    has_product: bool
    number: str  # the type's certificate number (a group named `year`)


class QualificationOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    types: list[TypeSpec]
    period_end_offset_days: int
    min_fields: int
    list_columns: dict[str, list[str]]
    list_min_columns: int


class QualificationCertificate(KindExtractor):
    kind = KIND
    Options = QualificationOptions

    def extract(self, document: Document) -> list[Fact]:
        listed = self._list(document)
        if listed:
            return listed
        facts = []
        wanted = (*FIELDS, "period", "cert_type", "versioned_product")
        for item in read_items(document, self.reader, ("cert_no",), wanted, self.options.min_fields, shared=("holder",)):
            # the type it states (证书类型), then its own words (a verify page lists certificates of several types),
            # then its number, then its pages' words
            pages = normalise("\n".join(p.text for p in document.pages if p.number in item.pages))
            spec = (self.type_by_words(normalise(str(item.value("cert_type") or ""))) or self.type_by_words(normalise(item.text))
                    or self.type_by_number(item.value("cert_no")) or self.type_by_words(pages))
            fields = self._tidy(item, spec)
            fact = item_fact(document, FACT, fields, FIELDS, NAME, required=("holder", "expires_on"),
                             extra={"type": str(spec.type) if spec else None})
            facts.append(self._check_dates(self._check_type(fact, spec)))
        return facts

    def _list(self, document: Document) -> list[Fact]:
        """A list of certified companies (a 备案公告's name list, a company's 资质一览表): one fact per row whose
        certificate number is one of a type's, its cells placed by the header. The dates a row does not print are
        the page's (上述企业…发证日期为…，有效期为三年), said once for every row."""
        header, records = read_records(document_rows(document), self.table_columns(self.options.list_columns),
                                       lambda text: None, self.options.list_min_columns)
        if header is None or not {"holder", "cert_no"} <= header.names:
            return []
        page = read_document(self.reader, document.pages, ("issued_on", "expires_on", "period"))
        facts = []
        for record in records:
            cert_no = record.get("cert_no").replace(" ", "")
            spec = self.type_by_number(cert_no)
            holder = next(iter(find_organisations(record.get("holder"))), None)
            if spec is None or holder is None:
                continue  # a row of no certificate (a subtotal, a note), or of another kind of number
            fields = {"holder": self._cell(record, "holder", registered_name(holder.value)),
                      "cert_no": self._cell(record, "cert_no", cert_no)}
            for name in ("issued_on", "expires_on"):
                dates = [m.value for m in find_dates(record.get(name)) if isinstance(m.value, dt.date)]
                if dates:
                    fields[name] = self._cell(record, name, dates[0].isoformat())
                elif name in page:
                    fields[name] = page[name].with_value(page[name].value, "printed once for every row of the list")
            if "expires_on" not in fields and "issued_on" in fields and "period" in page:
                fields["expires_on"] = self._expiry_from_period(fields["issued_on"], page["period"])
            if spec.has_product and record.get("product"):
                fields["product"] = self._cell(record, "product", software_name(record.get("product")))
            item = Item(fields, (record.row.page,), record.row.text)
            fact = item_fact(document, FACT, item, FIELDS, NAME, required=("holder", "expires_on"), extra={"type": str(spec.type)})
            fact = fact.model_copy(update={"evidence": ["a row of a list of certified companies, its cells placed by the header",
                                                        *fact.evidence]})
            facts.append(self._check_dates(fact))
        return facts

    def _cell(self, record: Record, name: str, value: str) -> FieldReading:
        row = record.row
        return FieldReading(name, value, round(row.placed_confidence(), 4), row.page, row.bbox, row.text, (f"column {name} of the list",))

    def type_by_words(self, text: str) -> TypeSpec | None:
        """The type whose title the page prints; else the one whose cue words it prints."""
        types = self.options.types
        titled = next((t for t in types if any(title in text for title in t.titles)), None)
        return titled or next((t for t in types if any(cue in text for cue in t.cues)), None)

    def type_by_number(self, value: str | None) -> TypeSpec | None:
        return next((t for t in self.options.types if value and re.fullmatch(t.number, value)), None)

    def _tidy(self, item: Item, spec: TypeSpec | None) -> Item:
        fields = dict(item.fields)
        if (holder := fields.get("holder")) is not None:
            fields["holder"] = holder.with_value(registered_name(holder.value))
        if "expires_on" not in fields and (period := fields.get("period")) is not None and "issued_on" in fields:
            fields["expires_on"] = self._expiry_from_period(fields["issued_on"], period)
        versioned = fields.pop("versioned_product", None)
        if spec is None or not spec.has_product:
            fields.pop("product", None)
        elif (product := fields.get("product", versioned)) is not None:
            fields["product"] = product.with_value(software_name(product.value))
        fields.pop("period", None)
        fields.pop("cert_type", None)
        return Item(fields, item.pages, item.text)

    def _expiry_from_period(self, issued: FieldReading, period: FieldReading) -> FieldReading:
        years = int(period.value) if period.value.isdigit() else int(cn2an.cn2an(period.value, "normal"))
        expires = expiry_after(dt.date.fromisoformat(issued.value), years, self.options.period_end_offset_days)
        return FieldReading("expires_on", expires.isoformat(), min(issued.confidence, period.confidence), period.page,
                            period.bbox, period.text, (*period.evidence, f"issue date plus {years} years less a day"),
                            (*issued.warnings, *period.warnings))


    def _check_type(self, fact: Fact, spec: TypeSpec | None) -> Fact:
        if spec is None:
            return doubt(fact, DOUBT_CONFIDENCE, "no title or number says which qualification this is")
        number = fact.value["cert_no"]
        if number is not None and not re.fullmatch(spec.number, number):
            return doubt(fact, DOUBT_CONFIDENCE, f"certificate number {number} does not match the {spec.type} format: misread, or not genuine")
        return fact

    def _check_dates(self, fact: Fact) -> Fact:
        issued, expires, number = fact.value["issued_on"], fact.value["expires_on"], fact.value["cert_no"]
        if issued is not None and expires is not None and issued >= expires:
            return doubt(fact, DOUBT_CONFIDENCE, f"issued {issued} is not before expiry {expires}: a date is misread")
        year = next((int(m.group("year")) for t in self.options.types if number and (m := re.fullmatch(t.number, number))), None)
        if issued is not None and year is not None and year > int(issued[:4]):
            return doubt(fact, DOUBT_CONFIDENCE, f"certificate number {number} is of {year}, after the issue date {issued}: a value is misread")
        return fact



def expiry_after(issued: dt.date, years: int, offset_days: int = -1) -> dt.date:
    """The last valid day of a period of `years` from `issued` (29 February rolls to 28)."""
    anniversary = issued.replace(year=issued.year + years, day=min(issued.day, 28) if issued.month == 2 else issued.day)
    return anniversary + dt.timedelta(days=offset_days)


EXTRACTOR = QualificationCertificate()
extract = EXTRACTOR.extract
