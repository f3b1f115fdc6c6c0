"""Console screens showing instances (CVM 实例 lists and details, Lighthouse servers, the English console, the phone
app): one `cloud_instance` fact per instance, `{instance_id, product, region, status, expires_on, account_subject}`.

The page is cut into one region per instance id (a list row and its second line, a card, a detail page); each
region's status, region and expiry are read from its words (extractors/data/cloud_console.yaml), and the account's
company, shown once for the page, goes to every instance."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from extractors.dates import find_dates
from extractors.field_reading import FieldReading
from extractors.items import split_at
from extractors.lines import normalise_line, page_lines, union
from extractors.registry import KindExtractor
from extractors.values import registered_name
from pipeline.models import Document, DocumentKind, Fact, Page

NAME = "cloud_console"
KIND = DocumentKind.CLOUD_CONSOLE
FACT = "cloud_instance"
ROW_BIAS = 0.65  # a list row's second line (its expiry) runs on below its instance id
READ_CONFIDENCE = 0.95  # an instance id and status read off a clean screen
DOUBT = 0.6  # no status read


class ConsoleOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instance_id: str
    regions: dict[str, list[str]]
    statuses: dict[str, list[str]]
    expiry_words: list[str]
    pay_as_you_go: list[str]


class CloudConsole(KindExtractor):
    kind = KIND
    Options = ConsoleOptions

    def extract(self, document: Document) -> list[Fact]:
        subject = self._subject(document)
        facts = []
        for page in document.pages:
            ids = self._ids(page)
            points = [p for _, p in ids]
            page_region = self._region(page.text)
            for region in split_at(page, points, ROW_BIAS):
                found = self._ids(region)
                if found:
                    facts.append(self._instance(document, region, found[0][0], page_region, subject))
        return _distinct(facts)

    def _ids(self, page: Page) -> list[tuple[str, tuple[float, float]]]:
        pattern = re.compile(self.options.instance_id)
        out: dict[str, tuple[float, float]] = {}
        for line in page_lines(page):
            for match in pattern.finditer(line.text):
                prefix = "lhins" if match.group("prefix").lower() != "ins" else "ins"
                # ids are lower case: an upper-case I is OCR's reading of l
                value = f"{prefix}-{match.group('suffix').replace('I', 'l').lower()}"
                box = line.bbox_of(match.start(), match.end())
                out.setdefault(value, ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2))
        return list(out.items())

    def _subject(self, document: Document) -> FieldReading | None:
        readings = [r for page in document.pages for r in self.reader.read_page(page, ("account_subject",)).get("account_subject", [])]
        return max(readings, key=lambda r: r.confidence, default=None)

    def _region(self, text: str) -> str | None:
        compact = normalise_line(text).replace(" ", "").lower()
        found = [(compact.find(n.replace(" ", "").lower()), region) for region, names in self.options.regions.items()
                 for n in names if n.replace(" ", "").lower() in compact]
        return min(found)[1] if found else None

    def _status(self, text: str) -> str | None:
        compact = normalise_line(text).replace(" ", "").lower()
        found = [(compact.find(w.replace(" ", "").lower()), status) for status, words in self.options.statuses.items()
                 for w in words if w.replace(" ", "").lower() in compact]
        return min(found)[1] if found else None

    def _expiry(self, region: Page) -> str | None:
        text = region.text
        if any(w.lower() in text.lower() for w in self.options.pay_as_you_go):
            return None
        for line in page_lines(region):
            lowered = line.text.lower()
            if any(w.lower() in lowered for w in self.options.expiry_words):
                dates = [m for m in find_dates(line.text) if not isinstance(m.value, str)]
                if dates:
                    return dates[-1].value.isoformat()
        return None

    def _instance(self, document: Document, region: Page, instance_id: str, page_region: str | None,
                  subject: FieldReading | None) -> Fact:
        text = region.text
        lighthouse = instance_id.startswith("lhins")
        status, where = self._status(text), self._region(text) or page_region
        confidence = min([READ_CONFIDENCE, *(b.confidence for b in region.blocks if instance_id[-8:] in b.text.lower())] or [READ_CONFIDENCE])
        warnings = []
        if status is None:
            confidence = min(confidence, DOUBT)
            warnings.append(f"no status read for {instance_id}")
        if subject is not None:
            confidence = min(confidence, subject.confidence)
        value = {"instance_id": instance_id, "product": "lighthouse" if lighthouse else "cvm", "region": where,
                 "status": status, "expires_on": self._expiry(region),
                 "account_subject": registered_name(subject.value) if subject else None}
        evidence = ["the instance's own part of the screen: its id, status words, zone and 到期 date"]
        if subject is not None:
            evidence.append(f"account subject: {'; '.join(subject.evidence)}")
        return Fact(name=FACT, value=value, confidence=round(confidence, 4), document=document.path, page=region.number,
                    bbox=union([b.bbox for b in region.blocks]), text=" | ".join(b.text for b in region.blocks[:12]),
                    extractor=NAME, warnings=warnings, evidence=evidence)


def _distinct(facts: list[Fact]) -> list[Fact]:
    """An instance shown twice (a detail page's title and its info card) is one instance."""
    seen: dict[str, Fact] = {}
    for fact in facts:
        key = fact.value["instance_id"]
        if key not in seen or fact.confidence > seen[key].confidence:
            seen[key] = fact
    return list(seen.values())


EXTRACTOR = CloudConsole()
extract = EXTRACTOR.extract
