"""The extractor contract and its registry (docling's factory): one `Extractor` per document kind.

A kind module declares `EXTRACTOR`, an object with a `kind` and `extract(document) -> list[Fact]` (optionally
`bundle_facts(facts)` for facts across documents). The registry finds them in the `extractors` package, refuses
two extractors for one kind, and refuses a data file whose `kind` is not a document kind or that a second file
repeats (extractors/specs.py), naming the file, when it is built: never later, per document."""
from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from functools import cached_property, lru_cache
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel

from extractors.field_reading import FieldReader
from extractors.specs import ExtractorConfigError, FieldsFile, data_files, load_options
from pipeline.models import Document, DocumentKind, Fact


@runtime_checkable
class Extractor(Protocol):
    kind: DocumentKind

    def extract(self, document: Document) -> list[Fact]: ...


class KindExtractor(ABC):
    """A kind whose knowledge is its data file: typed fields read by the field layer, and validated options.
    Subclasses set `kind` (and `Options`, the model of the file's `options`) and write `extract`."""

    kind: ClassVar[DocumentKind]
    Options: ClassVar[type[BaseModel] | None] = None

    @property
    def name(self) -> str:
        return str(self.kind)

    @cached_property
    def data(self) -> FieldsFile:
        return data_files()[self.kind]

    @cached_property
    def options(self) -> Any:
        return load_options(self.name, self.Options) if self.Options is not None else None

    @cached_property
    def reader(self) -> FieldReader:
        return FieldReader(self.data.fields, self.data.formats, self.data.lookalikes)

    def table_columns(self, listed: dict[str, list[str]]) -> dict[str, list[str]]:
        """A table's column captions: the ones `listed` (the data file's options), and for a column that is one of
        the kind's fields, the field's own labels too (a certificate's 'Expires' names its expiry in a form and in a
        table alike), except a label that another column lists (No. is a row number, 有效期 a range)."""
        claimed = {label for labels in listed.values() for label in labels}
        return {role: [*labels, *(label for label in (self.data.fields[role].labels if role in self.data.fields else ())
                                  if label not in claimed)]
                for role, labels in listed.items()}

    @abstractmethod
    def extract(self, document: Document) -> list[Fact]:
        """The kind's facts, each with provenance."""


class Registry:
    def __init__(self) -> None:
        self._by_kind: dict[DocumentKind, Extractor] = {}

    def register(self, extractor: Extractor, where: str = "") -> None:
        if not isinstance(extractor, Extractor) or not isinstance(getattr(extractor, "kind", None), DocumentKind):
            raise ExtractorConfigError(f"{where or extractor!r}: not an Extractor (needs a DocumentKind `kind` and `extract`)")
        if extractor.kind in self._by_kind:
            raise ExtractorConfigError(f"{where}: a second extractor for kind {extractor.kind}")
        self._by_kind[extractor.kind] = extractor

    def get(self, kind: DocumentKind) -> Extractor | None:
        return self._by_kind.get(kind)

    def kinds(self) -> list[DocumentKind]:
        return sorted(self._by_kind)

    def all(self) -> list[Extractor]:
        return [self._by_kind[k] for k in self.kinds()]


def discover(package: str = "extractors") -> Registry:
    """A registry of every `EXTRACTOR` declared by a module of `package`, after every data file validated."""
    data_files()  # refuses a bad or duplicate data file before anything is read with it
    registry = Registry()
    root = importlib.import_module(package)
    for module in pkgutil.iter_modules(root.__path__):
        loaded = importlib.import_module(f"{package}.{module.name}")
        extractor = getattr(loaded, "EXTRACTOR", None)
        if extractor is not None:
            registry.register(extractor, f"{package}.{module.name}")
    return registry


@lru_cache(maxsize=1)
def registry() -> Registry:
    return discover()


class FunctionExtractor:
    """An extractor made of a kind module's functions: `extract`, and optionally `bundle_facts`."""

    def __init__(self, kind: DocumentKind, extract, bundle_facts=None):
        self.kind = kind
        self.extract = extract
        if bundle_facts is not None:
            self.bundle_facts = bundle_facts
