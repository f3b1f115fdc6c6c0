"""计算机软件著作权登记证书: one `software_copyright` fact per certificate, `{reg_no, cert_no, software_name, owner,
completed_on}`, each field read by the typed field layer from the fields the data file declares.

What data cannot say, and this module does (the rule is also written in extractors/data/software_copyright.yaml):
an SR number printed inside 软著登字第…号 is also the `reg_no` when the document prints no 登记号, and a 登记号 that
differs from it makes the fact doubtful; the version at the end of a software name has its OCR letters repaired
(V1.O → V1.0), in place."""
from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict

from extractors.dates import find_dates
from extractors.items import MISSING_CONFIDENCE, Item, doubt, item_fact, read_items
from extractors.name_shapes import find_organisations, software_name
from extractors.registry import KindExtractor
from extractors.shapes import BAD_CHECK_CONFIDENCE, find_identifiers
from extractors.tables import Header, document_rows, read_records
from extractors.values import registered_name
from pipeline.models import Document, DocumentKind, Fact

LIST_OWNER_CONFIDENCE = 0.85  # a list's owner known from the page, not from the row itself

NAME = "software_copyright"
KIND = DocumentKind.SOFTWARE_COPYRIGHT
FIELDS = ("reg_no", "cert_no", "software_name", "owner", "completed_on")
READ = (*FIELDS, "software_title")


def _on_its_line(evidence: str) -> bool:
    """Evidence of a value after its label on its own line (a form's line), not under a column's caption."""
    return evidence.startswith("label") and ("before it on its line" in evidence or "beside it" in evidence)


class CopyrightOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_fields: int
    list_columns: dict[str, list[str]]
    list_min_columns: int


class SoftwareCopyright(KindExtractor):
    kind = KIND
    Options = CopyrightOptions

    def extract(self, document: Document) -> list[Fact]:
        listed = self._list(document)
        if listed:
            return listed
        facts = []
        for item in read_items(document, self.reader, ("reg_no", "cert_no"), READ, self.options.min_fields):
            item = self._tidy(item)
            fact = item_fact(document, NAME, item, FIELDS, NAME, required=("reg_no", "software_name", "owner"))
            facts.append(self._numbers_agree(fact))
        return facts

    def _list(self, document: Document) -> list[Fact]:
        """A list of registrations: one fact per row of a table whose header names the registration columns and
        whose 登记号 cell holds an SR number."""
        header, records = read_records(document_rows(document), self.table_columns(self.options.list_columns), lambda text: None,
                                       self.options.list_min_columns)
        if header is None or "reg_no" not in header.names:
            return []
        owner = None if "owner" in header.names else self._list_owner(document, header)
        details = self._details(document)
        facts = []
        for record in records:
            reg_no = record.get("reg_no").replace(" ", "")
            if not self.is_sr_number(reg_no):
                continue
            row = record.row
            date = next((m.value for m in find_dates(record.get("completed_on")) if isinstance(m.value, dt.date)), None)
            from_detail = date is None and reg_no in details  # the row's detail, opened beside the list
            if from_detail:
                date = dt.date.fromisoformat(details[reg_no])
            value = {"reg_no": reg_no, "cert_no": self._number_in(record.get("cert_no")),
                     "software_name": software_name(record.get("software_name")) or None,
                     "owner": registered_name(record.get("owner")) or (owner[0] if owner else None),
                     "completed_on": date.isoformat() if date else None}
            missing = [k for k in ("software_name", "owner") if value[k] is None]
            confidence = row.placed_confidence()
            evidence = ["a row of a list of registrations, its cells placed by the header"]
            if owner is not None and not record.get("owner"):
                confidence = min(confidence, LIST_OWNER_CONFIDENCE)
                evidence.append(f"owner: {owner[1]}")
            if from_detail:
                evidence.append("completed_on: from the row's detail opened beside the list, naming its 登记号")
            if missing:
                confidence = min(confidence, MISSING_CONFIDENCE)
            facts.append(Fact(name=NAME, value=value, confidence=round(confidence, 4), document=document.path, page=row.page,
                              bbox=row.bbox, text=row.text, extractor=NAME, evidence=evidence,
                              warnings=[f"not read: {', '.join(missing)}"] if missing else []))
        return facts

    def _details(self, document: Document) -> dict[str, str]:
        """The completion date of a row whose detail is opened beside a list (a lookup site's 详情 drawer: 登记号 and
        开发完成日期 each after its label on its line, where the list's header prints its captions over columns), by
        the registration number it names: one detail per page."""
        out = {}
        for page in document.pages:
            read = self.reader.read_page(page, ("reg_no", "completed_on"))
            numbers, dates = ({r.value for r in read.get(name, []) if any(_on_its_line(e) for e in r.evidence)}
                              for name in ("reg_no", "completed_on"))
            if len(numbers) == 1 and len(dates) == 1:
                out[numbers.pop()] = dates.pop()
        return out

    def _list_owner(self, document: Document, header: Header) -> tuple[str, str] | None:
        """The owner of a list of registrations that has no owner column (an enterprise-lookup site's 软件著作权
        tab, a company's own inventory), with how it is known: the one company the pages name after an owner's
        label (著作权人 in a row's detail opened beside the list), else the one company printed above the list (the
        company page's heading). Two companies there: no owner."""
        labelled = {registered_name(r.value) for page in document.pages
                    for r in self.reader.read_page(page, ("owner",)).get("owner", [])
                    if any(e.startswith("label") for e in r.evidence)}
        if len(labelled) == 1:
            return labelled.pop(), "the one company the page names after 著作权人"
        page = next(p for p in document.pages if p.number == header.row.page)
        above = {registered_name(m.value) for b in page.blocks if b.bbox[3] <= header.row.bbox[1]
                 for m in find_organisations(b.text)}
        if not labelled and len(above) == 1:
            return above.pop(), "the one company named above the list, the company the page is about"
        return None

    def _number_in(self, cell: str) -> str | None:
        """The certificate number a cell prints (软著登字第14135523号 → 14135523), as printed."""
        found = find_identifiers(cell.replace(" ", ""), self.data.formats["cert_no"], self.data.lookalikes)
        valid = [f for f in found if f.valid]
        return valid[0].value if valid else (cell.replace(" ", "") or None)

    def is_sr_number(self, value: str) -> bool:
        return any(re.fullmatch(f.pattern or "", value or "") for f in self.data.formats["reg_no"])

    def _numbers_agree(self, fact: Fact) -> Fact:
        reg_no, cert_no = fact.value["reg_no"], fact.value["cert_no"]
        if reg_no is None or cert_no is None or not self.is_sr_number(cert_no) or reg_no == cert_no:
            return fact
        return doubt(fact, BAD_CHECK_CONFIDENCE, f"登记号 {reg_no} differs from the SR number {cert_no} in 软著登字第…号: one is misread")

    def _tidy(self, item: Item) -> Item:
        fields = dict(item.fields)
        title = fields.pop("software_title", None)
        if "software_name" not in fields and title is not None:
            fields["software_name"] = title
        cert, reg = fields.get("cert_no"), fields.get("reg_no")
        if reg is None and cert is not None and self.is_sr_number(cert.value):
            fields["reg_no"] = cert.with_value(cert.value, "the SR number printed in 软著登字第…号")
        if (name := fields.get("software_name")) is not None:
            fields["software_name"] = name.with_value(software_name(name.value))
        if (owner := fields.get("owner")) is not None:
            fields["owner"] = owner.with_value(registered_name(owner.value))
        return Item(fields, item.pages, item.text)




EXTRACTOR = SoftwareCopyright()
extract = EXTRACTOR.extract
