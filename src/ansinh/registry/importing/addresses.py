"""From what a file says about an address to today's commune (and thôn/tổ dân phố).

Files name the commune the way their authors know it: today's name ("Phường Hoàn Kiếm",
"hoan kiem"), or the pre-2025 one with its old district ("Xã Cổ Loa, Huyện Đông Anh", or the
commune in one column and "Huyện Đông Anh" in the next). Old names go through
`geo.AdminUnitSuccession`: an old commune that went whole into one new commune lands there;
one split between several new communes is *not* guessed: the row is flagged and the person
importing chooses among the candidates.

Everything is loaded once per file (a province has a few hundred current and old communes)
and answers are cached per distinct (commune, district) text, so a file of 200,000 rows
costs a few hundred lookups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _

from ansinh.core.text import fold
from ansinh.geo.models import AdminUnit, AdminUnitSuccession, Locality

Era = AdminUnit.Era
Level = AdminUnit.Level

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Type words written before a unit's name (folded), longest first.
_COMMUNE_TYPES = ("thi tran", "dac khu", "phuong", "xa", "tt", "p", "x")
_DISTRICT_TYPES = ("thanh pho", "thi xa", "quan", "huyen", "tp", "tx", "q", "h")
_LOCAL_TYPES = ("to dan pho", "khu pho", "thon", "xom", "ap", "tdp", "to", "khu", "so", "ngo")


def _tokens(value: str) -> list[str]:
    return [t for t in _NON_ALNUM.split(fold(value)) if t]


def _key(tokens: list[str]) -> str:
    # "Phường 01" and "Phường 1" are the same unit.
    return "".join(str(int(t)) if t.isdigit() else t for t in tokens)


def _strip_type(tokens: list[str], types: tuple[str, ...]) -> tuple[str | None, list[str]]:
    for kind in types:
        words = kind.split()
        if tokens[: len(words)] == words and len(tokens) > len(words):
            return kind, tokens[len(words) :]
    return None, tokens


def name_keys(name: str, short_name: str = "") -> set[str]:
    """Keys a unit is known by: its name with and without the type word, and its short name."""
    tokens = _tokens(name)
    keys = {_key(tokens)}
    _kind, rest = _strip_type(tokens, _COMMUNE_TYPES + _DISTRICT_TYPES)
    keys.add(_key(rest))
    if short_name:
        keys.add(_key(_tokens(short_name)))
    return {k for k in keys if k}


def _lookup_keys(text: str, types: tuple[str, ...]) -> list[str]:
    """Keys to try for a name written in a file: as written first, then without a type word."""
    tokens = _tokens(text)
    keys = [_key(tokens)]
    _kind, rest = _strip_type(tokens, types)
    if rest is not tokens:
        keys.append(_key(rest))
    return [k for k in keys if k]


@dataclass
class Resolution:
    """Where a row's address lands: `commune_id`, or an error, or a split to decide."""

    commune_id: int | None = None
    error: str = ""
    error_column: str = "commune"  # "commune" or "old_district"
    old_name: str = ""  # the old commune, when the address went through the succession
    candidates: list[int] = field(default_factory=list)  # split: new communes to choose from

    @property
    def is_split(self) -> bool:
        return bool(self.candidates)


def split_address(text: str) -> tuple[str, str]:
    """(commune part, district part) of "Thôn Đoài, Xã Cổ Loa, Huyện Đông Anh, Hà Nội"."""
    commune = district = ""
    untyped: list[str] = []
    for part in re.split(r"\s*[,;]\s*", text):
        if not part:
            continue
        tokens = _tokens(part)
        if not tokens:
            continue
        if _strip_type(tokens, _COMMUNE_TYPES)[0] and not commune:
            commune = part
        elif _strip_type(tokens, _DISTRICT_TYPES)[0] and not district:
            district = part
        elif _strip_type(tokens, _LOCAL_TYPES)[0]:
            continue
        else:
            untyped.append(part)
    if not commune and untyped:
        commune = untyped.pop(0)
    if not district and untyped and len(untyped) >= 1 and commune:
        # "Cổ Loa, Đông Anh": the part after the commune is its district (a trailing province
        # name is recognised and dropped by the resolver).
        district = untyped.pop(0)
    return commune, district


class CommuneResolver:
    """Resolves commune names of one post-2025 province (and of the old units it took over)."""

    def __init__(self, *, province_code: str):
        self.province_code = province_code
        self.names: dict[int, str] = {}
        self.current: dict[str, set[int]] = {}
        for pk, name, short_name in AdminUnit.objects.filter(
            era=Era.POST_2025, level=Level.COMMUNE, province_code=province_code
        ).values_list("id", "name", "short_name"):
            self.names[pk] = name
            for key in name_keys(name, short_name):
                self.current.setdefault(key, set()).add(pk)
        self.province_keys: set[str] = set()
        for name, short_name in AdminUnit.objects.filter(
            level=Level.PROVINCE, code=province_code
        ).values_list("name", "short_name"):
            self.province_keys |= name_keys(name, short_name)
        self.successors: dict[int, list[int]] = {}
        self.old_names: dict[int, str] = {}
        self.old_by_key: dict[str, set[int]] = {}
        self.old_district_of: dict[int, int | None] = {}
        self.districts: dict[str, set[int]] = {}
        self.district_names: dict[int, str] = {}
        rows = (
            AdminUnitSuccession.objects.filter(
                new__province_code=province_code,
                new__era=Era.POST_2025,
                new__level=Level.COMMUNE,
                old__level=Level.COMMUNE,
            )
            .order_by("old_id", "-takes_population", "new__code")
            .values_list(
                "old_id",
                "old__name",
                "old__short_name",
                "old__parent_id",
                "old__parent__name",
                "old__parent__short_name",
                "new_id",
            )
        )
        for old_id, name, short_name, district_id, district, district_short, new_id in rows:
            self.successors.setdefault(old_id, []).append(new_id)
            if old_id in self.old_names:
                continue
            self.old_names[old_id] = name
            self.old_district_of[old_id] = district_id
            for key in name_keys(name, short_name):
                self.old_by_key.setdefault(key, set()).add(old_id)
            if district_id is not None:
                self.district_names[district_id] = district
                for key in name_keys(district, district_short):
                    self.districts.setdefault(key, set()).add(district_id)
        self.resolve = lru_cache(maxsize=4096)(self._resolve)

    def _match(self, text: str, index: dict[str, set[int]], types) -> set[int]:
        for key in _lookup_keys(text, types):
            found = index.get(key)
            if found:
                return found
        return set()

    def _through_succession(self, old_ids: set[int], written: str) -> Resolution:
        if len(old_ids) > 1:
            districts = sorted(
                {self.district_names.get(self.old_district_of[i], "") for i in old_ids}
            )
            return Resolution(
                error=_(
                    "Có %(count)d xã/phường cũ tên “%(name)s” (%(districts)s): ghi thêm "
                    "quận/huyện cũ để biết là xã/phường nào."
                )
                % {"count": len(old_ids), "name": written, "districts": ", ".join(districts)}
            )
        old_id = next(iter(old_ids))
        successors = self.successors.get(old_id, [])
        old_name = self.old_names[old_id]
        district = self.district_names.get(self.old_district_of[old_id], "")
        if district:
            old_name = f"{old_name}, {district}"
        if len(successors) == 1:
            return Resolution(commune_id=successors[0], old_name=old_name)
        return Resolution(old_name=old_name, candidates=list(successors))

    def _resolve(self, commune_text: str, district_text: str) -> Resolution:
        commune_part, district_part = split_address(commune_text)
        district_column = "old_district" if district_text else "commune"
        district = district_text or district_part
        if district and self.province_keys & set(_lookup_keys(district, _DISTRICT_TYPES)):
            district = ""  # "Xã Cổ Loa, Hà Nội": the province, not a district
        if not commune_part:
            return Resolution(error=_("Chưa ghi xã/phường."))
        if district:
            district_ids = self._match(district, self.districts, _DISTRICT_TYPES)
            if not district_ids:
                current = self._match(commune_part, self.current, _COMMUNE_TYPES)
                if len(current) == 1 and not district_text:
                    return Resolution(commune_id=next(iter(current)))
                return Resolution(
                    error=_(
                        "Không tìm thấy quận/huyện cũ “%(name)s” (trước 01/7/2025) của "
                        "tỉnh/thành phố này."
                    )
                    % {"name": district},
                    error_column=district_column,
                )
            old_ids = {
                old_id
                for old_id in self._match(commune_part, self.old_by_key, _COMMUNE_TYPES)
                if self.old_district_of[old_id] in district_ids
            }
            if old_ids:
                return self._through_succession(old_ids, commune_part)
            current = self._match(commune_part, self.current, _COMMUNE_TYPES)
            if len(current) == 1:
                return Resolution(commune_id=next(iter(current)))
            return Resolution(
                error=_("Không tìm thấy xã/phường “%(commune)s” thuộc “%(district)s”.")
                % {"commune": commune_part, "district": district}
            )
        current = self._match(commune_part, self.current, _COMMUNE_TYPES)
        if len(current) == 1:
            return Resolution(commune_id=next(iter(current)))
        old_ids = self._match(commune_part, self.old_by_key, _COMMUNE_TYPES)
        if old_ids:
            return self._through_succession(old_ids, commune_part)
        return Resolution(
            error=_(
                "Không tìm thấy xã/phường “%(name)s” (tên hiện nay, hoặc tên cũ kèm quận/huyện cũ)."
            )
            % {"name": commune_part}
        )


# --- thôn, tổ dân phố ---------------------------------------------------------------------

_LOCALITY_PREFIXES = [
    (("to", "dan", "pho"), "Tổ dân phố", Locality.Kind.RESIDENTIAL_GROUP),
    (("tdp",), "Tổ dân phố", Locality.Kind.RESIDENTIAL_GROUP),
    (("to",), "Tổ dân phố", Locality.Kind.RESIDENTIAL_GROUP),
    (("khu", "pho"), "Khu phố", Locality.Kind.QUARTER),
    (("thon",), "Thôn", Locality.Kind.VILLAGE),
    (("xom",), "Xóm", Locality.Kind.VILLAGE),
    (("ap",), "Ấp", Locality.Kind.HAMLET),
]


def _locality_parts(value: str) -> tuple[str | None, str | None, list[str]]:
    """(label, kind, words of the proper name) of "TDP số 5" → ("Tổ dân phố", ..., ["5"])."""
    words = value.split(" ")
    tokens = [_NON_ALNUM.sub("", fold(w)) for w in words]
    for prefix, label, kind in _LOCALITY_PREFIXES:
        if tuple(tokens[: len(prefix)]) == prefix and len(tokens) > len(prefix):
            rest = words[len(prefix) :]
            if fold(rest[0]) == "so" and len(rest) > 1:
                rest = rest[1:]
            return label, kind, rest
    return None, None, words


@lru_cache(maxsize=16384)
def locality_key(value: str) -> str:
    """Matching key: the proper name without "Thôn"/"Tổ dân phố"/"số" ("TDP số 05" → "5")."""
    return _key(_tokens(" ".join(_locality_parts(value)[2])))


def locality_name(value: str, *, commune_is_ward: bool) -> tuple[str, str, str]:
    """(name to store, kind, matching key) of a thôn/tổ dân phố written in a file.

    "TDP số 5", "Tổ 5" and "tổ dân phố 5" are all "Tổ dân phố 5"; a bare name ("Đoài") is a
    thôn in a xã and a tổ dân phố in a phường.
    """
    label, kind, rest = _locality_parts(value)
    if label is None:
        if commune_is_ward:
            label, kind = "Tổ dân phố", Locality.Kind.RESIDENTIAL_GROUP
        else:
            label, kind = "Thôn", Locality.Kind.VILLAGE
    proper = " ".join(rest)
    return f"{label} {proper}", kind, _key(_tokens(proper))


class LocalityIndex:
    """Existing thôn/tổ dân phố of the communes a file touches, by matching key."""

    def __init__(self, commune_ids):
        self.by_key: dict[tuple[int, str], int] = {}
        for pk, commune_id, name in Locality.objects.filter(commune_id__in=commune_ids).values_list(
            "id", "commune_id", "name"
        ):
            self.by_key[(commune_id, locality_key(name))] = pk

    def find(self, commune_id: int, key: str) -> int | None:
        return self.by_key.get((commune_id, key))
