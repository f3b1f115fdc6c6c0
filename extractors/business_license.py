"""营业执照: company name, credit code (check character validated) or old 注册号, registered capital, founding date
and the end of the business term, each read by the typed field layer (shape, label, prior) from the fields the
data file declares; this module only turns the readings into the contract's facts."""
from __future__ import annotations


from extractors.field_reading import FieldReading, read_document, reading_fact
from extractors.registry import KindExtractor
from extractors.values import Money, registered_name
from pipeline.models import Document, DocumentKind, Fact

NAME = "business_license"
KIND = DocumentKind.BUSINESS_LICENSE


class BusinessLicense(KindExtractor):
    kind = KIND

    def extract(self, document: Document) -> list[Fact]:
        readings = read_document(self.reader, document.pages)
        facts = []
        code, number = readings.get("credit_code"), readings.get("registration_no")
        if code is not None:
            facts.append(self._identifier(document, code, "credit_code", "credit code", "its check character"))
        elif number is not None and "label" in " ".join(number.evidence):
            facts.append(self._identifier(document, number, "registration_no", "注册号", "its ISO 7064 check digit"))
        if (name := readings.get("company_name")) is not None:
            facts.append(reading_fact(document, name, "company_name", NAME, registered_name(name.value)))
        if (capital := readings.get("registered_capital")) is not None:
            facts.append(_capital(document, capital))
        if (founded := readings.get("established_on")) is not None:
            facts.append(reading_fact(document, founded, "established_on", NAME))
        if (term := readings.get("business_term")) is not None:
            facts.append(reading_fact(document, term, "business_term_until", NAME))
        return facts

    @staticmethod
    def _identifier(document: Document, reading: FieldReading, name: str, what: str, check: str) -> Fact:
        if reading.warnings and any("no known format" in w for w in reading.warnings):
            warning = f"{what} {reading.value} fails {check}: misread, or not a genuine code"
            return reading_fact(document, reading.__class__(**{**reading.__dict__, "warnings": ()}), name, NAME,
                                warnings=[warning])
        return reading_fact(document, reading, name, NAME)


def _capital(document: Document, reading: FieldReading) -> Fact:
    money: Money = reading.value
    amount = int(money.amount) if money.amount == money.amount.to_integral_value() else float(money.amount)
    if money.currency != "CNY":
        return reading_fact(document, reading, "registered_capital_other_currency", NAME,
                            {"amount": amount, "currency": money.currency})
    return reading_fact(document, reading, "registered_capital_cny", NAME, amount)


EXTRACTOR = BusinessLicense()
extract = EXTRACTOR.extract
