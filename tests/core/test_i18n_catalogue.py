"""The English catalogue: the language switch shows English, and the catalogue is complete.

Source strings are Vietnamese (docs/adr/0001); `src/ansinh/locale/en` translates them. The
completeness check tolerates a small share of untranslated entries so that strings added by
work in progress do not block the suite; the lead re-extracts and translates before release.
"""

import ast
import gettext
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

import ansinh

LOCALE_DIR = Path(ansinh.__file__).resolve().parent / "locale"
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"
MAX_UNTRANSLATED_SHARE = 0.02
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")

# Labels of base.html and the login page, in Vietnamese: none may show on an English page.
VIETNAMESE_CHROME = [
    "Đăng nhập",
    "Tên đăng nhập",
    "Mật khẩu",
    "Quên mật khẩu",
    "Đăng xuất",
    "Đổi mật khẩu",
    "Quản trị",
    "Mở menu",
    "Trang chủ",
    "Xin chào",
    "Vai trò và phạm vi của bạn",
    "Đơn vị hành chính",
    "Nhật ký kiểm tra",
]


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None
    msgctxt: str | None
    msgstrs: list[str]
    fuzzy: bool


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file as makemessages writes it (header first)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        fuzzy = False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[key] += ast.literal_eval(line)
                continue
            key, value = line.split(" ", 1)
            fields[key] = ast.literal_eval(value)
        if "msgid" not in fields:
            continue
        strs = [v for k, v in fields.items() if k == "msgstr" or k.startswith("msgstr[")]
        entries.append(
            Entry(fields["msgid"], fields.get("msgid_plural"), fields.get("msgctxt"), strs, fuzzy)
        )
    return entries


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_login_page_is_in_english_with_the_switch(client, db):
    response = english(client).get("/tai-khoan/dang-nhap/")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="en">' in html
    for label in ["Log in", "Username", "Password", "Forgot your password?"]:
        assert label in html
    assert [label for label in VIETNAMESE_CHROME if label in html] == []


def test_the_home_page_is_in_english_with_the_switch(personas, client_for):
    response = english(client_for(personas.city_admin)).get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    for label in [
        "<title>Home · ansinh</title>",
        "Hello",
        "Log out",
        "Change password",
        "Administration",
        "Audit log",
        "Administrative units",
        "Your roles and scope",
        "System administrator",
    ]:
        assert label in html
    assert [label for label in VIETNAMESE_CHROME if label in html] == []


def test_without_the_switch_the_home_page_stays_vietnamese(personas, client_for):
    html = client_for(personas.city_admin).get("/").content.decode()

    assert "Đăng xuất" in html
    assert "Log out" not in html


def test_the_catalogue_is_translated():
    entries = read_po(PO_FILE)[1:]
    untranslated = [e.msgid for e in entries if e.fuzzy or not all(e.msgstrs)]
    share = len(untranslated) / len(entries)

    print(f"English catalogue: {len(entries)} strings, {len(untranslated)} untranslated")
    assert share <= MAX_UNTRANSLATED_SHARE, (
        f"{len(untranslated)} of {len(entries)} strings have no English translation "
        f"(first ones: {untranslated[:10]})"
    )


def test_translations_keep_their_placeholders_and_plural_forms():
    wrong = []
    for e in read_po(PO_FILE)[1:]:
        if e.msgid_plural is not None and len(e.msgstrs) != 2:
            wrong.append((e.msgid, "plural forms", e.msgstrs))
        for msgstr in filter(None, e.msgstrs):
            expected = sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
            if e.msgid_plural is not None:
                expected = sorted(set(expected) | set(PLACEHOLDER.findall(e.msgid)))
                got = sorted(set(PLACEHOLDER.findall(msgstr)))
            else:
                got = sorted(PLACEHOLDER.findall(msgstr))
            if got != expected:
                wrong.append((e.msgid, expected, got))

    assert wrong == []


def test_the_compiled_catalogue_matches_the_po_file():
    """A .po translated but not compiled shows Vietnamese: run `ansinh compilemessages`."""
    if not MO_FILE.exists():
        pytest.fail(f"{MO_FILE} is missing: run `ansinh compilemessages`")
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    stale = []
    for e in read_po(PO_FILE)[1:]:
        if e.fuzzy or not all(e.msgstrs):
            continue
        if e.msgid_plural is None:
            got = compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt else compiled.gettext(e.msgid)
            if got != e.msgstrs[0]:
                stale.append(e.msgid)
        elif compiled.ngettext(e.msgid, e.msgid_plural, 2) != e.msgstrs[1]:
            stale.append(e.msgid)

    assert stale == []
