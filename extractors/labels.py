"""spaCy is the home of label spotting: `spacy.blank("zh")` with an entity_ruler whose patterns are built
from a kind's field data file (extractors/data/<kind>.yaml). No model is downloaded. Blocks are matched on
normalised text (NFKC, no spaces), so the character offsets of a label tell where its value starts."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import spacy

from extractors.specs import load_fields
from extractors.values import normalise


@dataclass(frozen=True)
class LabelHit:
    field: str
    start: int  # offsets in the normalised block text
    end: int


# Labels are phrase patterns only, so the ruler's token matcher is empty by design; spaCy says so (W036) on
# every call.
warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)


@lru_cache(maxsize=None)
def label_nlp(kind: str) -> spacy.language.Language:
    nlp = spacy.blank("zh")  # character segmentation: a label is a run of character tokens
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns([
        {"label": field, "pattern": label}
        for field, spec in load_fields(kind).fields.items()
        for label in spec.labels
    ])
    return nlp


def find_labels(texts: list[str], kind: str) -> list[list[LabelHit]]:
    """Label hits per text, in the order of the texts. Longest match wins where labels overlap."""
    return [
        [LabelHit(ent.label_, ent.start_char, ent.end_char) for ent in doc.ents]
        for doc in label_nlp(kind).pipe(normalise(t) for t in texts)
    ]
