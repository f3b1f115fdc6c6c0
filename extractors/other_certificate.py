"""Certificates that are not Tencent Cloud's (other clouds, ISO management systems, training, awards): one
`other_certificate` fact per certificate, `{issuer, title, holder, cert_no, expires_on}`, read by the typed field
layer. They never count for a requirement; the report lists them so the analyst sees what was offered."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractors.items import Item, item_fact, read_items
from extractors.registry import KindExtractor
from extractors.values import registered_name
from pipeline.models import Document, DocumentKind, Fact

NAME = "other_certificate"
KIND = DocumentKind.OTHER_CERTIFICATE
FIELDS = ("issuer", "title", "holder", "cert_no", "expires_on")


class OtherCertificateOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_fields: int


class OtherCertificate(KindExtractor):
    kind = KIND
    Options = OtherCertificateOptions

    def extract(self, document: Document) -> list[Fact]:
        wanted = (*FIELDS, "holder_organisation", "quoted_title", "heading_title", "issuer_brand")
        items = read_items(document, self.reader, ("cert_no",), wanted, self.options.min_fields)
        return [item_fact(document, NAME, _holder(item), FIELDS, NAME, required=("issuer", "title", "holder")) for item in items]


def _labelled(reading) -> bool:
    """A title its label names (资格名称：程序员) is the certificate's, whatever heading it prints above."""
    return any(e.startswith("label") for e in reading.evidence)


def _holder(item: Item) -> Item:
    """A person holds a personal certificate; an organisation an ISO or company award certificate: the one read
    with more confidence. An award's title in quotes, or a heading ending in 证书, stands for a title no label
    names when read as surely; an issuer named by brand after its label, for an issuer read by no company name."""
    fields = dict(item.fields)
    for other in (fields.pop("quoted_title", None), fields.pop("heading_title", None)):
        title = fields.get("title")
        if other is not None and (title is None or (not _labelled(title) and other.confidence >= title.confidence)):
            fields["title"] = other
    brand = fields.pop("issuer_brand", None)
    if "issuer" not in fields and brand is not None:
        fields["issuer"] = brand
    organisation = fields.pop("holder_organisation", None)
    person = fields.get("holder")
    if organisation is not None and (person is None or organisation.confidence > person.confidence):
        fields["holder"] = organisation.with_value(registered_name(organisation.value))
    if (issuer := fields.get("issuer")) is not None:
        fields["issuer"] = issuer.with_value(registered_name(issuer.value))
    holder = fields.get("holder")
    for other in ("issuer", "title"):  # the holder's name printed large is neither the issuer nor the title
        if holder is not None and other in fields and fields[other].value == holder.value:
            del fields[other]
    return Item(fields, item.pages, item.text)


EXTRACTOR = OtherCertificate()
extract = EXTRACTOR.extract
