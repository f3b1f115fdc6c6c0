"""腾讯云 certification certificates in Chinese, English or both: one `ops_certificate` fact per certificate,
`{holder, cert_no, title, level, track, issued_on, expires_on}`.

Each field is read by the typed field layer (shape, label, prior) from the fields the data file declares: a holder
with no label is the name printed largest; an expiry with no label is the end of a printed range. A page showing
several certificates is cut into one region per certificate; a certificate over two pages is joined. The level
(TCA, TCP, TCE) and the track (operations, architecture …) come from the words the certificate prints."""
from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict

from extractors.dates import RangeRole, find_dates
from extractors.field_reading import FieldReading, read_document
from extractors.items import MISSING_CONFIDENCE, doubt, item_fact, read_items
from extractors.lines import normalise_line, page_lines
from extractors.registry import KindExtractor
from extractors.social_security import person_name
from extractors.tables import Record, document_rows, read_records
from pipeline.models import Document, DocumentKind, Fact, Page

NAME = "ops_certificate"
KIND = DocumentKind.OPS_CERTIFICATE
FIELDS = ("holder", "cert_no", "title", "issued_on", "expires_on")
BAD_ORDER_CONFIDENCE = 0.6
ROW_CONFIDENCE = 0.95  # a cell placed by its column header, as a value right of its label
OCR_ROW_CONFIDENCE = 0.9  # the same, OCR'd: a name may be misread
FOREVER = "长期"


ENTRY_COLUMN = 3.0  # line heights the titles' left edges may stray in a list of entries, one under another


class CertificateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: dict[str, list[str]]
    tracks: dict[str, list[str]]
    min_fields: int
    other_titles: list[str]
    list_columns: dict[str, list[str]]
    list_min_columns: int


def first_listed(text: str, words: dict[str, list[str]]) -> str | None:
    """The first key of `words` one of whose words `text` holds (case-insensitive; a Chinese word with spaces
    ignored, a Latin one where a word starts: the TCE of "that certified" is no level)."""
    printed = normalise_line(text)
    compact = printed.replace(" ", "").lower()
    return next((key for key, listed in words.items() if any(_holds(printed, compact, w) for w in listed)), None)


def _holds(printed: str, compact: str, word: str) -> bool:
    """A Latin word starts a word: not further into one (OCR's TCAAssociate holds TCA and Associate; "that
    certified" joined, thatcertified, holds no TCE); it may open a longer one (Architect in Architecture)."""
    if not word.isascii():
        return word.replace(" ", "").lower() in compact
    for match in re.finditer(re.escape(word), printed, re.IGNORECASE):
        before = printed[match.start() - 1:match.start()]
        if not (before.isascii() and before.isalpha() and match.group(0)[0].islower()):
            return True
    return False


class OpsCertificate(KindExtractor):
    kind = KIND
    Options = CertificateOptions

    def extract(self, document: Document) -> list[Fact]:
        listed = self._list(document)
        if listed is not None:
            return listed
        facts = []
        entries = {page.number: self._entries(page) for page in document.pages}  # found once per page
        for item in read_items(document, self.reader, ("cert_no", "expires_on", "title", "holder"), FIELDS, self.options.min_fields,
                               shared=("holder",), entries=lambda page: entries[page.number]):
            text = item.text
            title = item.value("title") or ""
            if not title and entries[item.pages[0]]:
                continue  # an entry another issuer's title leads (the AWS one in a profile's list)
            extra = {"level": first_listed(title, self.options.levels) or first_listed(text, self.options.levels),
                     "track": first_listed(title, self.options.tracks) or first_listed(text, self.options.tracks)}
            fact = item_fact(document, NAME, item, FIELDS, NAME, required=("holder", "title", "expires_on"), extra=extra)
            facts.append(_check_period(fact))
        return facts


    def _entries(self, page: Page) -> list[tuple[float, float]]:
        """Where a page listing certifications of several issuers prints each title (a line it starts): a Tencent
        Cloud title or another issuer's (`other_titles`). None unless another issuer's is among two or more."""
        tencent = re.compile(self.data.fields["title"].pattern or "")
        others = [re.compile(p) for p in self.options.other_titles]
        points, lefts_and_heights, another, going_on = [], [], False, False
        for line in page_lines(page):
            text = normalise_line(line.blocks[0].text).strip()  # the title's own block, not the column beside it
            if going_on:  # a title broken after its dash (Tencent Cloud Certified Expert - | Operations (TCE))
                going_on = False
                continue
            if tencent.match(text):
                pass
            elif any(p.match(text) for p in others):
                another = True
            else:
                continue
            going_on = text.endswith(("-", "–", ":"))
            box = line.blocks[0].bbox
            lefts_and_heights.append((box[0], box[3] - box[1]))
            points.append(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
        if not another or len(points) < 2:
            return []
        lefts = [left for left, _ in lefts_and_heights]
        height = sorted(h for _, h in lefts_and_heights)[len(lefts_and_heights) // 2]
        return points if max(lefts) - min(lefts) <= ENTRY_COLUMN * height else []  # one column, one under another

    def _list(self, document: Document) -> list[Fact] | None:
        """A company's list of its staff's certificates: one fact per row whose title is a 腾讯云 certificate's,
        its cells placed by the header. None when the document holds no such list."""
        header, records = read_records(document_rows(document), self.table_columns(self.options.list_columns), lambda text: None,
                                       self.options.list_min_columns)
        if header is None or "title" not in header.names or not ({"holder", "cert_no", "expires_on"} & header.names):
            return None
        owner = None
        if "holder" not in header.names:  # one person's certificates (a 个人中心's 我的证书): the name on the page
            owner = read_document(self.reader, document.pages, ("holder",)).get("holder")
            if owner is None:
                return None
        title_shape = re.compile(self.data.fields["title"].pattern or "")
        dated = header.names & {"issued_on", "expires_on", "validity"}
        once = {} if dated else _dates_printed_once(self.reader, document)
        facts = []
        for record in records:
            title = title_shape.search(normalise_line(record.get("title")))
            holder = owner.value if owner is not None else person_name(record.get("holder"))[0]
            if title is None or holder is None or not (_row_dates(record)[1] or _numbered(record.get("cert_no"))):
                continue  # no certificate: an exam taken (考试记录) names a title, a date and a score
            fact = self._row_fact(document, record, holder, title.group("value"), once)
            if owner is not None:
                fact = fact.model_copy(update={
                    "confidence": round(min(fact.confidence, owner.confidence), 4),
                    "evidence": [*fact.evidence, f"holder: printed once for every item of the page ({'; '.join(owner.evidence)})"]})
            facts.append(_check_period(fact))
        return facts or None  # a header with no certificate row under it: read the page as certificates

    def _row_fact(self, document: Document, record: Record, holder: str, title: str,
                  once: dict[str, FieldReading]) -> Fact:
        issued, expires = _row_dates(record)
        evidence = ["a row of the company's list of its staff's certificates, its cells placed by the header"]
        shared_confidence = 1.0
        for name in ("issued_on", "expires_on"):
            reading = once.get(name)
            if reading is not None and (issued if name == "issued_on" else expires) is None:
                issued, expires = (reading.value, expires) if name == "issued_on" else (issued, reading.value)
                shared_confidence = min(shared_confidence, reading.confidence)
                evidence.append(f"{name}: printed once for every row ({'; '.join(reading.evidence)})")
        cert_no = record.get("cert_no").replace(" ", "") or None
        value = {"holder": holder, "cert_no": cert_no, "title": title, "issued_on": issued, "expires_on": expires,
                 "level": first_listed(record.get("level"), self.options.levels) or first_listed(title, self.options.levels),
                 "track": first_listed(title, self.options.tracks)}
        row = record.row
        confidence = min(ROW_CONFIDENCE if row.exact else min(row.confidence, OCR_ROW_CONFIDENCE), shared_confidence)
        warnings = []
        if expires is None:
            confidence = min(confidence, MISSING_CONFIDENCE)
            warnings.append("not read: expires_on")
        return Fact(name=NAME, value=value, confidence=round(confidence, 4), document=document.path, page=row.page,
                    bbox=row.bbox, text=row.text, extractor=NAME, warnings=warnings, evidence=evidence)


def _dates_printed_once(reader, document: Document) -> dict[str, FieldReading]:
    """A list whose rows print no dates may state them once for all (本期证书发证日期为…，有效期至…): the issue
    and expiry dates read beside their labels anywhere in the document. Dates read by a prior alone (a notice's
    own date, an exam's) are no certificate's."""
    found = read_document(reader, document.pages, ("issued_on", "expires_on"))
    return {name: r for name, r in found.items() if any(e.startswith("label") for e in r.evidence)}


def _numbered(cell: str) -> bool:
    """A cell that holds a certificate number: four digits or more, and no date (an exam record's 2026-04-15)."""
    return len(re.findall(r"\d", cell)) >= 4 and not find_dates(normalise_line(cell))


def _row_dates(record: Record) -> tuple[str | None, str | None]:
    """The row's issue and expiry dates: their own columns, else the two ends of a validity range; 长期有效 is
    an expiry of 长期."""
    def dates(text: str) -> list:
        return [m for m in find_dates(normalise_line(text)) if isinstance(m.value, dt.date)]
    issued, expires, validity = dates(record.get("issued_on")), dates(record.get("expires_on")), dates(record.get("validity"))
    start = issued[:1] or [m for m in validity if m.role is RangeRole.START]
    end = expires[-1:] or [m for m in validity if m.role is RangeRole.END]
    forever = FOREVER in record.get("expires_on") + record.get("validity")
    return (start[0].value.isoformat() if start else None,
            end[0].value.isoformat() if end else (FOREVER if forever else None))


def _check_period(fact: Fact) -> Fact:
    issued, expires = fact.value["issued_on"], fact.value["expires_on"]
    if issued is None or expires is None or expires == FOREVER or issued < expires:
        return fact
    return doubt(fact, BAD_ORDER_CONFIDENCE, f"issued {issued} is not before expiry {expires}: a date is misread")


EXTRACTOR = OpsCertificate()
extract = EXTRACTOR.extract
