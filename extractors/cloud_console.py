"""Console screens showing instances (CVM 实例 lists and details, Lighthouse servers, the English console, the phone
app): one `cloud_instance` fact per instance, `{instance_id, product, region, status, expires_on, account_subject}`.

The page is cut into one region per instance id (a list row and its second line, a card, a detail page); each
region's status, region and expiry are read from its words (extractors/data/cloud_console.yaml), and the account's
company, shown once for the page, goes to every instance."""
from __future__ import annotations

import math
import re
from statistics import median
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, field_validator

from extractors.dates import find_dates
from extractors.field_reading import FieldReading
from extractors.items import split_at
from extractors.labels import in_web_address
from extractors.lines import Line, caption_span, line_of, nearest_word, page_lines, union
from extractors.registry import KindExtractor
from extractors.values import registered_name
from pipeline.models import BBox, Document, DocumentKind, Fact, Page

NAME = "cloud_console"
KIND = DocumentKind.CLOUD_CONSOLE
FACT = "cloud_instance"
ROW_BIAS = 0.65  # a list row's second line (its expiry) runs on below its instance id
READ_CONFIDENCE = 0.95  # an instance id and status read off a clean screen
DOUBT = 0.6  # no status read
REPAIRED = 0.75  # an id whose capitals were repaired in place: below the gate until the analyst checks it
# Ids are printed in lower case: a capital OCR reads is the lower-case letter or the digit it resembles.
_CAPITALS = str.maketrans({"I": "l", "O": "0", "S": "5", "Z": "2", "B": "8", "G": "6"})


class ConsoleOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instance_id: str
    smudged_instance_id: str
    regions: dict[str, list[str]]
    statuses: dict[str, list[str]]
    api_states: dict[str, list[str]]
    expiry_words: list[str]
    pay_as_you_go: list[str]
    prepaid: list[str]

    @field_validator("regions")
    @classmethod
    def _ids_as_printed(cls, regions: dict[str, list[str]]) -> dict[str, list[str]]:
        """A region is also printed by its id (所属地域 ap-hongkong, an e-mail's or the API's column)."""
        return {key: [*words, key] if key not in words else words for key, words in regions.items()}


class Screen(NamedTuple):
    """A page's levelled lines and the header cells naming the expiry on it, found once for all its instances:
    (the line's place on the page, the caption's box, the line's height)."""

    lines: list[Line]
    captions: list[tuple[int, BBox, float]]
    printings: dict[str, list[tuple[float, float]]]  # every place each instance id is printed on the page


class CloudConsole(KindExtractor):
    kind = KIND
    Options = ConsoleOptions

    def extract(self, document: Document) -> list[Fact]:
        subject = self._subject(document)
        facts = []
        for page in document.pages:
            lines = page_lines(page)  # read once per page, and its expiry captions found once, for all its instances
            printed = self._printings(lines)
            screen = Screen(lines, self._captions(lines), {value: [p for p, _ in places] for value, places in printed.items()})
            placed = {value: point for value, point, _ in _ids(printed)}
            for region in split_at(page, list(placed.values()), ROW_BIAS):
                # the region's instance: the id printed where the page places it (an id a card elsewhere repeats
                # is not this region's, though printed in it)
                found = [(value, placed[value], repaired) for value, places in self._printings(page_lines(region)).items()
                         for point, repaired in places[:1] if any(math.dist(p, placed[value]) < 1.0 for p, _ in places)]
                if found:
                    facts.append(self._instance(document, page, screen, region, *found[0], subject))
        return _distinct(facts)

    def _printings(self, lines: list[Line]) -> dict[str, list[tuple[tuple[float, float], bool]]]:
        """Each instance id printed on the lines, with every printing's centre and whether OCR's capitals were
        repaired in it; an id with one character OCR could not read only on a line where no whole id is printed."""
        whole, smudged = re.compile(self.options.instance_id), re.compile(self.options.smudged_instance_id)
        out: dict[str, list[tuple[tuple[float, float], bool]]] = {}
        in_address: dict[str, list[tuple[tuple[float, float], bool]]] = {}
        for line in lines:
            for match in list(whole.finditer(line.text)) or list(smudged.finditer(line.text)):
                prefix = "lhins" if match.group("prefix").lower() != "ins" else "ins"
                printed = match.group("suffix").replace(" ", "")
                # ids are lower case: a capital is OCR's reading of the lower-case letter or digit it looks like
                suffix = printed.translate(_CAPITALS).lower()
                box = line.bbox_of(match.start(), match.end())
                # the browser's address bar (…/detail?id=ins-…) is no place of the instance's on the screen, when
                # the page prints the id elsewhere
                found = in_address if in_web_address(line.text, match.start(), match.end()) else out
                found.setdefault(f"{prefix}-{suffix}", []).append((((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
                                                                   suffix != printed.replace("I", "l").lower()))
        out.update({value: places for value, places in in_address.items() if value not in out})
        return out

    def _subject(self, document: Document) -> FieldReading | None:
        readings = [r for page in document.pages for r in self.reader.read_page(page, ("account_subject",)).get("account_subject", [])]
        return max(readings, key=lambda r: r.confidence, default=None)

    def _expiry(self, region: Page, page: Page, screen: Screen, instance_id: str,
                point: tuple[float, float]) -> tuple[str | None, bool]:
        """The instance's 到期 date, and whether it stands level with one of the id's printings: on a line of its
        own part of the screen that names the expiry, else, in a list, the date under the header cell that names
        it (到期时间, further up the page). A date under that header on the very line of one of the id's printings
        comes first: a 续费 drawer over the list lists the instances it renews with their 当前到期时间, in rows
        that do not line up with the list's."""
        billing = {"pay_as_you_go": self.options.pay_as_you_go, "prepaid": self.options.prepaid}
        if nearest_word(region, point, billing) == "pay_as_you_go":
            return None, False
        found = self._expiry_on_a_printing(page, screen, instance_id, point)
        if found is not None:
            return found, True
        # the line naming an expiry nearest the id, counted in lines, then across: a row cut across the page may
        # hold a card's 云硬盘 · 2026-12-10 到期 beside the instance's own
        lines = page_lines(region)
        own = line_of(lines, point) if lines else 0
        named = []
        for at, line in enumerate(lines):
            # the whole line, else each of its blocks (a line run across two columns: 2028-09-11 到期 | 登录 续费 |
            # 云数据库MySQL · 2026-12-13 到期 names two expiries, each its own)
            pieces = [(line.text, line.bbox)] + [(line.text[a:b], line.blocks[i].bbox) for i, (a, b) in enumerate(line.spans)]
            for text, box in pieces:
                found = self._date_after_expiry_word(text)
                if found is not None:
                    named.append((abs(at - own), max(box[0] - point[0], point[0] - box[2], 0.0), found))
                    if text is line.text:
                        break
        if named:
            return min(named)[2], False
        return self._expiry_column(region, screen, point), False

    def _expiry_on_a_printing(self, page: Page, screen: Screen, instance_id: str, point: tuple[float, float]) -> str | None:
        """For an id printed more than once: the date under the expiry header on the very line of one of its
        printings, the placed one first."""
        if len(screen.printings.get(instance_id, [])) < 2:
            return None
        for printed in sorted(screen.printings[instance_id], key=lambda p: p != point):
            found = self._expiry_column(page, screen, printed, same_line=True)
            if found is not None:
                return found
        return None

    @staticmethod
    def _other_id_between(screen: Screen, point: tuple[float, float], box: BBox) -> bool:
        """Whether another instance's id is printed on the date's row between the id and the date: the date is
        that instance's (a drawer over the list lines its rows up with the list's)."""
        height, middle = box[3] - box[1], (box[1] + box[3]) / 2
        left, right = sorted((point[0], (box[0] + box[2]) / 2))  # strictly between: the id's own place is not
        return any(left < x < right and abs(y - middle) <= height for places in screen.printings.values() for x, y in places)

    def _date_after_expiry_word(self, text: str) -> str | None:
        """The date printed right after an expiry word on a line (到期时间 2027-04-10 …, Expiry time2027-04-10
        (133 days left) Created2025-11-10: the expiry, not the creation date after it); on a line that prints
        the date before the word (2027-04-10 到期), the last date before it."""
        lowered = text.lower()
        dates = [m for m in find_dates(text) if not isinstance(m.value, str)]
        for word in sorted(self.options.expiry_words, key=len, reverse=True):  # Expiry time before Expiry
            at = lowered.find(word.lower())
            if at < 0:
                continue
            end = at + len(word)
            after = [m for m in dates if m.start >= end and not re.search(r"[A-Za-z\u4e00-\u9fff]", text[end:m.start])]
            if after:
                return after[0].value.isoformat()
            before = [m for m in dates if m.end <= at]
            if before and not any(m.start >= end for m in dates):
                return before[-1].value.isoformat()
        return None

    def _captions(self, lines: list[Line]) -> list[tuple[int, BBox, float]]:
        """The page's header cells naming the expiry (Screen.captions): a header cell is a block that is the
        caption and holds no date and no status (an expired row's 已到期 is no header)."""
        statuses = {w.lower() for words in self.options.statuses.values() for w in words}
        out = []
        for at, line in enumerate(lines):
            for start, end in line.spans:
                piece = line.text[start:end].strip().lower()
                if piece in statuses or find_dates(piece):
                    continue
                for word in self.options.expiry_words:
                    span = caption_span(piece, word.lower())
                    if span is not None and _is_caption(piece, word.lower(), span):
                        out.append((at, line.bbox_of(start + span[0], start + span[1]), line.height))
        return out

    def _expiry_column(self, region: Page, screen: Screen, point: tuple[float, float], same_line: bool = False) -> str | None:
        """In a list: the date under the header cell naming the expiry (the header nearest above the instance's
        row that has a date under it: a column-settings popover lists 到期时间 as an option nearer the row), in
        the instance's own part of the page, on the page line nearest its id (`same_line`: level with the id,
        whatever lines OCR made). A row printed over several lines may share a line with the header."""
        lines = screen.lines
        own = line_of(lines, point)
        columns = [(box, height) for at, box, height in screen.captions if at < own and box[3] <= point[1]]
        for header, height in sorted(columns, key=lambda c: -c[0][3]):
            found = self._date_under(region, screen, point, own, header, height, same_line)
            if found is not None:
                return found
        return None

    def _date_under(self, region: Page, screen: Screen, point: tuple[float, float], own: int, header: BBox, height: float,
                    same_line: bool) -> str | None:
        lines = screen.lines
        under = []
        for line in page_lines(region):
            for m in find_dates(line.text):
                box = line.bbox_of(m.start, m.end)
                if (not isinstance(m.value, str) and box[1] > header[1] and _overlaps(box, header, height)
                        and not self._other_id_between(screen, point, box)):
                    # the page line nearest the id's first (levelled: a photo's tilt); on it, the date right under
                    # the caption (创建时间 beside it)
                    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
                    across = min(box[2], header[2]) - max(box[0], header[0])
                    under.append((abs(line_of(lines, centre) - own), across <= 0, abs(centre[1] - point[1]), m.value.isoformat()))
        under = [u for u in under if u[2] <= SAME_ROW * height] if same_line else under
        return min(under)[3] if under else None

    def _api_state(self, region: Page) -> str | None:
        """The status the API prints for the instance (TCCLI, API Explorer): its enum words, in capitals as printed,
        the first of the data file's order that the instance's part of the screen holds (a restriction, EXPIRED or
        PROTECTMODE, says more than the SHUTDOWN it comes with)."""
        text = " ".join(b.text for b in region.blocks)
        return next((key for key, words in self.options.api_states.items()
                     if any(re.search(rf"(?<![A-Za-z_]){word}(?![A-Za-z_])", text) for word in words)), None)

    def _instance(self, document: Document, page: Page, screen: Screen, region: Page, instance_id: str, point: tuple[float, float],
                  repaired: bool, subject: FieldReading | None) -> Fact:
        lighthouse = instance_id.startswith("lhins")
        status = self._api_state(region) or nearest_word(region, point, self.options.statuses, one_per_line=True)
        where = nearest_word(region, point, self.options.regions)
        confidence = min([READ_CONFIDENCE, *(b.confidence for b in region.blocks if instance_id[-8:] in b.text.lower())] or [READ_CONFIDENCE])
        warnings = []
        if not re.fullmatch(self.options.instance_id, instance_id):
            confidence = min(confidence, DOUBT)
            warnings.append(f"a character of {instance_id} could not be read: check the id on the screen")
        if repaired:
            confidence = min(confidence, REPAIRED)
            warnings.append(f"{instance_id}: capitals OCR read in the id were taken as the digits they resemble (O 0, S 5 …)")
        if status is None:
            confidence = min(confidence, DOUBT)
            warnings.append(f"no status read for {instance_id}")
        if where is None:
            warnings.append(f"no region read for {instance_id}")
        expires_on, on_its_row = self._expiry(region, page, screen, instance_id, point)
        if expires_on is not None and len(screen.printings.get(instance_id, [])) > 1 and not on_its_row:
            confidence = min(confidence, DOUBT)
            warnings.append(f"{instance_id} is printed in more than one place (a list and a drawer or card over it) and "
                            f"its expiry {expires_on} is on the row of none of them: check which date is its own")
        if subject is not None:
            confidence = min(confidence, subject.confidence)
        value = {"instance_id": instance_id, "product": "lighthouse" if lighthouse else "cvm", "region": where,
                 "status": status, "expires_on": expires_on,
                 "account_subject": registered_name(subject.value) if subject else None}
        evidence = ["the instance's own part of the screen: its id, and the status words and zone printed nearest it, "
                    "its 到期 date"]
        if subject is not None:
            evidence.append(f"account subject: {'; '.join(subject.evidence)}")
        return Fact(name=FACT, value=value, confidence=round(confidence, 4), document=document.path, page=region.number,
                    bbox=union([b.bbox for b in region.blocks]), text=" | ".join(b.text for b in region.blocks[:12]),
                    extractor=NAME, warnings=warnings, evidence=evidence)


SAME_ROW = 0.8  # of a line's height: a date this close in height to an id printing is on its row
CAPTION_EXTRA = 2  # characters a header cell may print beyond its caption (到期时间 ↓)


def _is_caption(piece: str, word: str, span: tuple[int, int]) -> bool:
    """Whether a block that holds `word` holds it as a header caption: a Chinese cell that is the caption (not
    7天内到期, 设为到期不续), or English words standing apart in a block of captions OCR read as one."""
    if word.isascii():
        before, after = piece[span[0] - 1:span[0]], piece[span[1]:span[1] + 1]
        return not (before.isalnum() or after.isalnum())
    return len(piece) <= len(word) + CAPTION_EXTRA


def _overlaps(box: tuple[float, float, float, float], header: tuple[float, float, float, float], height: float) -> bool:
    """A value's box under a header cell: across it, give or take a line height."""
    return box[0] < header[2] + height and header[0] - height < box[2]


def _ids(printed: dict[str, list[tuple[tuple[float, float], bool]]]) -> list[tuple[str, tuple[float, float], bool]]:
    """The instance ids a page prints (CloudConsole._printings), each with the centre of its place (_in_the_list)
    and whether OCR's capitals were repaired in it."""
    return [(value, *_in_the_list(places, {other: [p[0][0] for p in ps] for other, ps in printed.items() if other != value}))
            for value, places in printed.items()]


def _in_the_list(places: list[tuple[tuple[float, float], bool]], others: dict[str, list[float]]) -> tuple[tuple[float, float], bool]:
    """Where an id printed more than once stands: in the list, the column where most of the other ids are printed
    too (a 续费 drawer over the list repeats only the instances it renews; the console home's 即将到期 card repeats
    one of its 我的资源 list), the column the others are first printed in on a tie; alone on its page, where it is
    first printed."""
    if len(places) == 1 or not others:
        return places[0]
    xs = [x for printed in others.values() for x in printed]
    reach = 0.1 * (max(xs + [p[0][0] for p in places]) - min(xs + [p[0][0] for p in places]))
    column = median(printed[0] for printed in others.values())
    return min(places, key=lambda place: (-sum(any(abs(x - place[0][0]) <= reach for x in printed) for printed in others.values()),
                                          abs(place[0][0] - column)))


def _distinct(facts: list[Fact]) -> list[Fact]:
    """An instance shown twice (a detail page's title and its info card) is one instance."""
    seen: dict[str, Fact] = {}
    for fact in facts:
        key = fact.value["instance_id"]
        if key not in seen or fact.confidence > seen[key].confidence:
            seen[key] = fact
    return list(seen.values())


EXTRACTOR = CloudConsole()
extract = EXTRACTOR.extract
