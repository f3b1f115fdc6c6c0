"""A read-only view of a bundle's facts for the checks."""
from __future__ import annotations

from pipeline.models import Fact


class FactSet:
    def __init__(self, facts: list[Fact]):
        self._facts = list(facts)

    def all(self, name: str) -> list[Fact]:
        return [f for f in self._facts if f.name == name]

    def first(self, name: str) -> Fact | None:
        """The most confident fact of that name (the first one read, on ties)."""
        found = self.all(name)
        return max(found, key=lambda f: f.confidence) if found else None

    def has_any(self, *names: str) -> bool:
        return any(self.all(n) for n in names)
