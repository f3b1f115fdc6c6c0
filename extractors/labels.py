"""spaCy is the home of label spotting: `spacy.blank("zh")` with an entity_ruler whose patterns are built
from the field data files. No model is downloaded. Blocks are matched on normalised text (NFKC, no spaces),
so the character offsets of a label tell where its value starts in the same block."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy

from extractors.specs import load_license_spec
from extractors.values import normalise


@dataclass(frozen=True)
class LabelHit:
    field: str
    start: int  # offsets in the normalised block text
    end: int


@lru_cache(maxsize=1)
def label_nlp() -> spacy.language.Language:
    nlp = spacy.blank("zh")  # character segmentation: a label is a run of character tokens
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    patterns = [
        {"label": field, "pattern": label}
        for field, spec in load_license_spec().fields.items()
        for label in spec.labels
    ]
    ruler.add_patterns(patterns)
    return nlp


def find_labels(texts: list[str]) -> list[list[LabelHit]]:
    """Label hits per text, in the order of the texts. Longest match wins where labels overlap."""
    nlp = label_nlp()
    return [
        [LabelHit(ent.label_, ent.start_char, ent.end_char) for ent in doc.ents]
        for doc in nlp.pipe(normalise(t) for t in texts)
    ]
