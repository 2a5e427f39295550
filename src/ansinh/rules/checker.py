"""Types, contexts and the type checker (separate from parsing).

A `Context` says which names and functions a rule may use, with their types; `check` walks a
parsed tree against it and returns a `Rule` that records, for every node, its type and — for
constant sub-expressions — its value (choice literals are stored canonical: `"nu"` compared
with `sex` becomes "F"). Everything a compiler or evaluator needs is decided here, so they
never meet a rule that does not make sense.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ansinh.core.text import fold

from .errors import RuleError, did_you_mean
from .nodes import (
    Arithmetic,
    Boolean,
    BoolOp,
    Call,
    Compare,
    Keyword,
    ListLiteral,
    Name,
    Negative,
    Node,
    Not,
    Number,
    String,
)
from .parser import parse

MAX_VALUE = Decimal(10) ** 15
INFINITE = Decimal("Infinity")


@dataclass(frozen=True)
class Type:
    kind: str  # number bool string date choice
    # Shown in messages, translated lazily; not part of equality or hashing, so a type is the
    # same whatever the language active when it is compared.
    label: str = field(compare=False)

    def __str__(self) -> str:
        return self.label


NUMBER = Type("number", _lazy("số"))
BOOL = Type("bool", _lazy("đúng/sai"))
STRING = Type("string", _lazy("chuỗi"))
DATE = Type("date", _lazy("ngày"))


@dataclass(frozen=True)
class Option:
    """One value of a choice: stored `value`, shown `name`, and the spellings accepted."""

    value: str
    name: str
    spellings: tuple[str, ...] = ()
    hint: str = ""  # how lists of values show it ("nu" rather than "F"); default: value

    @property
    def shown(self) -> str:
        return self.hint or self.value


@dataclass(frozen=True, eq=False)
class Choice(Type):
    """A string from a fixed or configurable set (sex, poverty, category codes…).

    Rules may only compare it with literals of the set (checked, accent- and
    case-insensitively) or with the same choice.
    """

    key: str = ""
    options: Callable[[], list[Option]] = field(default=lambda: [], repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Choice) and other.key == self.key

    def __hash__(self) -> int:
        return hash(("choice", self.key))


@dataclass(frozen=True)
class NameSpec:
    name: str
    type: Type
    label: str  # "Tuổi"
    nullable: bool = False
    integral: bool = False
    bound: Decimal = INFINITE  # largest absolute value (numbers), for the SQL overflow check
    help: str = ""


NO_DEFAULT = object()


@dataclass(frozen=True)
class Param:
    name: str
    type: Type
    default: object = NO_DEFAULT
    constant: bool = False  # the argument must be a constant (a literal, date("…"), 2 * 6…)
    label: str = ""


@dataclass(frozen=True)
class Signature:
    params: tuple[Param, ...]
    returns: Type
    help: str = ""
    bound: Decimal = Decimal(10) ** 9  # largest absolute value a number result may take


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    signature: Signature


BUILTINS: dict[str, FunctionSpec] = {
    "date": FunctionSpec(
        "date",
        Signature(
            (Param("text", STRING, constant=True, label=_lazy("ngày dạng dd/mm/yyyy")),),
            DATE,
            _lazy('Một ngày cố định: date("01/07/2025")'),
        ),
    ),
    "today": FunctionSpec("today", Signature((), DATE, _lazy("Ngày hôm nay (ngày xét quy tắc)"))),
    "abs": FunctionSpec(
        "abs",
        Signature((Param("x", NUMBER, label=_lazy("số")),), NUMBER, _lazy("Giá trị tuyệt đối")),
    ),
}


class Context:
    """Names and functions a rule may use. Subclasses fill `name_specs`/`function_specs`."""

    label = _lazy("quy tắc")
    # Largest absolute value a numeric sub-expression may reach (None: unbounded, evaluated
    # in Python decimals). Rules compiled to SQL keep to 10^15 so no database overflows.
    max_number: Decimal | None = None

    def __init__(self) -> None:
        self._options: dict[str, dict[str, Option]] = {}

    def name_specs(self) -> dict[str, NameSpec]:
        return {}

    def function_specs(self) -> dict[str, FunctionSpec]:
        return {}

    def functions(self) -> dict[str, FunctionSpec]:
        return {**BUILTINS, **self.function_specs()}

    def lookup_option(self, choice: Choice, spelling: str) -> Option | None:
        if choice.key not in self._options:
            table: dict[str, Option] = {}
            for option in choice.options():
                for text in (option.value, option.name, *option.spellings):
                    table.setdefault(fold(text), option)
            self._options[choice.key] = table
        return self._options[choice.key].get(fold(spelling))

    def option_values(self, choice: Choice) -> list[str]:
        return [option.shown for option in choice.options()]

    def option_spellings(self, choice: Choice) -> list[str]:
        spellings: list[str] = []
        for option in choice.options():
            spellings.extend((option.shown, option.value, option.name, *option.spellings))
        return list(dict.fromkeys(spellings))


NOT_CONSTANT = object()


@dataclass
class NodeInfo:
    type: Type
    constant: object = NOT_CONSTANT
    integral: bool = False
    bound: Decimal = INFINITE
    nullable: bool = False
    arguments: dict[str, object] | None = None  # calls: param name → Node or default value

    @property
    def is_constant(self) -> bool:
        return self.constant is not NOT_CONSTANT


@dataclass
class Rule:
    """A checked rule: its text, tree and context, and what the checker learnt per node."""

    text: str
    tree: Node
    context: Context
    info: dict[int, NodeInfo] = field(repr=False)

    def info_of(self, node: Node) -> NodeInfo:
        return self.info[id(node)]

    def source(self, node: Node) -> str:
        return self.text[node.span[0] : node.span[1]]

    def argument(self, call: Call, name: str) -> object:
        """A call's argument: a constant's value (whole numbers as int), a default, or the
        argument's node."""
        value = self.info_of(call).arguments[name]
        if isinstance(value, Node):
            info = self.info_of(value)
            if not info.is_constant:
                return value
            value = info.constant
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        return value


DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z")


def parse_date(text: str) -> dt.date | None:
    match = DATE_RE.match(text.strip())
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def type_phrase(rule_type: Type) -> str:
    return rule_type.label


class Checker:
    def __init__(self, text: str, context: Context):
        self.text = text
        self.context = context
        self.info: dict[int, NodeInfo] = {}
        self.names = context.name_specs()
        self.functions = context.functions()

    def fail(self, message: str, span: tuple[int, int]) -> RuleError:
        return RuleError(message, text=self.text, start=span[0], end=span[1])

    def record(self, node: Node, info: NodeInfo) -> NodeInfo:
        limit = self.context.max_number
        if info.type == NUMBER:
            if info.is_constant and abs(info.constant) > MAX_VALUE:
                raise self.fail(
                    _("Giá trị quá lớn (vượt quá %(max)s)") % {"max": "10^15"}, node.span
                )
            if limit is not None and info.bound > limit:
                raise self.fail(
                    _("Biểu thức số này có thể vượt quá %(max)s; hãy viết gọn lại")
                    % {"max": "10^15"},
                    node.span,
                )
        self.info[id(node)] = info
        return info

    def check_rule(self, tree: Node) -> Rule:
        info = self.visit(tree)
        if info.type != BOOL:
            raise self.fail(
                _("Quy tắc phải cho kết quả đúng/sai, nhưng biểu thức này là %(type)s")
                % {"type": info.type.label},
                tree.span,
            )
        return Rule(text=self.text, tree=tree, context=self.context, info=self.info)

    def visit(self, node: Node) -> NodeInfo:
        method = getattr(self, f"visit_{type(node).__name__}")
        return method(node)

    def visit_Number(self, node: Number) -> NodeInfo:
        return self.record(
            node,
            NodeInfo(
                NUMBER,
                node.value,
                integral=node.value == node.value.to_integral_value(),
                bound=abs(node.value),
            ),
        )

    def visit_String(self, node: String) -> NodeInfo:
        return self.record(node, NodeInfo(STRING, node.value))

    def visit_Boolean(self, node: Boolean) -> NodeInfo:
        return self.record(node, NodeInfo(BOOL, node.value))

    def visit_ListLiteral(self, node: ListLiteral) -> NodeInfo:
        raise self.fail(_('Danh sách [ ] chỉ dùng sau "in" / "thuộc"'), node.span)

    def visit_Keyword(self, node: Keyword) -> NodeInfo:  # pragma: no cover - via visit_Call
        return self.visit(node.value)

    def visit_Name(self, node: Name) -> NodeInfo:
        spec = self.names.get(node.name)
        if spec is None:
            if node.name in self.functions:
                raise self.fail(
                    _('"%(name)s" là một hàm: viết %(name)s(…)') % {"name": node.name}, node.span
                )
            raise self.fail(
                _('Không biết tên "%(name)s"%(hint)s')
                % {"name": node.name, "hint": did_you_mean(node.name, self.names)},
                node.span,
            )
        return self.record(
            node,
            NodeInfo(spec.type, integral=spec.integral, bound=spec.bound, nullable=spec.nullable),
        )

    def visit_Call(self, node: Call) -> NodeInfo:
        spec = self.functions.get(node.name)
        if spec is None:
            if node.name in self.names:
                raise self.fail(
                    _('"%(name)s" không phải là hàm; bỏ dấu ngoặc') % {"name": node.name},
                    node.name_span,
                )
            raise self.fail(
                _('Không biết hàm "%(name)s"%(hint)s')
                % {"name": node.name, "hint": did_you_mean(node.name, self.functions)},
                node.name_span,
            )
        params = spec.signature.params
        if len(node.args) > len(params):
            extra = node.args[len(params)]
            raise self.fail(
                _("Hàm %(name)s nhận tối đa %(count)d đối số")
                % {"name": node.name, "count": len(params)}
                if params
                else _("Hàm %(name)s không nhận đối số nào") % {"name": node.name},
                extra.span,
            )
        bound: dict[str, tuple[Node, tuple[int, int]]] = {}
        for param, arg in zip(params, node.args, strict=False):
            bound[param.name] = (arg, arg.span)
        by_name = {param.name: param for param in params}
        for keyword in node.keywords:
            if keyword.name not in by_name:
                raise self.fail(
                    _('Hàm %(function)s không có đối số "%(name)s"%(hint)s')
                    % {
                        "function": node.name,
                        "name": keyword.name,
                        "hint": did_you_mean(keyword.name, by_name),
                    },
                    keyword.span,
                )
            if keyword.name in bound:
                raise self.fail(
                    _('Đối số "%(name)s" đã được cho ở vị trí trước') % {"name": keyword.name},
                    keyword.span,
                )
            bound[keyword.name] = (keyword.value, keyword.span)
        arguments: dict[str, object] = {}
        for param in params:
            if param.name not in bound:
                if param.default is NO_DEFAULT:
                    raise self.fail(
                        _("Hàm %(function)s còn thiếu đối số %(name)s (%(label)s)")
                        % {
                            "function": node.name,
                            "name": param.name,
                            "label": param.label or param.type.label,
                        },
                        node.span,
                    )
                arguments[param.name] = param.default
                continue
            arg, _span = bound[param.name]
            self.check_argument(node, param, arg)
            arguments[param.name] = arg
        info = NodeInfo(
            spec.signature.returns,
            arguments=arguments,
            integral=False,
            bound=spec.signature.bound,
            nullable=spec.signature.returns != BOOL,
        )
        if node.name == "date":
            info.constant = self.info[id(arguments["text"])].constant
        elif node.name == "abs":
            argument = self.info[id(arguments["x"])]
            info.integral = argument.integral
            info.bound = argument.bound
            info.nullable = argument.nullable
            if argument.is_constant:
                info.constant = abs(argument.constant)
        elif node.name == "today":
            info.nullable = False
        return self.record(node, info)

    def check_argument(self, call: Call, param: Param, arg: Node) -> None:
        if isinstance(param.type, Choice):
            if not isinstance(arg, String):
                raise self.fail(
                    _(
                        'Đối số %(name)s của %(function)s phải là một mã viết trong dấu nháy, ví dụ "%(example)s"'
                    )
                    % {
                        "name": param.name,
                        "function": call.name,
                        "example": next(iter(self.context.option_values(param.type)), "MA"),
                    },
                    arg.span,
                )
            option = self.choice_literal(param.type, arg)
            self.record(arg, NodeInfo(param.type, option.value))
            return
        info = self.visit(arg)
        if info.type != param.type:
            raise self.fail(
                _("Đối số %(name)s của %(function)s phải là %(expected)s, không phải %(found)s")
                % {
                    "name": param.name,
                    "function": call.name,
                    "expected": param.type.label,
                    "found": info.type.label,
                },
                arg.span,
            )
        if param.constant and not info.is_constant:
            raise self.fail(
                _("Đối số %(name)s của %(function)s phải là một giá trị cố định")
                % {"name": param.name, "function": call.name},
                arg.span,
            )
        if call.name == "date":
            value = parse_date(info.constant)
            if value is None:
                raise self.fail(
                    _('Ngày "%(text)s" không hợp lệ: viết theo dạng dd/mm/yyyy, ví dụ "01/07/2025"')
                    % {"text": info.constant},
                    arg.span,
                )
            info.constant = value
        if param.type == NUMBER and info.is_constant and param.constant and not info.integral:
            raise self.fail(
                _("Đối số %(name)s của %(function)s phải là số nguyên")
                % {"name": param.name, "function": call.name},
                arg.span,
            )

    def choice_literal(self, choice: Choice, node: String) -> Option:
        option = self.context.lookup_option(choice, node.value)
        if option is None:
            values = self.context.option_values(choice)
            hint = did_you_mean(node.value, self.context.option_spellings(choice))
            if not hint:
                shown = ", ".join(f'"{value}"' for value in values[:12])
                more = "…" if len(values) > 12 else ""
                hint = _(" — các giá trị: %(values)s%(more)s") % {"values": shown, "more": more}
            raise self.fail(
                _('Không có %(what)s "%(value)s"%(hint)s')
                % {"what": choice.label, "value": node.value, "hint": hint},
                node.span,
            )
        return option

    def visit_Negative(self, node: Negative) -> NodeInfo:
        info = self.visit(node.operand)
        if info.type != NUMBER:
            raise self.fail(
                _('Dấu "-" chỉ dùng trước một số, không dùng trước %(type)s')
                % {"type": info.type.label},
                node.span,
            )
        result = NodeInfo(NUMBER, integral=info.integral, bound=info.bound, nullable=info.nullable)
        if info.is_constant:
            result.constant = -info.constant
        return self.record(node, result)

    def visit_Arithmetic(self, node: Arithmetic) -> NodeInfo:
        left = self.visit(node.left)
        right = self.visit(node.right)
        for side in (left, right):
            if side.type != NUMBER:
                raise self.fail(
                    _('Phép "%(op)s" chỉ dùng với số; ở đây có %(type)s')
                    % {"op": node.op, "type": side.type.label},
                    node.op_span,
                )
        if node.op == "/" and right.is_constant and right.constant == 0:
            raise self.fail(_("Chia cho 0"), node.right.span)
        if node.op in "+-":
            bound = left.bound + right.bound
        elif node.op == "*":
            bound = left.bound * right.bound
        elif right.is_constant:
            bound = left.bound / abs(right.constant)
        else:
            bound = left.bound if right.integral else INFINITE
        result = NodeInfo(
            NUMBER,
            integral=left.integral and right.integral and node.op != "/",
            bound=bound,
            nullable=left.nullable or right.nullable or node.op == "/",
        )
        if left.is_constant and right.is_constant:
            result.constant = arithmetic(node.op, left.constant, right.constant)
            result.bound = abs(result.constant)
            result.nullable = False
        return self.record(node, result)

    def comparable(self, node: Compare, left: Node, right: Node, ordered: bool) -> None:
        """Check that `left op right` makes sense; canonicalise choice literals."""
        left_info = self.info[id(left)]
        right_info = self.info[id(right)]
        for one, other, other_info in (
            (left_info, right, right_info),
            (right_info, left, left_info),
        ):
            if isinstance(one.type, Choice) and not isinstance(other_info.type, Choice):
                if isinstance(other, String):
                    option = self.choice_literal(one.type, other)
                    self.info[id(other)] = NodeInfo(one.type, option.value)
                    other_info = self.info[id(other)]
                    if other is right:
                        right_info = other_info
                    else:
                        left_info = other_info
                elif other_info.type == STRING:
                    raise self.fail(
                        _("%(what)s chỉ so sánh được với một giá trị viết trong dấu nháy")
                        % {"what": one.type.label.capitalize()},
                        other.span,
                    )
        if left_info.type != right_info.type:
            raise self.fail(
                _("Không so sánh được %(left)s với %(right)s")
                % {"left": left_info.type.label, "right": right_info.type.label},
                node.op_span,
            )
        if ordered and left_info.type not in (NUMBER, DATE):
            raise self.fail(
                _('Phép "%(op)s" chỉ dùng cho số hoặc ngày, không dùng cho %(type)s')
                % {"op": node.op, "type": left_info.type.label},
                node.op_span,
            )

    def visit_Compare(self, node: Compare) -> NodeInfo:
        left = self.visit(node.left)
        if node.op in ("in", "not in"):
            if not isinstance(node.right, ListLiteral):
                raise self.fail(
                    _('Sau "%(op)s" phải là một danh sách trong ngoặc vuông, ví dụ ["a", "b"]')
                    % {"op": self.text[node.op_span[0] : node.op_span[1]]},
                    node.right.span,
                )
            constants = []
            for item in node.right.items:
                if isinstance(item, ListLiteral):
                    raise self.fail(_("Danh sách không được lồng trong danh sách"), item.span)
                self.visit(item)
                self.comparable(node, node.left, item, ordered=False)
                constants.append(self.info[id(item)])
            self.info[id(node.right)] = NodeInfo(left.type)
            result = NodeInfo(BOOL)
            left = self.info[id(node.left)]
            if left.is_constant and all(item.is_constant for item in constants):
                found = any(left.constant == item.constant for item in constants)
                result.constant = found if node.op == "in" else not found
            return self.record(node, result)
        self.visit(node.right)
        self.comparable(node, node.left, node.right, ordered=node.op not in ("=", "!="))
        left = self.info[id(node.left)]
        right = self.info[id(node.right)]
        result = NodeInfo(BOOL)
        if left.is_constant and right.is_constant:
            result.constant = compare(node.op, left.constant, right.constant)
        return self.record(node, result)

    def visit_Not(self, node: Not) -> NodeInfo:
        info = self.visit(node.operand)
        if info.type != BOOL:
            raise self.fail(
                _('"not" cần một điều kiện đúng/sai, nhưng ở đây là %(type)s')
                % {"type": info.type.label},
                node.operand.span,
            )
        result = NodeInfo(BOOL)
        if info.is_constant:
            result.constant = not info.constant
        return self.record(node, result)

    def visit_BoolOp(self, node: BoolOp) -> NodeInfo:
        infos = []
        for operand in node.operands:
            info = self.visit(operand)
            if info.type != BOOL:
                raise self.fail(
                    _('"%(op)s" nối các điều kiện đúng/sai, nhưng đây là %(type)s')
                    % {"op": node.op, "type": info.type.label},
                    operand.span,
                )
            infos.append(info)
        result = NodeInfo(BOOL)
        if all(info.is_constant for info in infos):
            values = [info.constant for info in infos]
            result.constant = all(values) if node.op == "and" else any(values)
        return self.record(node, result)


def arithmetic(op: str, left, right):
    """Exact decimal arithmetic (division to 28 significant digits); None for x / 0."""
    if left is None or right is None:
        return None
    with localcontext() as context:
        context.prec = 28
        try:
            if op == "+":
                return left + right
            if op == "-":
                return left - right
            if op == "*":
                return left * right
            if right == 0:
                return None
            return left / right
        except InvalidOperation:  # pragma: no cover - operands are finite decimals
            return None


def compare(op: str, left, right) -> bool | None:
    """`left op right`; None (unknown) when a side is unknown."""
    if left is None or right is None:
        return None
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def check(tree: Node, context: Context, text: str) -> Rule:
    return Checker(text, context).check_rule(tree)


def parse_rule(text: str, context: Context) -> Rule:
    """Parse and check `text` against `context`; RuleError on the first mistake."""
    return check(parse(text), context, text)
