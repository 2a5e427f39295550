"""Is this the same person? Vietnamese-aware record comparison.

One comparison serves both the warning shown while registering (`likely_duplicates`) and the
batch deduplication (`ansinh.registry.dedupe`). It works on *folded* names
(`ansinh.core.text.fold`), so accents and tone-mark placement (Hoà/Hòa/Hoa) vanish before
comparing, and then looks at the name syllable by syllable, the way Vietnamese names are
built: surname (họ) first, given name (tên) last, middle names (tên đệm) between.

The evidence is added up as weights in bits, Fellegi–Sunter style (log2 of how much likelier
the observation is for a true pair than for two different people):

- the name: all syllables equal is strong; a missing middle name ("Nguyễn Thị Minh Hoa" /
  "Nguyễn Minh Hoa"), the gender marker Thị/Văn left out, middle and given swapped
  ("… Minh Hoa" / "… Hoa Minh") or one typo in a syllable (Damerau–Levenshtein distance 1)
  cost a little; a different surname or a different given name rules the pair out;
- the birth: same full date is strong, day and month swapped nearly as strong, a year-only
  record with the same year is weak evidence, two full dates that differ are strong evidence
  against, as are different years;
- citizen ID: equal is certain; two different IDs mean two people;
- phone (E.164): equal is good evidence, two different numbers some evidence against;
- where she lives: the same household record is near-certain, the same address line (folded,
  "Số 12 ngõ 45 phố Hàng Bạc" = "12/45 Hàng Bạc") in the same commune is strong, the same
  street with the house number left out on one side fair evidence, another address (another
  house of the same street included) in the same commune a little against; the same locality
  (thôn/tổ dân phố) helps a little; the same commune helps, a *neighbouring* commune (one that
  took part of the same pre-2025 district, from the `geo` succession table: where people move
  to) helps a little, a commune elsewhere in the city counts against;
- under one roof (same household or address), given names a typo apart lose the address
  evidence and count a little against: siblings born the same year (Tùng / Dũng) look
  exactly like that;
- her household: another member of both households with the same given name and birth year
  (her children registered twice with her) is strong evidence; two households of several
  members with no one in common a little against; the same relation to the head (spouse /
  spouse) a little for;
- sex, ethnicity, union membership: a different sex counts strongly against; the same
  minority ethnicity helps, a different ethnicity counts against; both union members helps a
  little, one member and one not a little against.

The total becomes a score 0..1 (`score_of(weight)`: 0.5 at the batch threshold). Everything
here is pure Python over plain tuples so the batch job can compare millions of pairs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ansinh.core.text import fold
from ansinh.core.validators import normalize_phone

# --- weights (bits) ------------------------------------------------------------------------

# Calibrated on the kinds of difference real duplicate records show (m) against how often two
# different people agree that much by chance (u); weight = log2(m/u).
NAME_EXACT = 6.0  # worth this for a name borne by NAME_FREQUENCY_REFERENCE people
NAME_DIFFERENT = -20.0
SURNAME_DIFFERENT = -12.0
PENALTY_SURNAME_TYPO = 3.0
PENALTY_GIVEN_TYPO = 4.0
PENALTY_GIVEN_SWAPPED = 2.0
PENALTY_MARKER_MISSING = 1.0
PENALTY_MIDDLE_MISSING = 2.0
PENALTY_MIDDLE_TYPO = 3.0
PENALTY_MIDDLE_ORDER = 1.5
MIDDLE_DIFFERENT = 100.0  # a penalty that takes any name below the floor
# Below this the name alone rules the pair out (two typos, a changed middle name and a typo).
NAME_FLOOR = -2.0

BIRTH_DATE_EQUAL = 14.0
BIRTH_DATE_SWAPPED = 11.0
BIRTH_YEAR_EQUAL = 6.0
BIRTH_DATE_DIFFERENT_SAME_YEAR = -10.0
BIRTH_YEAR_DIFFERENT = -15.0

CITIZEN_ID_DIFFERENT = -15.0
PHONE_EQUAL = 12.0
PHONE_DIFFERENT = -3.0  # people change numbers
COMMUNE_SAME = 6.5
COMMUNE_NEIGHBOUR = 2.0
COMMUNE_DIFFERENT = -4.0
SEX_DIFFERENT = -10.0

# Address, within one commune (an address line means nothing across communes).
HOUSEHOLD_SAME = 12.0  # the same household record: an address match and more
ADDRESS_SAME = 9.0
ADDRESS_STREET_ONLY = 4.0  # one line gives the street without a number
ADDRESS_OTHER_HOUSE = -2.0  # same street, another number
ADDRESS_DIFFERENT = -2.0
LOCALITY_SAME = 1.5
LOCALITY_DIFFERENT = -1.0
# Household composition: another member in common (given name + birth year), or none.
MEMBERS_SHARED = 6.0
MEMBERS_NONE_SHARED = -3.0
RELATION_SAME_NOT_HEAD = 1.0
# Two given names one letter apart under one roof are as likely siblings (Tùng / Dũng, born
# the same year) as one child typed twice: the household / address evidence does not count
# for them, and sharing a roof counts a little against.
GIVEN_DIFFERENT_SAME_ROOF = -2.0
ETHNICITY_SAME_MINORITY = 3.0
ETHNICITY_DIFFERENT = -3.0
UNION_BOTH = 1.0
UNION_DIFFERENT = -0.5

# The batch job proposes a pair from this total on; it is where `score_of` gives 0.5.
THRESHOLD = 14.0
# The registration form warns from a lower total: a false warning costs a glance.
WARNING_THRESHOLD = 11.0

# Syllables that only say "woman"/"man": leaving one out is the commonest variation.
GENDER_MARKERS = frozenset({"thi", "van"})

# Term-frequency adjustment of the name evidence (batch only, where name counts are known):
# agreeing on a name borne by `NAME_FREQUENCY_REFERENCE` people is worth `NAME_EXACT`; each
# doubling of the name's count is a bit less, each halving a bit more.
NAME_FREQUENCY_REFERENCE = 10
NAME_FREQUENCY_MIN_ADJUST = -12.0
NAME_FREQUENCY_MAX_ADJUST = 3.0

# Indexes of a comparison record (a plain tuple; see `record`). A batch record has one more
# item: the frequency adjustment of its name (`name_frequency_adjust`).
(
    NAME,
    BIRTH_DATE,
    BIRTH_YEAR,
    CITIZEN_ID,
    PHONE,
    COMMUNE,
    SEX,
    ADDRESS,
    LOCALITY,
    HOUSEHOLD,
    NEIGHBOURS,
    RELATION,
    ETHNICITY,
    UNION,
    MEMBERS,
    DISTRICTS,
    SIGNATURE,
    NAME_ADJUST,
) = range(18)

ETHNICITY_MAJORITY = "01"  # Kinh (`reference.ETHNICITY_KINH`)
RELATION_HEAD = "head"
_NO_ONE: frozenset = frozenset()

# Words of an address line that only say what kind of place follows ("số 12, ngõ 45, phố
# Hàng Bạc", "thôn Đông"): dropped so that "12/45 Hàng Bạc" is the same address.
_ADDRESS_FILLERS = frozenset(
    [
        "so",
        "sn",
        "nha",
        "ngo",
        "ng",
        "ngach",
        "hem",
        "kiet",
        "pho",
        "p",
        "duong",
        "d",
        "to",
        "tdp",
        "thon",
        "xom",
        "ap",
        "khu",
        "khom",
        "ban",
    ]
)
_ADDRESS_SPLIT = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=200_000)
def address_key(address_line: str | None) -> str:
    """`"numbers|words"` of an address line ("Số 12 ngõ 45 phố Hàng Bạc" → "12 45|hang bac").

    "" when the line says nothing (empty, or only filler words).
    """
    tokens = [
        t for t in _ADDRESS_SPLIT.split(fold(address_line)) if t and t not in _ADDRESS_FILLERS
    ]
    if not tokens:
        return ""
    numbers = " ".join(t for t in tokens if t.isdigit())
    words = " ".join(t for t in tokens if not t.isdigit())
    return f"{numbers}|{words}"


def member_signature(name_folded: str, birth_year: int | None) -> str:
    """How a household member is recognised in another household: given name + birth year."""
    return f"{name_folded.rsplit(' ', 1)[-1]}:{birth_year or 0}"


def record(
    *,
    name_folded: str,
    birth_date: dt.date | int | None = None,
    birth_year: int | None = None,
    citizen_id: str | None = None,
    phone: str | None = None,
    commune_id: int | None = None,
    sex: str | None = None,
    address_line: str | None = None,
    locality_id: int | None = None,
    household_id: int | None = None,
    neighbours: frozenset = _NO_ONE,
    relation: str | None = None,
    ethnicity: str | None = None,
    is_union_member: bool | None = None,
    members: frozenset = _NO_ONE,
    districts: frozenset = _NO_ONE,
) -> tuple:
    """A comparison record (see the indexes above); missing values are "" / 0 / empty.

    `neighbours`: the ids of the communes next to hers and `districts` the pre-2025 districts
    her commune comes from (`commune_areas`); `members`: the `member_signature`s of everyone
    in her household, her included. `is_union_member` None is
    unknown (0), True 1, False -1.
    """
    if isinstance(birth_date, dt.date):
        birth_date = birth_date.year * 10000 + birth_date.month * 100 + birth_date.day
    year = birth_year or (birth_date // 10000 if birth_date else 0)
    return (
        name_folded or "",
        birth_date or 0,
        year or 0,
        citizen_id or "",
        phone or "",
        commune_id or 0,
        sex or "",
        address_key(address_line),
        locality_id or 0,
        household_id or 0,
        neighbours,
        relation or "",
        ethnicity or "",
        0 if is_union_member is None else (1 if is_union_member else -1),
        members,
        districts,
        member_signature(name_folded or "", year),
    )


def commune_areas() -> tuple[dict[int, frozenset], dict[int, frozenset]]:
    """(districts, neighbours): for each current commune id, the pre-2025 districts it took
    communes from, and the current communes next to it (itself excluded).

    Two communes are neighbours when they took (part of) communes of the same pre-2025
    district — the districts people usually move within. From the `geo` succession table.
    """
    from ansinh.geo.models import AdminUnitSuccession

    owned: dict[int, set[int]] = {}
    for new_id, district_id in AdminUnitSuccession.objects.values_list("new_id", "old__parent_id"):
        if district_id:
            owned.setdefault(new_id, set()).add(district_id)
    by_district: dict[int, set[int]] = {}
    for commune, districts in owned.items():
        for district in districts:
            by_district.setdefault(district, set()).add(commune)
    neighbours = {}
    for commune, districts in owned.items():
        around = set().union(*(by_district[d] for d in districts))
        around.discard(commune)
        neighbours[commune] = frozenset(around)
    return {c: frozenset(d) for c, d in owned.items()}, neighbours


def commune_neighbours() -> dict[int, frozenset]:
    """Current commune id → ids of the current communes next to it (see `commune_areas`)."""
    return commune_areas()[1]


# --- syllables and names -------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def syllable_distance(a: str, b: str) -> int:
    """Optimal-string-alignment (restricted Damerau–Levenshtein) distance, capped at 2."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return 2
    previous2: list[int] = []
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        current = [i] + [0] * lb
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cb = b[j - 1]
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) >= 2:
            return 2
        previous2, previous = previous, current
    return min(previous[lb], 2)


def _is_typo(a: str, b: str) -> bool:
    """One edit apart; in a two-letter syllable only the second letter may differ."""
    if len(a) == 2 and len(b) == 2:
        return a[0] == b[0] and a[1] != b[1]
    return min(len(a), len(b)) >= 3 and syllable_distance(a, b) == 1


def _middle_penalty(rest_a: list[str], rest_b: list[str]) -> float:
    """Cost of turning one multiset of middle syllables into the other."""
    if rest_a == rest_b:
        return 0.0
    only_a = list(rest_a)
    only_b = []
    for token in rest_b:
        if token in only_a:
            only_a.remove(token)
        else:
            only_b.append(token)
    penalty = 0.0
    for token in list(only_a):
        typo = next((other for other in only_b if _is_typo(token, other)), None)
        if typo is not None:
            only_a.remove(token)
            only_b.remove(typo)
            penalty += PENALTY_MIDDLE_TYPO
    for token in only_a + only_b:
        penalty += PENALTY_MARKER_MISSING if token in GENDER_MARKERS else PENALTY_MIDDLE_MISSING
    # A middle name replaced by another ("Lan Anh" / "Mai Anh", "Thị Mi" / "Hoa Mi"): a
    # different name; one record simply lacking a middle name is the common variation.
    if only_a and only_b:
        return MIDDLE_DIFFERENT
    return penalty


@lru_cache(maxsize=500_000)
def name_weight(a: str, b: str) -> float:
    """Evidence (bits) that two folded full names belong to the same person."""
    if a == b:
        return NAME_EXACT if a else 0.0
    if not a or not b:
        return 0.0
    ta = a.split()
    tb = b.split()
    if len(ta) == 1 or len(tb) == 1:
        # A one-syllable name: only equal or a typo counts.
        if len(ta) == len(tb) and _is_typo(a, b):
            return NAME_EXACT - PENALTY_GIVEN_TYPO
        return NAME_DIFFERENT
    weight = NAME_EXACT
    surname_a, surname_b = ta[0], tb[0]
    if surname_a != surname_b:
        if not _is_typo(surname_a, surname_b):
            return SURNAME_DIFFERENT
        weight -= PENALTY_SURNAME_TYPO
    rest_a, rest_b = ta[1:], tb[1:]
    given_a, given_b = rest_a[-1], rest_b[-1]
    middle_a, middle_b = rest_a[:-1], rest_b[:-1]
    if given_a != given_b:
        if given_a in middle_b and given_b in middle_a:
            # "… Minh Hoa" / "… Hoa Minh": the given name and a middle one swapped.
            weight -= PENALTY_GIVEN_SWAPPED
            middle_a = list(middle_a)
            middle_b = list(middle_b)
            middle_a.remove(given_b)
            middle_b.remove(given_a)
        elif _is_typo(given_a, given_b):
            weight -= PENALTY_GIVEN_TYPO
        else:
            return NAME_DIFFERENT
    if middle_a != middle_b:
        middle_a, middle_b = sorted(middle_a), sorted(middle_b)
        if middle_a == middle_b:
            weight -= PENALTY_MIDDLE_ORDER  # "Thị Minh" / "Minh Thị"
        else:
            weight -= _middle_penalty(middle_a, middle_b)
    return weight if weight >= NAME_FLOOR else NAME_DIFFERENT


def name_similarity(a: str, b: str) -> float:
    """0..1 similarity of two full names (folded here), for display and tests."""
    weight = name_weight(*sorted((fold(a), fold(b))))
    return max(0.0, min(1.0, (weight - NAME_FLOOR) / (NAME_EXACT - NAME_FLOOR)))


def name_frequency_adjust(count: int) -> float:
    """Bits added to the name evidence for a name borne by `count` people in the batch."""
    adjust = math.log2(NAME_FREQUENCY_REFERENCE / max(count, 1))
    return max(NAME_FREQUENCY_MIN_ADJUST, min(NAME_FREQUENCY_MAX_ADJUST, adjust))


def given_name(name_folded: str) -> str:
    """The last syllable of a folded name (tên)."""
    return name_folded.rsplit(" ", 1)[-1]


# --- birth, identifiers --------------------------------------------------------------------


def birth_weight(date_a: int, year_a: int, date_b: int, year_b: int) -> float:
    """Evidence from two births given as yyyymmdd (0 if unknown) and year (0 if unknown)."""
    if not year_a or not year_b:
        return 0.0
    if year_a != year_b:
        return BIRTH_YEAR_DIFFERENT
    if not date_a or not date_b:
        return BIRTH_YEAR_EQUAL
    if date_a == date_b:
        return BIRTH_DATE_EQUAL
    month_a, day_a = divmod(date_a % 10000, 100)
    month_b, day_b = divmod(date_b % 10000, 100)
    if month_a == day_b and day_a == month_b:
        return BIRTH_DATE_SWAPPED
    return BIRTH_DATE_DIFFERENT_SAME_YEAR


@dataclass(slots=True)
class Comparison:
    weight: float
    certain: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return 1.0 if self.certain else score_of(self.weight)


def score_of(weight: float) -> float:
    """Map a total weight to 0..1: 0.5 at `THRESHOLD`, each bit doubles the odds."""
    exponent = THRESHOLD - weight
    if exponent > 60:
        return 0.0
    return 1.0 / (1.0 + 2.0**exponent)


def compare_weight(a: tuple, b: tuple) -> float:
    """Total evidence for two comparison records; `inf` when the citizen IDs are equal.

    The batch job's hot path: no allocation beyond the cached name comparison.
    """
    cid_a = a[CITIZEN_ID]
    cid_b = b[CITIZEN_ID]
    if cid_a and cid_b:
        if cid_a == cid_b:
            return float("inf")
        weight = CITIZEN_ID_DIFFERENT
    else:
        weight = 0.0
    names = name_weight(a[NAME], b[NAME]) if a[NAME] <= b[NAME] else name_weight(b[NAME], a[NAME])
    if names <= NAME_DIFFERENT:
        return names + weight
    weight += names
    if len(a) > NAME_ADJUST:
        # The commoner of the two names sets how much agreeing on it is worth.
        weight += min(a[NAME_ADJUST], b[NAME_ADJUST])
    weight += birth_weight(a[BIRTH_DATE], a[BIRTH_YEAR], b[BIRTH_DATE], b[BIRTH_YEAR])
    phone_a = a[PHONE]
    phone_b = b[PHONE]
    if phone_a and phone_b:
        weight += PHONE_EQUAL if phone_a == phone_b else PHONE_DIFFERENT
    if a[SEX] and b[SEX] and a[SEX] != b[SEX]:
        weight += SEX_DIFFERENT
    return weight + where_weight(a, b) + household_weight(a, b) + traits_weight(a, b)


def where_weight(a: tuple, b: tuple) -> float:
    """Evidence from where the two records live: commune, household, address, locality."""
    commune_a, commune_b = a[COMMUNE], b[COMMUNE]
    if not commune_a or not commune_b:
        return 0.0
    if commune_a != commune_b:
        return COMMUNE_NEIGHBOUR if commune_b in a[NEIGHBOURS] else COMMUNE_DIFFERENT
    weight = COMMUNE_SAME
    if a[HOUSEHOLD] and a[HOUSEHOLD] == b[HOUSEHOLD]:
        return weight + (GIVEN_DIFFERENT_SAME_ROOF if _siblings(a, b) else HOUSEHOLD_SAME)
    address_a, address_b = a[ADDRESS], b[ADDRESS]
    if address_a and address_b:
        if address_a == address_b:
            weight += GIVEN_DIFFERENT_SAME_ROOF if _siblings(a, b) else ADDRESS_SAME
        elif address_a.partition("|")[2] == address_b.partition("|")[2]:
            numbered = address_a[0] != "|" and address_b[0] != "|"
            weight += ADDRESS_OTHER_HOUSE if numbered else ADDRESS_STREET_ONLY
        else:
            weight += ADDRESS_DIFFERENT
    if a[LOCALITY] and b[LOCALITY]:
        weight += LOCALITY_SAME if a[LOCALITY] == b[LOCALITY] else LOCALITY_DIFFERENT
    return weight


def _siblings(a: tuple, b: tuple) -> bool:
    """Under one roof, given names that differ (a typo apart) may be two siblings."""
    name_a, name_b = a[NAME], b[NAME]
    return name_a != name_b and name_a.rsplit(" ", 1)[-1] != name_b.rsplit(" ", 1)[-1]


def household_weight(a: tuple, b: tuple) -> float:
    """Evidence from the two households' other members and the relation to the head."""
    weight = 0.0
    relation = a[RELATION]
    if relation and relation != RELATION_HEAD and relation == b[RELATION]:
        weight += RELATION_SAME_NOT_HEAD
    members_a, members_b = a[MEMBERS], b[MEMBERS]
    if len(members_a) < 2 or len(members_b) < 2 or (a[HOUSEHOLD] and a[HOUSEHOLD] == b[HOUSEHOLD]):
        return weight
    own_a = a[SIGNATURE]
    own_b = b[SIGNATURE]
    for signature in members_a:
        if signature != own_a and signature != own_b and signature in members_b:
            return weight + MEMBERS_SHARED
    return weight + MEMBERS_NONE_SHARED


def traits_weight(a: tuple, b: tuple) -> float:
    """Evidence from ethnicity and union membership."""
    weight = 0.0
    ethnicity_a, ethnicity_b = a[ETHNICITY], b[ETHNICITY]
    if ethnicity_a and ethnicity_b:
        if ethnicity_a != ethnicity_b:
            weight += ETHNICITY_DIFFERENT
        elif ethnicity_a != ETHNICITY_MAJORITY:
            weight += ETHNICITY_SAME_MINORITY
    union = a[UNION] * b[UNION]
    if union:
        if union < 0:
            weight += UNION_DIFFERENT
        elif a[UNION] > 0:
            weight += UNION_BOTH
    return weight


def compare(a: tuple, b: tuple) -> Comparison:
    """`compare_weight` with the Vietnamese reasons shown to officers."""
    reasons: list[str] = []
    if a[CITIZEN_ID] and a[CITIZEN_ID] == b[CITIZEN_ID]:
        reasons.append(_("Trùng số CCCD"))
        return Comparison(weight=float("inf"), certain=True, reasons=reasons)
    weight = compare_weight(a, b)
    names = name_weight(*sorted((a[NAME], b[NAME])))
    birth = birth_weight(a[BIRTH_DATE], a[BIRTH_YEAR], b[BIRTH_DATE], b[BIRTH_YEAR])
    if names == NAME_EXACT:
        if birth == BIRTH_DATE_EQUAL:
            reasons.append(_("Trùng họ tên và ngày sinh"))
        elif birth in (BIRTH_YEAR_EQUAL, BIRTH_DATE_SWAPPED):
            reasons.append(_("Trùng họ tên và năm sinh"))
        else:
            reasons.append(_("Trùng họ tên"))
    elif names > NAME_DIFFERENT:
        reasons.append(_("Họ tên gần giống"))
        if birth == BIRTH_DATE_EQUAL:
            reasons.append(_("Trùng ngày sinh"))
        elif birth in (BIRTH_YEAR_EQUAL, BIRTH_DATE_SWAPPED):
            reasons.append(_("Trùng năm sinh"))
    if birth == BIRTH_DATE_SWAPPED:
        reasons.append(_("Ngày và tháng sinh bị đảo"))
    if a[PHONE] and a[PHONE] == b[PHONE]:
        reasons.append(_("Trùng số điện thoại"))
    if not reasons:
        reasons.append(_("Thông tin gần giống"))
    if a[COMMUNE] and a[COMMUNE] == b[COMMUNE]:
        if a[HOUSEHOLD] and a[HOUSEHOLD] == b[HOUSEHOLD]:
            reasons.append(_("Cùng hộ gia đình"))
        elif a[ADDRESS] and a[ADDRESS] == b[ADDRESS]:
            reasons.append(_("Cùng địa chỉ"))
        else:
            reasons.append(_("Cùng xã/phường"))
    elif a[COMMUNE] and b[COMMUNE] in a[NEIGHBOURS]:
        reasons.append(_("Xã/phường lân cận"))
    if household_weight(a, b) >= MEMBERS_SHARED:
        reasons.append(_("Hộ có thành viên trùng tên và năm sinh"))
    return Comparison(weight=weight, certain=False, reasons=reasons)


def phone_key(value: str | None) -> str:
    """E.164 form of a phone typed any usual way, or "" when it is not a valid number."""
    if not value:
        return ""
    try:
        return normalize_phone(value)
    except ValidationError:
        return ""


def citizen_id_key(value: str | None) -> str:
    """The 12 digits of a citizen ID (a lost leading zero restored), or ""."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    if 9 <= len(digits) < 12:
        digits = digits.zfill(12)
    return digits if len(digits) == 12 else ""


# --- the registration warning --------------------------------------------------------------


@dataclass(slots=True)
class Match:
    """A registered person who may be the one being registered."""

    person_id: int
    score: float
    reasons: list[str]
    certain: bool = False


# Bound every candidate query: a very common name without a birth year could match thousands.
_CANDIDATES_PER_QUERY = 500

_FIELDS = (
    "id",
    "name_folded",
    "birth_date",
    "birth_year",
    "citizen_id",
    "phone",
    "household__commune_id",
    "sex",
    "household__address_line",
)


def likely_duplicates(
    *,
    full_name: str,
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
    citizen_id: str | None = None,
    phone: str | None = None,
    commune_id: int | None = None,
    exclude_ids=(),
    limit: int = 10,
    sex: str | None = None,
    address_line: str | None = None,
) -> list[Match]:
    """People already registered who may be this one, best first (certain ones on top).

    Unscoped on purpose: the caller decides what to reveal of people outside the officer's
    scope (the count, a masked name). Candidates come from indexed lookups only — the citizen
    ID, the phone, the exact folded name with the birth year, and everyone of the same birth
    year in the commune (which catches typos and swapped names there) — and are scored here
    (with the address and sex when the form already has them).
    """
    from .models import Person

    name_folded = fold(full_name)
    if birth_date and not birth_year:
        birth_year = birth_date.year
    citizen_id = citizen_id_key(citizen_id)
    phone = phone_key(phone)
    probe = record(
        name_folded=name_folded,
        birth_date=birth_date,
        birth_year=birth_year,
        citizen_id=citizen_id,
        phone=phone,
        commune_id=commune_id,
        sex=sex,
        address_line=address_line,
    )
    people = Person.objects.exclude(status=Person.Status.MERGED).exclude(pk__in=list(exclude_ids))
    queries = []
    if citizen_id:
        queries.append(people.filter(citizen_id=citizen_id))
    if phone:
        queries.append(people.filter(phone=phone))
    if name_folded:
        if birth_year:
            queries.append(people.filter(name_folded=name_folded, birth_year=birth_year))
            queries.append(people.filter(name_folded=name_folded, birth_year__isnull=True))
        else:
            queries.append(people.filter(name_folded=name_folded))
        if birth_year and commune_id:
            queries.append(people.filter(birth_year=birth_year, household__commune_id=commune_id))
    seen: set[int] = set()
    matches: list[Match] = []
    for query in queries:
        for row in query.values_list(*_FIELDS)[:_CANDIDATES_PER_QUERY]:
            if row[0] in seen:
                continue
            seen.add(row[0])
            other = record(
                name_folded=row[1],
                birth_date=row[2],
                birth_year=row[3],
                citizen_id=row[4],
                phone=row[5],
                commune_id=row[6],
                sex=row[7],
                address_line=row[8],
            )
            result = compare(probe, other)
            same_phone = bool(phone) and phone == other[PHONE]
            if result.certain or same_phone or result.weight >= WARNING_THRESHOLD:
                matches.append(
                    Match(
                        person_id=row[0],
                        score=round(result.score, 3),
                        reasons=result.reasons,
                        certain=result.certain,
                    )
                )
    matches.sort(key=lambda m: (not m.certain, -m.score, m.person_id))
    return matches[:limit]
