"""Masking rules for personal data in export files (R22).

Every export column declares a `ColumnKind`; `mask(kind, value)` turns one cell into the text
written to the file. This module is the only place that knows how a kind is masked, so the
rules below are the whole policy.

| Kind | Shown | Example |
|---|---|---|
| `plain` | the value (not personal data) | `128.50` → `128.50` |
| `name`, person | first character + `**` | `张三丰` → `张**` |
| `name`, company | first 2 characters + `****` (6+ chars) | `阿里云计算有限公司` → `阿里****` |
| `phone`, mobile | first 3 + `****` + last 4 digits | `+86 138-1234-5678` → `138****5678` |
| `phone`, other | `****` + last 4 digits (8+ digits) | `010-6212 3456` → `****3456` |
| `email` | first char of local part + `***@` + domain | `zhangsan@qq.com` → `z***@qq.com` |
| `bank_account` | `**** ` + last 4 digits (8+ digits) | `6222021234567890` → `**** 7890` |
| `id_number` | first + 16 `*` + last (8+ chars) | `11010519491231002X` → `1****************X` |
| `address` | province/city (else 3 chars) + `****` | `浙江省杭州市文三路1号` → `浙江省杭州市****` |
| all but `plain` | `None`/blank → empty; short/malformed → `****` | `1234` as a phone → `****` |

A mobile is 11 digits starting `13`–`19`, optionally after `+86`, `0086` or `86`, with spaces,
dashes or brackets. A local part of one character is shown as `****@domain`. "N+" means the
rule shows anything only for values at least that long (digits, or characters after removing
spaces and dashes for IDs); shorter values get `****`. Addresses need 4+ hidden characters.

Why these choices:

- Every mask has a fixed width, so the output never tells how long the hidden part was
  (`张**` stands for 2-, 3- and 4-character names alike).
- A value is never shown whole. A rule keeps something only when enough stays hidden:
  at least 4 digits or characters for phones, bank accounts and addresses, i.e. as many
  as the last 4 digits shown; for names and emails the usual Chinese convention
  (one character hidden at least) applies. Anything shorter becomes `****`.
- Values are stripped first: surrounding whitespace is formatting, not data, and would
  otherwise become the "first character" that is kept.
- Blank stays blank: an empty cell holds no personal data, and "no phone on file" is worth
  telling apart from "a phone, masked".
- Values that do not look like their kind (an email without `@` and a dotted ASCII domain,
  a phone with fewer than 8 digits) get the full mask: a malformed value is no less personal.
- `phone` and `bank_account` only ever show digits (full-width digits are read as digits);
  any text around them (`ext.`, names in a notes field) is dropped.
- Mobiles must start `13`–`19`, the ranges in use; any other 11-digit number is "other".
  The `+86` prefix is dropped so that one column reads alike whatever was typed.
- Names: company names are less sensitive and hard to recognise from one character, so
  they keep two. A name is a company if it holds a company word (公司, 集团, 有限, 银行,
  事务所, ...; `Ltd`, `Inc`, `LLC`, `GmbH`, ... as whole words) or is longer than 6
  characters with no space, `·` or Latin letter (Chinese personal names are 2–4
  characters; long minority names are written with `·`, Latin names with spaces and a
  single long Latin word is more likely a given name). When unsure it is a person: the
  rule that shows less. Short company names (`华为公司`) use the person rule, or the kept
  two characters would be the whole brand.
- Email: the domain is kept (it tells a company mailbox from a private one and is shared
  by many people); the local part is the personal bit.
- ID numbers: the first character is only the region group, the last a check digit; the
  16-star mask gives an 18-character ID its familiar shape and is the same for passports
  or 15-digit IDs, so the type is not leaked by the width either.
- Addresses keep the province (省, 自治区, 特别行政区, ending within the first 8
  characters) and then a city (市 within the next 6 characters, which fits the longest
  city names such as 乌鲁木齐市), or a city alone (市 within the first 6 characters, e.g.
  北京市). The narrow windows stop a 市 deep in a street name (菜市场) from exposing the
  street. Otherwise the first 3 characters are kept (usually a district such as 朝阳区).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

# One mask for "nothing of this value can be shown". Same width for every kind so a
# fully masked cell does not tell which rule rejected the value.
FULL_MASK = "****"

_PERSON_MASK = "**"
_COMPANY_MASK = "****"
_EMAIL_MASK = "***@"
_ID_MASK = "*" * 16

# Digits and characters that must stay hidden besides those shown; see the module docstring.
_MIN_HIDDEN = 4
_MIN_COMPANY_LEN = 6
_LONG_NAME = 6
_MIN_ID_LEN = 8

# Full-width digits are what Chinese input methods often produce in forms; read them as
# digits so a full-width mobile is masked like an ASCII one instead of losing its digits.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９＋", "0123456789+")
# Separators people type inside a phone number. Deleted in the same C-level pass.
_PHONE_TABLE = str.maketrans("０１２３４５６７８９＋", "0123456789+", " -()\t\u3000（）－")
_NON_DIGITS = re.compile(r"[^0-9]+")
# Dotted ASCII labels; internationalized domains appear in punycode (xn--...) in mail data.
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MOBILE_SECOND_DIGITS = frozenset("3456789")

_COMPANY_WORDS_CJK = (
    "公司",
    "集团",
    "有限",
    "企业",
    "银行",
    "工作室",
    "事务所",
    "研究院",
    "研究所",
    "合作社",
    "协会",
    "基金会",
    "医院",
    "学校",
    "大学",
    "学院",
    "商行",
    "工厂",
)
# Whole words only: as substrings "inc" or "co" would match Vincent or Nicole.
_COMPANY_WORDS_LATIN = frozenset(
    {
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "llc",
        "corp",
        "corporation",
        "co",
        "company",
        "group",
        "gmbh",
        "plc",
        "pte",
        "bv",
        "ag",
    }
)
_WORD_SEPARATORS = str.maketrans({c: " " for c in ".,()&-/'\"（）"})
# A long name written with a separator (阿沛·阿旺晋美, John Smith) or in Latin letters
# (Alexander) is a person's name written out, not an unmarked Chinese company name.
_PERSON_NAME_HINTS = re.compile(r"[A-Za-z\s·•・]")

_PROVINCE_MARKERS = ("省", "自治区", "特别行政区")
_PROVINCE_WINDOW = 8
_CITY_MARKER = "市"
_CITY_WINDOW = 6
_ADDRESS_FALLBACK_KEEP = 3


class ColumnKind(enum.StrEnum):
    """What an export column holds, which decides how each of its cells is masked."""

    PLAIN = "plain"
    NAME = "name"  # a person's or a company's name
    PHONE = "phone"
    EMAIL = "email"
    BANK_ACCOUNT = "bank_account"
    ID_NUMBER = "id_number"
    ADDRESS = "address"


def mask_plain(s: str | None) -> str:
    return "" if s is None else s


def _is_company(name: str) -> bool:
    if any(word in name for word in _COMPANY_WORDS_CJK):
        return True
    if not _COMPANY_WORDS_LATIN.isdisjoint(name.lower().translate(_WORD_SEPARATORS).split()):
        return True
    return len(name) > _LONG_NAME and _PERSON_NAME_HINTS.search(name) is None


def mask_name(s: str | None) -> str:
    if s is None:
        return ""
    name = s.strip()
    if not name:
        return ""
    if len(name) >= _MIN_COMPANY_LEN and _is_company(name):
        return name[:2] + _COMPANY_MASK
    if len(name) >= 2:
        return name[0] + _PERSON_MASK
    return FULL_MASK


def _national_mobile(compact: str) -> str | None:
    """The 11-digit mainland mobile inside a separator-free phone, or None."""
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    elif len(compact) == 13 and compact.startswith("86"):
        # Without "+" the prefix is only unambiguous when the length says so.
        compact = compact[2:]
    if (
        len(compact) == 11
        and compact.isascii()
        and compact.isdigit()
        and compact[0] == "1"
        and compact[1] in _MOBILE_SECOND_DIGITS
    ):
        return compact
    return None


def mask_phone(s: str | None) -> str:
    if s is None:
        return ""
    s = s.strip()
    if not s:
        return ""
    mobile = _national_mobile(s.translate(_PHONE_TABLE))
    if mobile is not None:
        return mobile[:3] + "****" + mobile[-4:]
    digits = _NON_DIGITS.sub("", s.translate(_FULLWIDTH_DIGITS))
    if len(digits) >= 4 + _MIN_HIDDEN:
        return "****" + digits[-4:]
    return FULL_MASK


def mask_email(s: str | None) -> str:
    if s is None:
        return ""
    s = s.strip()
    if not s:
        return ""
    # The last "@" separates the domain: a quoted local part may itself contain "@".
    local, _, domain = s.rpartition("@")
    # The domain is shown verbatim, so it must really be a host name: in a malformed cell
    # ("张三 <zs@qq.com>", notes typed into the field) it could carry anything.
    # Whitespace anywhere means this is not a bare address.
    if not local or _DOMAIN.fullmatch(domain) is None or len(s.split(maxsplit=1)) > 1:
        return FULL_MASK
    if len(local) < 2:
        return "*" + _EMAIL_MASK + domain
    return local[0] + _EMAIL_MASK + domain


def mask_bank_account(s: str | None) -> str:
    if s is None:
        return ""
    s = s.strip()
    if not s:
        return ""
    digits = _NON_DIGITS.sub("", s.translate(_FULLWIDTH_DIGITS))
    if len(digits) >= 4 + _MIN_HIDDEN:
        return "**** " + digits[-4:]
    return FULL_MASK


def mask_id_number(s: str | None) -> str:
    if s is None:
        return ""
    # Grouping (110105 19491231 002X) is formatting: the kept characters must be data.
    compact = "".join(s.split()).replace("-", "")
    if not compact:
        return ""
    if len(compact) < _MIN_ID_LEN:
        return FULL_MASK
    return compact[0] + _ID_MASK + compact[-1]


def _address_prefix(address: str) -> int:
    """Length of the province/city prefix of `address`, or 0 if it has none."""
    end = 0
    first = -1
    for marker in _PROVINCE_MARKERS:
        # find() with an end bound: the marker must end within the window.
        i = address.find(marker, 0, _PROVINCE_WINDOW)
        if i != -1 and (first == -1 or i < first):
            first, end = i, i + len(marker)
    city = address.find(_CITY_MARKER, end, end + _CITY_WINDOW)
    if city != -1:
        end = city + 1
    return end


def mask_address(s: str | None) -> str:
    if s is None:
        return ""
    address = s.strip()
    if not address:
        return ""
    keep = _address_prefix(address) or _ADDRESS_FALLBACK_KEEP
    if len(address) - keep < _MIN_HIDDEN:
        return FULL_MASK
    return address[:keep] + "****"


_RULES: dict[ColumnKind, Callable[[str | None], str]] = {
    ColumnKind.PLAIN: mask_plain,
    ColumnKind.NAME: mask_name,
    ColumnKind.PHONE: mask_phone,
    ColumnKind.EMAIL: mask_email,
    ColumnKind.BANK_ACCOUNT: mask_bank_account,
    ColumnKind.ID_NUMBER: mask_id_number,
    ColumnKind.ADDRESS: mask_address,
}


def rule_for(kind: ColumnKind) -> Callable[[str | None], str]:
    """The masking function of `kind`; exporters may look it up once per column."""
    try:
        return _RULES[kind]
    except KeyError:
        raise ValueError(f"no masking rule for column kind {kind!r}") from None


def mask(kind: ColumnKind, value: object) -> str:
    """The text an export file may hold for `value` in a column of `kind` (R22)."""
    if value is None:
        return ""
    try:
        rule = _RULES[kind]
    except KeyError:
        raise ValueError(f"no masking rule for column kind {kind!r}") from None
    return rule(value if isinstance(value, str) else str(value))
