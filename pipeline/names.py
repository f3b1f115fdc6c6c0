"""Company names compared through the noise of print and OCR: NFKC, no spaces, one form of brackets."""
from __future__ import annotations

import re
import unicodedata


def company_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


def same_company(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and company_key(a) == company_key(b)
