"""Real public license photos and scans (../shared/real-samples/business_license), hand-transcribed truth.
Prints a per-field table; fails below 85% right over the printed values, and on any invented value."""
import json
import unicodedata

import pytest

from extractors import business_license
from extractors.classify import classify
from pipeline.config import Settings
from pipeline.models import BundleFile, DocumentKind, FileType
from pipeline.pages import PageReader

pytestmark = [pytest.mark.slow, pytest.mark.real_samples]

# fact name -> truth field; the first four are the scored ones the issue names.
SCORED = {"credit_code": "credit_code", "company_name": "name", "registered_capital_cny": "registered_capital_cny", "established_on": "established_on"}
ALSO_SHOWN = {"business_term_until": "business_term_until", "registration_no": "registration_no"}


def same(fact_value, truth_value) -> bool:
    def norm(v):
        return unicodedata.normalize("NFKC", str(v)).replace(" ", "") if isinstance(v, str) else v
    return norm(fact_value) == norm(truth_value)


@pytest.fixture(scope="module")
def readings(real_samples, session_home):
    folder = real_samples / "business_license"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    reader = PageReader(Settings(home=session_home))
    out = {}
    for name, expected in truth.items():
        file = BundleFile(path=name, local_path=str(folder / name), sha256="-", size=0, file_type=FileType.JPEG)
        document = reader.read(file)
        kind, _ = classify(document)
        facts = {}
        for fact in business_license.extract(document):
            facts.setdefault(fact.name, fact.value)
        out[name] = (kind, facts, expected)
    return out


def test_real_licenses_per_field(readings):
    right = total = 0
    invented = []
    rows = []
    for field, truth_key in {**SCORED, **ALSO_SHOWN}.items():
        printed = hits = 0
        for name, (_, facts, expected) in readings.items():
            truth_value = expected.get(truth_key)
            if truth_value is None:
                if field in facts:
                    invented.append(f"{name}: {field}={facts[field]!r} but the document prints none")
                continue
            printed += 1
            hits += same(facts.get(field), truth_value)
        rows.append(f"{field:<24} {hits:>3}/{printed:<3} {100 * hits / max(printed, 1):5.1f}%")
        if field in SCORED:
            right, total = right + hits, total + printed
    print("\nreal business licenses (../shared/real-samples), default engine")
    print("\n".join(rows))
    print(f"{'scored fields overall':<24} {right:>3}/{total:<3} {100 * right / total:5.1f}%")
    assert not invented, invented
    assert right / total >= 0.85


def test_real_licenses_are_classified(readings):
    wrong = [name for name, (kind, _, _) in readings.items() if kind is not DocumentKind.BUSINESS_LICENSE]
    assert not wrong
