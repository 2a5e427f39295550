"""Lexer and recursive-descent parser of the rule language (text → `nodes` tree).

Grammar, loosest binding first::

    rule        := or
    or          := and (("or" | "hoặc") and)*
    and         := not (("and" | "và") not)*
    not         := ("not" | "không") not | comparison
    comparison  := sum [compare_op sum]          # no chains: a < b < c is refused
    compare_op  := "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "thuộc"
                 | ("not" | "không") ("in" | "thuộc")
    sum         := product (("+" | "-") product)*
    product     := unary (("*" | "/") unary)*
    unary       := "-" unary | "+" unary | primary
    primary     := NUMBER | STRING | "true" | "false" | "đúng" | "sai"
                 | NAME | NAME "(" [arguments] ")" | "(" rule ")" | "[" [items] "]"
    arguments   := (rule | NAME "=" rule) ("," ...)* [","]

Nothing else is accepted: no attribute access, subscripts, lambdas, operators beyond the
above or names starting with "_". Keywords are case-insensitive; names are case-sensitive
ASCII. The text and the nesting depth are bounded so a hostile rule cannot exhaust memory or
the stack. Parsing never runs anything: it only builds the tree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .errors import RuleError
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

MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_DIGITS = 15
MAX_STRING = 200

KEYWORDS = {
    "and": "and",
    "và": "and",
    "or": "or",
    "hoặc": "or",
    "not": "not",
    "không": "not",
    "in": "in",
    "thuộc": "in",
    "true": "true",
    "đúng": "true",
    "false": "false",
    "sai": "false",
}
# Python words someone may try; refused by name rather than as an unknown function.
PYTHON_WORDS = {
    "lambda", "import", "def", "class", "for", "while", "if", "else", "elif", "is", "yield",
    "return", "with", "from", "as", "del", "global", "nonlocal", "assert", "raise", "try",
    "except", "finally", "pass", "async", "await", "none",
}  # fmt: skip
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3}){2,}|\d{1,3}\.\d{3}(?=[.,]\d)")
SYMBOL_HINTS = {
    "&": _lazy("dùng and (và)"),
    "|": _lazy("dùng or (hoặc)"),
    "!": _lazy("dùng not (không)"),
    "%": _lazy("không có phép chia lấy dư"),
    "^": _lazy("không có phép lũy thừa"),
    "~": _lazy("dùng not (không)"),
}
SMART_QUOTES = "“”‘’„«»"
ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t"}


@dataclass(frozen=True)
class Token:
    kind: str  # number string name keyword op ( ) [ ] , error end
    value: object
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`; a lexical mistake becomes an `error` token that the parser
    raises when it reaches it (so mistakes are reported in reading order)."""
    tokens: list[Token] = []
    at = 0
    length = len(text)

    def error(message: str, start: int, end: int | None = None) -> list[Token]:
        tokens.append(Token("error", message, start, end if end is not None else start + 1))
        return tokens

    while at < length:
        char = text[at]
        if char.isspace():
            at += 1
            continue
        start = at
        if char.isdigit():
            match = THOUSANDS_RE.match(text, at)
            if match:
                plain = match.group(0).replace(".", "")
                return error(
                    _(
                        'Số "%(number)s" viết có dấu chấm phân cách hàng nghìn; '
                        "hãy viết liền: %(plain)s (dấu chấm là dấu thập phân)"
                    )
                    % {"number": match.group(0), "plain": plain},
                    start,
                    match.end(),
                )
            while at < length and text[at].isdigit():
                at += 1
            if at < length and text[at] == ".":
                if at + 1 < length and text[at + 1].isdigit():
                    at += 1
                    while at < length and text[at].isdigit():
                        at += 1
                else:
                    return error(_("Sau dấu chấm thập phân phải có chữ số"), at)
            if at < length and (text[at].isalpha() or text[at] == "_" or text[at] == "."):
                return error(_("Số không được viết liền với chữ hoặc dấu chấm"), at)
            literal = text[start:at]
            digits = literal.replace(".", "").lstrip("0")
            if len(literal.split(".")[0].lstrip("0")) > MAX_DIGITS or len(digits) > MAX_DIGITS:
                return error(
                    _("Số quá lớn: tối đa %(digits)d chữ số") % {"digits": MAX_DIGITS}, start, at
                )
            tokens.append(Token("number", Decimal(literal), start, at))
            continue
        if char in "\"'":
            at += 1
            chars: list[str] = []
            while True:
                if at >= length or text[at] == "\n":
                    return error(
                        _("Chuỗi chưa có dấu nháy đóng %(quote)s") % {"quote": char}, start
                    )
                current = text[at]
                if current == char:
                    at += 1
                    break
                if current == "\\":
                    escaped = text[at + 1 : at + 2]
                    if escaped not in ESCAPES:
                        return error(
                            _('Ký tự thoát "\\%(char)s" không hợp lệ; dùng \\" \\\\ \\n hoặc \\t')
                            % {"char": escaped},
                            at,
                            at + 2,
                        )
                    chars.append(ESCAPES[escaped])
                    at += 2
                    continue
                chars.append(current)
                at += 1
            value = unicodedata.normalize("NFC", "".join(chars))
            if len(value) > MAX_STRING:
                return error(
                    _("Chuỗi quá dài: tối đa %(count)d ký tự") % {"count": MAX_STRING}, start, at
                )
            tokens.append(Token("string", value, start, at))
            continue
        if char in SMART_QUOTES:
            return error(
                _('Dùng dấu nháy thẳng " thay cho dấu nháy cong %(quote)s') % {"quote": char}, at
            )
        if char.isalpha() or char == "_":
            while at < length and (text[at].isalnum() or text[at] == "_"):
                at += 1
            # Combining marks typed after a letter (decomposed Vietnamese) belong to the word.
            while at < length and unicodedata.combining(text[at]):
                at += 1
                while at < length and (text[at].isalnum() or text[at] == "_"):
                    at += 1
            word = unicodedata.normalize("NFC", text[start:at])
            lowered = word.lower()
            if lowered in KEYWORDS:
                tokens.append(Token("keyword", KEYWORDS[lowered], start, at))
            elif word.startswith("_"):
                return error(_("Tên không được bắt đầu bằng dấu gạch dưới"), start, at)
            elif lowered in PYTHON_WORDS:
                return error(
                    _('"%(word)s" không có trong ngôn ngữ quy tắc') % {"word": word}, start, at
                )
            elif not NAME_RE.match(word):
                return error(
                    _(
                        'Tên "%(word)s" không hợp lệ: tên chỉ gồm chữ cái không dấu, '
                        "chữ số và dấu gạch dưới"
                    )
                    % {"word": word},
                    start,
                    at,
                )
            else:
                tokens.append(Token("name", word, start, at))
            continue
        two = text[at : at + 2]
        if two in ("==", "!=", "<=", ">="):
            tokens.append(Token("op", "=" if two == "==" else two, start, at + 2))
            at += 2
            continue
        if two == "<>":
            return error(_('Dùng "!=" cho "khác"'), start, start + 2)
        if two == "**":
            return error(_("Không có phép lũy thừa"), start, start + 2)
        if two in ("&&", "||"):
            return error(
                _('Ký tự "%(symbol)s" không dùng được: %(hint)s')
                % {"symbol": two, "hint": SYMBOL_HINTS[char]},
                start,
                start + 2,
            )
        if char in "=<>+-*/":
            tokens.append(Token("op", char, start, at + 1))
            at += 1
            continue
        if char in "()[],":
            tokens.append(Token(char, char, start, at + 1))
            at += 1
            continue
        if char == ".":
            return error(_("Không được dùng dấu chấm (truy cập thuộc tính)"), at)
        if char in SYMBOL_HINTS:
            return error(
                _('Ký tự "%(symbol)s" không dùng được: %(hint)s')
                % {"symbol": char, "hint": SYMBOL_HINTS[char]},
                at,
            )
        return error(_('Ký tự "%(symbol)s" không được dùng trong quy tắc') % {"symbol": char}, at)
    tokens.append(Token("end", None, length, length))
    return tokens


COMPARE_OPS = {"=", "!=", "<", "<=", ">", ">="}
SHOWN = {"end": _lazy("cuối biểu thức")}


class Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    # --- token helpers ------------------------------------------------------------------

    def fail(self, message: str, start: int, end: int | None = None) -> RuleError:
        return RuleError(message, text=self.text, start=start, end=end)

    def peek(self, ahead: int = 0) -> Token:
        index = min(self.index + ahead, len(self.tokens) - 1)
        for token in self.tokens[self.index : index + 1]:
            if token.kind == "error":
                raise self.fail(token.value, token.start, token.end)
        return self.tokens[index]

    def advance(self) -> Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at(self, kind: str, value: object = None) -> bool:
        token = self.peek()
        return token.kind == kind and (value is None or token.value == value)

    def shown(self, token: Token) -> str:
        if token.kind == "end":
            return _("cuối biểu thức")
        return f'"{self.text[token.start : token.end]}"'

    def unexpected(self, token: Token, expected: str) -> RuleError:
        if token.kind == "end":
            return self.fail(
                _("Biểu thức kết thúc đột ngột: còn thiếu %(expected)s") % {"expected": expected},
                token.start,
            )
        return self.fail(
            _("Không mong đợi %(found)s ở đây: cần %(expected)s")
            % {"found": self.shown(token), "expected": expected},
            token.start,
            token.end,
        )

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(
                _("Biểu thức lồng nhau quá sâu (tối đa %(depth)d cấp)") % {"depth": MAX_DEPTH},
                token.start,
                token.end,
            )

    def leave(self) -> None:
        self.depth -= 1

    # --- grammar ------------------------------------------------------------------------

    def parse(self) -> Node:
        if len(self.text) > MAX_LENGTH:
            raise self.fail(
                _("Quy tắc quá dài: tối đa %(count)s ký tự")
                % {"count": f"{MAX_LENGTH:,}".replace(",", ".")},
                MAX_LENGTH,
                len(self.text),
            )
        if not self.text.strip():
            raise RuleError(_("Quy tắc đang trống"), text=self.text)
        node = self.parse_or()
        token = self.peek()
        if token.kind != "end":
            if token.kind == ")":
                raise self.fail(_('Thừa dấu đóng ngoặc ")"'), token.start, token.end)
            if token.kind in ("number", "string", "name", "(", "[") or (
                token.kind == "keyword" and token.value in ("true", "false", "not")
            ):
                raise self.fail(
                    _("Thiếu phép toán hoặc and/or trước %(found)s") % {"found": self.shown(token)},
                    token.start,
                    token.end,
                )
            raise self.unexpected(token, _("and, or hoặc một phép so sánh"))
        check_depth(node, self.text)
        return node

    def parse_or(self) -> Node:
        return self.parse_bool("or", self.parse_and)

    def parse_and(self) -> Node:
        return self.parse_bool("and", self.parse_not)

    def parse_bool(self, op: str, operand) -> Node:
        first = operand()
        operands = [first]
        while self.at("keyword", op):
            self.advance()
            operands.append(operand())
        if len(operands) == 1:
            return first
        return BoolOp(op, tuple(operands), span=(first.span[0], operands[-1].span[1]))

    def parse_not(self) -> Node:
        token = self.peek()
        if token.kind == "keyword" and token.value == "not":
            self.advance()
            self.enter(token)
            operand = self.parse_not()
            self.leave()
            return Not(operand, span=(token.start, operand.span[1]))
        return self.parse_comparison()

    def compare_op(self) -> tuple[str, int, int] | None:
        token = self.peek()
        if token.kind == "op" and token.value in COMPARE_OPS:
            return token.value, token.start, token.end
        if token.kind == "keyword" and token.value == "in":
            return "in", token.start, token.end
        if token.kind == "keyword" and token.value == "not":
            following = self.peek(1)
            if following.kind == "keyword" and following.value == "in":
                return "not in", token.start, following.end
            raise self.fail(
                _(
                    '"%(word)s" ở đây phải đi với "in"/"thuộc" (không thuộc); '
                    'để phủ định cả điều kiện, đặt "not" ở đầu'
                )
                % {"word": self.text[token.start : token.end]},
                token.start,
                token.end,
            )
        return None

    def parse_comparison(self) -> Node:
        left = self.parse_sum()
        found = self.compare_op()
        if found is None:
            return left
        op, op_start, op_end = found
        self.advance()
        if op == "not in":
            self.advance()
        right = self.parse_sum()
        node = Compare(
            op, left, right, span=(left.span[0], right.span[1]), op_span=(op_start, op_end)
        )
        again = self.compare_op()
        if again is not None:
            raise self.fail(
                _("Không nối hai phép so sánh liền nhau; tách bằng and, ví dụ: a < b and b < c"),
                again[1],
                again[2],
            )
        return node

    def parse_sum(self) -> Node:
        node = self.parse_product()
        while self.at("op", "+") or self.at("op", "-"):
            token = self.advance()
            right = self.parse_product()
            node = Arithmetic(
                token.value,
                node,
                right,
                span=(node.span[0], right.span[1]),
                op_span=(token.start, token.end),
            )
        return node

    def parse_product(self) -> Node:
        node = self.parse_unary()
        while self.at("op", "*") or self.at("op", "/"):
            token = self.advance()
            right = self.parse_unary()
            node = Arithmetic(
                token.value,
                node,
                right,
                span=(node.span[0], right.span[1]),
                op_span=(token.start, token.end),
            )
        return node

    def parse_unary(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.value in ("-", "+"):
            self.advance()
            self.enter(token)
            operand = self.parse_unary()
            self.leave()
            if token.value == "+":
                return operand
            if isinstance(operand, Number):
                return Number(-operand.value, span=(token.start, operand.span[1]))
            return Negative(operand, span=(token.start, operand.span[1]))
        return self.parse_postfix()

    def parse_postfix(self) -> Node:
        node = self.parse_primary()
        token = self.peek()
        if token.kind == "[":
            raise self.fail(_("Không được dùng chỉ số [ ] sau một giá trị"), token.start, token.end)
        if token.kind == "(":
            raise self.fail(
                _('Chỉ gọi được hàm bằng tên của hàm, ví dụ has("HO_NGHEO")'),
                token.start,
                token.end,
            )
        return node

    def parse_primary(self) -> Node:
        token = self.peek()
        span = (token.start, token.end)
        if token.kind == "number":
            self.advance()
            return Number(token.value, span=span)
        if token.kind == "string":
            self.advance()
            return String(token.value, span=span)
        if token.kind == "keyword" and token.value in ("true", "false"):
            self.advance()
            return Boolean(token.value == "true", span=span)
        if token.kind == "name":
            self.advance()
            if self.at("("):
                return self.parse_call(token)
            return Name(token.value, span=span)
        if token.kind == "(":
            self.advance()
            if self.at(")"):
                closing = self.peek()
                raise self.fail(
                    _("Cặp ngoặc rỗng: cần một biểu thức trong ngoặc"), token.start, closing.end
                )
            self.enter(token)
            inner = self.parse_or()
            self.leave()
            self.expect_closing(")", token)
            return inner
        if token.kind == "[":
            return self.parse_list(token)
        if token.kind == "op" and token.value in COMPARE_OPS:
            raise self.fail(_("Thiếu giá trị bên trái phép so sánh"), token.start, token.end)
        raise self.unexpected(token, _("một giá trị (số, chuỗi, tên, hàm hoặc ngoặc)"))

    def expect_closing(self, kind: str, opening: Token) -> Token:
        token = self.peek()
        if token.kind == kind:
            return self.advance()
        column = opening.start - (self.text.rfind("\n", 0, opening.start) + 1) + 1
        if token.kind == "end":
            raise self.fail(
                _('Thiếu dấu đóng "%(closing)s" cho dấu "%(opening)s" mở ở đây')
                % {"closing": kind, "opening": opening.kind},
                opening.start,
                opening.end,
            )
        raise self.fail(
            _('Cần dấu đóng "%(closing)s" (mở ở cột %(column)d) nhưng gặp %(found)s')
            % {"closing": kind, "column": column, "found": self.shown(token)},
            token.start,
            token.end,
        )

    def parse_list(self, opening: Token) -> Node:
        self.advance()
        self.enter(opening)
        items: list[Node] = []
        while not self.at("]"):
            items.append(self.parse_or())
            if self.at(","):
                self.advance()
            elif not self.at("]"):
                token = self.peek()
                if token.kind == "end":
                    self.expect_closing("]", opening)
                raise self.unexpected(token, _('dấu "," hoặc "]"'))
        closing = self.advance()
        self.leave()
        return ListLiteral(tuple(items), span=(opening.start, closing.end))

    def parse_call(self, name: Token) -> Node:
        opening = self.advance()
        self.enter(opening)
        args: list[Node] = []
        keywords: list[Keyword] = []
        while not self.at(")"):
            token = self.peek()
            following = self.peek(1)
            if (
                token.kind == "name"
                and following.kind == "op"
                and following.value == "="
                and (self.text[following.start : following.end] == "=")
            ):
                self.advance()
                self.advance()
                value = self.parse_or()
                if any(keyword.name == token.value for keyword in keywords):
                    raise self.fail(
                        _('Đối số "%(name)s" được ghi hai lần') % {"name": token.value},
                        token.start,
                        token.end,
                    )
                keywords.append(Keyword(token.value, value, span=(token.start, token.end)))
            else:
                value = self.parse_or()
                if keywords:
                    raise self.fail(
                        _("Đối số không tên phải đứng trước các đối số có tên"), *value.span
                    )
                args.append(value)
            if self.at(","):
                self.advance()
            elif not self.at(")"):
                token = self.peek()
                if token.kind == "end":
                    self.expect_closing(")", opening)
                raise self.unexpected(token, _('dấu "," hoặc ")"'))
        closing = self.advance()
        self.leave()
        return Call(
            name.value,
            tuple(args),
            tuple(keywords),
            span=(name.start, closing.end),
            name_span=(name.start, name.end),
        )


def check_depth(root: Node, text: str) -> None:
    """Refuse trees deeper than MAX_DEPTH (long arithmetic chains nest without brackets)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise RuleError(
                _("Biểu thức lồng nhau quá sâu (tối đa %(depth)d cấp)") % {"depth": MAX_DEPTH},
                text=text,
                start=node.span[0],
                end=node.span[1],
            )
        stack.extend((child, depth + 1) for child in node.children())


def parse(text: str) -> Node:
    """The tree of `text`, or RuleError pointing at the first mistake."""
    return Parser(text).parse()
