"""腾讯云 certification certificates in Chinese, English or both: one `ops_certificate` fact per certificate,
`{holder, cert_no, title, level, track, issued_on, expires_on}`.

Each field is read by the typed field layer (shape, label, prior) from the fields the data file declares: a holder
with no label is the name printed largest; an expiry with no label is the end of a printed range. A page showing
several certificates is cut into one region per certificate; a certificate over two pages is joined. The level
(TCA, TCP, TCE) and the track (operations, architecture …) come from the words the certificate prints."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractors.items import doubt, item_fact, read_items
from extractors.lines import normalise_line
from extractors.registry import KindExtractor
from pipeline.models import Document, DocumentKind, Fact

NAME = "ops_certificate"
KIND = DocumentKind.OPS_CERTIFICATE
FIELDS = ("holder", "cert_no", "title", "issued_on", "expires_on")
BAD_ORDER_CONFIDENCE = 0.6


class CertificateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: dict[str, list[str]]
    tracks: dict[str, list[str]]
    min_fields: int


def first_listed(text: str, words: dict[str, list[str]]) -> str | None:
    """The first key of `words` one of whose words `text` holds (case-insensitive, spaces ignored)."""
    compact = normalise_line(text).replace(" ", "").lower()
    return next((key for key, listed in words.items() if any(w.replace(" ", "").lower() in compact for w in listed)), None)


class OpsCertificate(KindExtractor):
    kind = KIND
    Options = CertificateOptions

    def extract(self, document: Document) -> list[Fact]:
        facts = []
        for item in read_items(document, self.reader, ("cert_no", "expires_on", "title", "holder"), FIELDS, self.options.min_fields,
                               shared=("holder",)):
            text = item.text
            title = item.value("title") or ""
            extra = {"level": first_listed(title, self.options.levels) or first_listed(text, self.options.levels),
                     "track": first_listed(title, self.options.tracks) or first_listed(text, self.options.tracks)}
            fact = item_fact(document, NAME, item, FIELDS, NAME, required=("holder", "title", "expires_on"), extra=extra)
            facts.append(_check_period(fact))
        return facts


def _check_period(fact: Fact) -> Fact:
    issued, expires = fact.value["issued_on"], fact.value["expires_on"]
    if issued is None or expires is None or expires == "长期" or issued < expires:
        return fact
    return doubt(fact, BAD_ORDER_CONFIDENCE, f"issued {issued} is not before expiry {expires}: a date is misread")


EXTRACTOR = OpsCertificate()
extract = EXTRACTOR.extract
