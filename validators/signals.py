"""Bonus notes: what the seed prefers but does not require (有获得外部融资优先, 世界500强/中国500强 clients).
They never change a verdict; they are listed for the analyst. 双软认证 and 国家高新企业 need an extractor for
their certificates first; until then they cannot be noted."""
from __future__ import annotations

from validators.facts import FactSet

# Fact name -> how to say it; a fact's presence (and truth, for declarations) is the evidence.
_DECLARED = {"external_financing": "declares external financing (有获得外部融资优先)"}


def bonus_notes(facts: FactSet) -> list[str]:
    notes = [f"bonus: {text}" for name, text in _DECLARED.items() if (f := facts.first(name)) and f.value is True]
    clients = sorted({str(f.value) for f in facts.all("well_known_client")})
    if clients:
        notes.append(f"bonus: well-known clients among the cases: {', '.join(clients)}")
    return notes
