"""Computed indicators: the contract between the data modules and the reports module.

A module that can compute a report figure from its own data declares it in its own
`<app>/indicators.py` (autodiscovered at start-up, like `jobs.py`):

    from ansinh.core.indicators import indicator

    @indicator(code="VULNERABLE_REGISTERED", name=_("Phụ nữ, trẻ em yếu thế được lập dữ liệu"),
               unit=_("người"), snapshot=True, dimensions=("category", "age_band"))
    def vulnerable_registered(*, start, end, by=None):
        ...  # one grouped query
        return {"/1/17/": 120, "/1/17/203/": 4, ...}

`compute(start=..., end=..., by=None)` returns the figure for the period [start, end]
(inclusive dates) **grouped by the union-unit path** its records belong to (the `scope_path`
or `unit.path` of the rows; any depth: a branch, a commune union, an old district union).
The reports module sums the rows whose path starts with a unit's path, so one call serves
every unit of the city and the whole city at once. With `by` set to one of `dimensions`,
keys are `(path, dimension_value)` pairs instead.

`snapshot=True` means "the count standing at `end`" (people registered); `False` means
"what happened within the period" (deliveries made, money raised). Values are integers
(people, times, đồng).

An indicator whose module does not exist (or is not installed) simply is not registered, and
the reports module lets units enter it by hand until it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

Compute = Callable[..., dict]


@dataclass(frozen=True)
class ComputedIndicator:
    code: str
    name: str
    unit: str
    compute: Compute
    module: str
    snapshot: bool = False
    dimensions: tuple[str, ...] = field(default=())

    def values(
        self, *, start: dt.date, end: dt.date, by: str | None = None
    ) -> dict[str, int] | dict[tuple[str, str], int]:
        if by is not None and by not in self.dimensions:
            raise ValueError(f"{self.code}: unknown dimension {by!r}")
        return self.compute(start=start, end=end, by=by)


_REGISTRY: dict[str, ComputedIndicator] = {}


def indicator(
    *,
    code: str,
    name,
    unit,
    snapshot: bool = False,
    dimensions: tuple[str, ...] = (),
) -> Callable[[Compute], Compute]:
    """Register a computed indicator (decorator). Codes are unique across modules."""

    def decorate(function: Compute) -> Compute:
        module = function.__module__.split(".")[1] if "." in function.__module__ else ""
        existing = _REGISTRY.get(code)
        # Re-importing the same module (autoreload, tests) re-registers the same function.
        same = existing is not None and (
            existing.compute.__module__,
            existing.compute.__qualname__,
        ) == (function.__module__, function.__qualname__)
        if existing is not None and not same:
            raise ValueError(f"indicator {code} registered twice")
        _REGISTRY[code] = ComputedIndicator(
            code=code,
            name=name,
            unit=unit,
            compute=function,
            module=module,
            snapshot=snapshot,
            dimensions=tuple(dimensions),
        )
        return function

    return decorate


def computed_indicators() -> dict[str, ComputedIndicator]:
    """Every registered computed indicator by code (after app loading)."""
    return dict(_REGISTRY)


def get_computed(code: str) -> ComputedIndicator | None:
    return _REGISTRY.get(code)


def sum_under(values: dict[str, int], path: str) -> int:
    """The total of a `compute()` result for the unit whose tree path is `path`."""
    return sum(value for key, value in values.items() if key.startswith(path))
