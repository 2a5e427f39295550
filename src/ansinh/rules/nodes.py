"""The syntax tree of a rule: immutable dataclasses, nothing else.

Every node keeps its `span` (start, end offsets in the rule text) for error messages and
explanations; spans take no part in equality, so two trees compare equal when they have the
same shape ("age>=60" and "age >= 60" parse to equal trees).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

Span = tuple[int, int]


@dataclass(frozen=True)
class Node:
    span: Span = field(default=(0, 0), compare=False, repr=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True)
class Number(Node):
    value: Decimal


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Boolean(Node):
    value: bool


@dataclass(frozen=True)
class ListLiteral(Node):
    items: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Keyword(Node):
    """`within_months=12` inside a call; `span` covers the keyword's name."""

    name: str
    value: Node

    def children(self) -> tuple[Node, ...]:
        return (self.value,)


@dataclass(frozen=True)
class Call(Node):
    """`has("HO_NGHEO")`; `name_span` covers the function's name."""

    name: str
    args: tuple[Node, ...] = ()
    keywords: tuple[Keyword, ...] = ()
    name_span: Span = field(default=(0, 0), compare=False, repr=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return self.args + self.keywords


@dataclass(frozen=True)
class Negative(Node):
    """Unary minus."""

    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Arithmetic(Node):
    op: str  # + - * /
    left: Node
    right: Node
    op_span: Span = field(default=(0, 0), compare=False, repr=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Compare(Node):
    op: str  # = != < <= > >= in "not in"
    left: Node
    right: Node
    op_span: Span = field(default=(0, 0), compare=False, repr=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Not(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class BoolOp(Node):
    """`a and b and c` is one node with three operands (so is `or`)."""

    op: str  # and | or
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


def walk(node: Node):
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children()))
