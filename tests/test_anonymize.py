"""Masking rules for exported personal data (R22).

Example tests pin each documented rule; property tests show that what a rule hides never
reaches the output, for arbitrary text and for realistic values.

Vocabulary used below: the *kept* pieces of a value are what its rule may show (plus the
fixed separators the format adds, such as the `@` of an email); everything else of the input
is *hidden*. The central property is `assert_reveals_only`: no run of 3 or more consecutive
input characters appears in the output unless it lies inside a kept piece.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from partner_center.core.anonymize import (
    FULL_MASK,
    ColumnKind,
    mask,
    mask_address,
    mask_bank_account,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    rule_for,
)

SPECIFIC: dict[ColumnKind, Callable[[str | None], str]] = {
    ColumnKind.NAME: mask_name,
    ColumnKind.PHONE: mask_phone,
    ColumnKind.EMAIL: mask_email,
    ColumnKind.BANK_ACCOUNT: mask_bank_account,
    ColumnKind.ID_NUMBER: mask_id_number,
    ColumnKind.ADDRESS: mask_address,
}
PERSONAL_KINDS = [k for k in ColumnKind if k is not ColumnKind.PLAIN]


# --- helpers ------------------------------------------------------------------------------


def digits_of(s: str) -> str:
    """The digits of `s` as the rules read them: ASCII and full-width 0-9, in order."""
    out = []
    for c in s:
        if "0" <= c <= "9":
            out.append(c)
        elif "０" <= c <= "９":
            out.append(chr(ord(c) - ord("０") + ord("0")))
    return "".join(out)


def assert_reveals_only(original: str, masked: str, kept: list[str]) -> None:
    """R22: no run of >= 3 consecutive characters of `original` shows in `masked` unless it
    also occurs in a kept piece. Runs holding `*` are skipped: they cannot be told from the
    mask itself."""
    n = len(original)
    for i in range(n - 2):
        for j in range(i + 3, n + 1):
            run = original[i:j]
            if "*" in run:
                break
            if run in masked:
                assert any(run in piece for piece in kept), (
                    f"{run!r} of {original!r} leaked into {masked!r} (kept: {kept!r})"
                )


# --- strategies ---------------------------------------------------------------------------

# Characters that steer the rules (digits, separators, markers) mixed with anything at all,
# so that random text reaches every branch rather than only "not shaped like anything".
_STEERING = list("0123456789０１９+-() .@\t省市自治区特别行政公司集团有限张王李LtdInc xX")
any_text = st.text(
    alphabet=st.one_of(st.sampled_from(_STEERING), st.characters()),
    max_size=40,
)
digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=30)
# Arbitrary text with enough digits to be shown in part as a phone or a bank account.
text_with_8_digits = st.builds(
    lambda before, digits, after: before + digits + after,
    any_text,
    st.text(alphabet="0123456789０９ -", min_size=8, max_size=20),
    any_text,
)
# Arbitrary text around a run of 4+ digits, so it surely holds that many.
text_with_4_digits = st.builds(
    lambda before, digits, after: before + digits + after,
    any_text,
    st.text(alphabet="0123456789", min_size=4, max_size=12),
    any_text,
)
# Characters of common Chinese personal names; none is part of a company word.
_NAME_CHARS = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭"
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红鹏"
)
person_names = st.text(alphabet=_NAME_CHARS, min_size=2, max_size=4)
company_suffixes = st.sampled_from(["有限公司", "科技有限公司", "集团", "股份有限公司", "银行"])
mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
MOBILE_FORMATS: list[Callable[[str], str]] = [
    lambda n: n,
    lambda n: "+86" + n,
    lambda n: "+86 " + n,
    lambda n: "86" + n,
    lambda n: "0086" + n,
    lambda n: f"{n[:3]}-{n[3:7]}-{n[7:]}",
    lambda n: f"{n[:3]} {n[3:7]} {n[7:]}",
    lambda n: f"+86 {n[:3]} {n[3:7]} {n[7:]}",
    lambda n: f"(+86) {n}",
    lambda n: f"  {n}\t",
    lambda n: n.translate(_FULLWIDTH),
]
bank_accounts = st.text(alphabet="0123456789", min_size=16, max_size=19)
id_numbers = st.builds(
    lambda region, body, check: region + body + check,
    st.sampled_from("123456"),
    st.text(alphabet="0123456789", min_size=16, max_size=16),
    st.sampled_from("0123456789Xx"),
)
email_locals = st.text(
    alphabet=string.ascii_letters + string.digits + "._+-", min_size=1, max_size=30
)
email_domains = st.lists(
    st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=12),
    min_size=2,
    max_size=4,
).map(".".join)
# Arbitrary text on either side of an "@", the right side sometimes a valid domain.
text_with_at = st.builds(
    lambda local, domain: f"{local}@{domain}",
    any_text,
    st.one_of(any_text, email_domains, st.builds(lambda d, t: d + t, email_domains, any_text)),
)
# (province, city) prefixes an address may start with; the rule keeps exactly these.
PLACES = [
    ("广东省", "深圳市"),
    ("浙江省", "杭州市"),
    ("河北省", "石家庄市"),
    ("新疆维吾尔自治区", "乌鲁木齐市"),
    ("内蒙古自治区", "呼和浩特市"),
    ("香港特别行政区", ""),
    ("云南省", ""),
    ("", "北京市"),
    ("", "上海市"),
]
# Street-level text: no 市, 省 or 自治区, so the rest never looks like a prefix.
address_rests = st.text(
    alphabet="区县路街道号栋单元室朝阳海淀南山西湖文三中人民建设0123456789", min_size=4, max_size=24
)


# --- examples -----------------------------------------------------------------------------

EXAMPLES = [
    # names: persons
    (ColumnKind.NAME, "张三", "张**"),
    (ColumnKind.NAME, "张三丰", "张**"),
    (ColumnKind.NAME, "欧阳娜娜", "欧**"),
    (ColumnKind.NAME, "  李四 ", "李**"),
    (ColumnKind.NAME, "阿沛·阿旺晋美", "阿**"),
    (ColumnKind.NAME, "John Smith", "J**"),
    (ColumnKind.NAME, "Alexander", "A**"),
    (ColumnKind.NAME, "Vincent Lincoln", "V**"),
    (ColumnKind.NAME, "张", FULL_MASK),
    # names: companies
    (ColumnKind.NAME, "阿里云计算有限公司", "阿里****"),
    (ColumnKind.NAME, "中国工商银行股份有限公司", "中国****"),
    (ColumnKind.NAME, "阿里巴巴网络技术", "阿里****"),
    (ColumnKind.NAME, "Acme Widgets Ltd.", "Ac****"),
    (ColumnKind.NAME, "Globex, Inc", "Gl****"),
    (ColumnKind.NAME, "华为公司", "华**"),
    # phones: mobiles
    (ColumnKind.PHONE, "13812345678", "138****5678"),
    (ColumnKind.PHONE, "+8613812345678", "138****5678"),
    (ColumnKind.PHONE, "+86 138-1234-5678", "138****5678"),
    (ColumnKind.PHONE, "86 138 1234 5678", "138****5678"),
    (ColumnKind.PHONE, "008613812345678", "138****5678"),
    (ColumnKind.PHONE, "（+86）13812345678", "138****5678"),
    (ColumnKind.PHONE, "１３８１２３４５６７８", "138****5678"),
    (ColumnKind.PHONE, "19912345678", "199****5678"),
    # phones: others
    (ColumnKind.PHONE, "12012345678", "****5678"),
    (ColumnKind.PHONE, "010-6212 3456", "****3456"),
    (ColumnKind.PHONE, "+1 (415) 555-0100", "****0100"),
    (ColumnKind.PHONE, "138 1234 5678 ext. 9", "****6789"),
    (ColumnKind.PHONE, "12345678", "****5678"),
    (ColumnKind.PHONE, "1234567", FULL_MASK),
    (ColumnKind.PHONE, "5678", FULL_MASK),
    (ColumnKind.PHONE, "call me", FULL_MASK),
    # emails
    (ColumnKind.EMAIL, "zhangsan@qq.com", "z***@qq.com"),
    (ColumnKind.EMAIL, " Li.Si+bills@example.com.cn ", "L***@example.com.cn"),
    (ColumnKind.EMAIL, "ab@163.com", "a***@163.com"),
    (ColumnKind.EMAIL, "a@163.com", "****@163.com"),
    (ColumnKind.EMAIL, '"x@y"@example.org', '"***@example.org'),
    (ColumnKind.EMAIL, "zhangsan", FULL_MASK),
    (ColumnKind.EMAIL, "zhangsan@localhost", FULL_MASK),
    (ColumnKind.EMAIL, "@qq.com", FULL_MASK),
    (ColumnKind.EMAIL, "zhangsan@qq.", FULL_MASK),
    (ColumnKind.EMAIL, "张三 <zhangsan@qq.com>", FULL_MASK),
    (ColumnKind.EMAIL, "zs@qq.com<张三>", FULL_MASK),
    (ColumnKind.EMAIL, "zs@例子.中国", FULL_MASK),
    (ColumnKind.EMAIL, "zs@xn--fsqu00a.xn--fiqs8s", "z***@xn--fsqu00a.xn--fiqs8s"),
    # bank accounts
    (ColumnKind.BANK_ACCOUNT, "6222021234567890", "**** 7890"),
    (ColumnKind.BANK_ACCOUNT, "6222 0212 3456 7890 123", "**** 0123"),
    (ColumnKind.BANK_ACCOUNT, "GB82 WEST 1234 5698 7654 32", "**** 5432"),
    (ColumnKind.BANK_ACCOUNT, "12345678", "**** 5678"),
    (ColumnKind.BANK_ACCOUNT, "1234567", FULL_MASK),
    (ColumnKind.BANK_ACCOUNT, "1234", FULL_MASK),
    # ID numbers
    (ColumnKind.ID_NUMBER, "11010519491231002X", "1" + "*" * 16 + "X"),
    (ColumnKind.ID_NUMBER, "11010519491231002x", "1" + "*" * 16 + "x"),
    (ColumnKind.ID_NUMBER, "110105 19491231 0021", "1" + "*" * 16 + "1"),
    (ColumnKind.ID_NUMBER, "110105-19491231-0021", "1" + "*" * 16 + "1"),
    (ColumnKind.ID_NUMBER, "110105491231002", "1" + "*" * 16 + "2"),
    (ColumnKind.ID_NUMBER, "E12345678", "E" + "*" * 16 + "8"),
    (ColumnKind.ID_NUMBER, "1234567", FULL_MASK),
    (ColumnKind.ID_NUMBER, "---", ""),
    # addresses
    (ColumnKind.ADDRESS, "广东省深圳市南山区科技园路1号", "广东省深圳市****"),
    (
        ColumnKind.ADDRESS,
        "新疆维吾尔自治区乌鲁木齐市天山区人民路",
        "新疆维吾尔自治区乌鲁木齐市****",
    ),
    (ColumnKind.ADDRESS, "香港特别行政区中环皇后大道中1号", "香港特别行政区****"),
    (ColumnKind.ADDRESS, "云南省西双版纳傣族自治州景洪市", "云南省****"),
    (ColumnKind.ADDRESS, "湖南省长沙县星沙街道市场路5号", "湖南省****"),
    (ColumnKind.ADDRESS, "北京市朝阳区建国路88号", "北京市****"),
    (ColumnKind.ADDRESS, "朝阳区建国路菜市场88号", "朝阳区****"),
    (ColumnKind.ADDRESS, "1600 Amphitheatre Parkway", "160****"),
    (ColumnKind.ADDRESS, "广东省深圳市南山区", FULL_MASK),
    (ColumnKind.ADDRESS, "北京市", FULL_MASK),
    (ColumnKind.ADDRESS, "中关村大街", FULL_MASK),
    # plain
    (ColumnKind.PLAIN, "128.50", "128.50"),
]


@pytest.mark.parametrize(("kind", "value", "expected"), EXAMPLES)
def test_r22_examples(kind: ColumnKind, value: str, expected: str) -> None:
    assert mask(kind, value) == expected


@pytest.mark.parametrize("kind", list(ColumnKind))
def test_none_empty_and_blank_are_empty_for_every_kind(kind: ColumnKind) -> None:
    assert mask(kind, None) == ""
    assert mask(kind, "") == ""
    if kind is not ColumnKind.PLAIN:
        assert mask(kind, " \t\u3000 ") == ""


@pytest.mark.parametrize("kind", PERSONAL_KINDS)
def test_specific_functions_accept_none(kind: ColumnKind) -> None:
    assert SPECIFIC[kind](None) == ""


def test_plain_is_str_of_the_value() -> None:
    assert mask(ColumnKind.PLAIN, 42) == "42"
    assert mask(ColumnKind.PLAIN, " x ") == " x "


def test_non_string_values_are_masked_as_their_text() -> None:
    assert mask(ColumnKind.PHONE, 13812345678) == "138****5678"
    assert mask(ColumnKind.BANK_ACCOUNT, 6222021234567890) == "**** 7890"


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (ColumnKind.NAME, ["张三", "张三丰", "张大大三"]),
        (ColumnKind.NAME, ["阿里云计算有限公司", "阿里巴巴集团控股有限公司"]),
        (ColumnKind.PHONE, ["12345678", "010-12345678", "+44 20 1234 5678"]),
        (ColumnKind.EMAIL, ["ab@qq.com", "abcdefghijklmnop@qq.com"]),
        (ColumnKind.BANK_ACCOUNT, ["12345678", "6222021234565678"]),
        (ColumnKind.ID_NUMBER, ["1234567X", "11010519491231002X", "110105491231002X"]),
    ],
)
def test_r22_mask_width_does_not_leak_length(kind: ColumnKind, values: list[str]) -> None:
    assert len({mask(kind, v) for v in values}) == 1


# --- dispatch -----------------------------------------------------------------------------


def test_every_column_kind_has_a_rule() -> None:
    for kind in ColumnKind:
        assert callable(rule_for(kind))
        assert isinstance(mask(kind, "13812345678"), str)
    assert set(SPECIFIC) | {ColumnKind.PLAIN} == set(ColumnKind)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="no masking rule"):
        mask("salary", "1000")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no masking rule"):
        rule_for("salary")  # type: ignore[arg-type]


@given(kind=st.sampled_from(PERSONAL_KINDS), value=st.one_of(st.none(), any_text))
def test_mask_dispatches_to_the_kinds_function(kind: ColumnKind, value: str | None) -> None:
    assert mask(kind, value) == SPECIFIC[kind](value) == rule_for(kind)(value)


@given(kind=st.sampled_from(PERSONAL_KINDS), value=st.integers())
def test_mask_masks_the_text_of_non_strings(kind: ColumnKind, value: int) -> None:
    assert mask(kind, value) == SPECIFIC[kind](str(value))


@given(value=st.one_of(any_text, st.integers(), st.floats(allow_nan=False)))
def test_plain_dispatch(value: object) -> None:
    assert mask(ColumnKind.PLAIN, value) == str(value)


@given(
    kind=st.sampled_from(PERSONAL_KINDS),
    value=st.one_of(any_text, text_with_8_digits, text_with_at, mobiles, id_numbers),
)
def test_r22_no_personal_kind_shows_a_whole_value(kind: ColumnKind, value: str) -> None:
    text = value.strip()
    assume(text and "*" not in text)
    masked = mask(kind, value)
    assert text not in masked
    assert masked == "" or "*" in masked


# --- names --------------------------------------------------------------------------------


@given(any_text)
def test_r22_name_shows_at_most_a_short_prefix(value: str) -> None:
    text = value.strip()
    masked = mask_name(value)
    if not text:
        assert masked == ""
        return
    # The three shapes have different lengths, so the length tells which one was used.
    shapes = {4: (FULL_MASK, 0), 3: (text[:1] + "**", 1), 6: (text[:2] + "****", 2)}
    assert len(masked) in shapes
    expected, kept = shapes[len(masked)]
    assert masked == expected
    # Never the whole name: persons keep 1 of 2+ characters, companies 2 of 6+.
    assert len(text) >= {0: 1, 1: 2, 2: 6}[kept]
    assert_reveals_only(value, masked, [text[:kept]])


@given(person_names)
def test_r22_person_name_keeps_only_the_first_character(name: str) -> None:
    masked = mask_name(name)
    assert masked == name[0] + "**"
    assert_reveals_only(name, masked, [name[0]])


@given(first=st.sampled_from(_NAME_CHARS), rest1=person_names, rest2=person_names)
def test_r22_person_name_mask_does_not_depend_on_the_rest(
    first: str, rest1: str, rest2: str
) -> None:
    # Given names of 1 to 3 characters after the surname: a 2- to 4-character name.
    assert mask_name(first + rest1[:3]) == mask_name(first + rest2[:1]) == first + "**"


@given(head=st.text(alphabet=_NAME_CHARS, min_size=2, max_size=8), suffix=company_suffixes)
def test_r22_company_name_keeps_only_two_characters(head: str, suffix: str) -> None:
    name = head + suffix
    assume(len(name) >= 6)
    masked = mask_name(name)
    assert masked == name[:2] + "****"
    assert_reveals_only(name, masked, [name[:2]])


# --- phones -------------------------------------------------------------------------------


@given(number=mobiles, fmt=st.sampled_from(MOBILE_FORMATS))
def test_r22_phone_never_reveals_middle_digits(number: str, fmt: Callable[[str], str]) -> None:
    value = fmt(number)
    masked = mask_phone(value)
    first3, middle, last4 = number[:3], number[3:7], number[7:]
    assert masked == first3 + "****" + last4
    assert masked[3:7] == "****" != middle
    # The only digits shown are the kept ones: nothing of the middle, nor of the prefix.
    assert masked.replace("*", "") == first3 + last4
    assert_reveals_only(value, masked, [first3, last4])


@given(rest=st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_r22_eleven_digit_numbers_reveal_first3_last4_at_most(rest: str) -> None:
    number = "1" + rest
    masked = mask_phone(number)
    shown = masked.replace("*", "")
    if number[1] in "3456789":
        assert masked == number[:3] + "****" + number[-4:]
    else:
        # 10x, 11x, 12x are not mobile ranges: the stricter "other" rule applies.
        assert masked == "****" + number[-4:]
    assert shown in (number[:3] + number[-4:], number[-4:])
    assert_reveals_only(number, masked, [number[:3], number[-4:]])


@given(number=mobiles, middle=st.text(alphabet="0123456789", min_size=4, max_size=4))
def test_r22_phone_mask_does_not_depend_on_the_middle_digits(number: str, middle: str) -> None:
    assert mask_phone(number[:3] + middle + number[7:]) == mask_phone(number)


@given(area=st.sampled_from(["010", "021", "0755", "0571"]), local=digit_strings)
def test_r22_landline_shows_only_the_last_4_digits(area: str, local: str) -> None:
    value = f"{area}-{local}"
    digits = area + local
    masked = mask_phone(value)
    if len(digits) < 8:
        assert masked == FULL_MASK
    else:
        assert masked == "****" + digits[-4:]
    assert_reveals_only(value, masked, [digits[-4:]])


@given(
    st.one_of(
        any_text,
        text_with_8_digits,
        st.builds(lambda n, fmt: fmt(n), mobiles, st.sampled_from(MOBILE_FORMATS)),
    )
)
def test_r22_phone_shows_only_kept_digits_of_any_text(value: str) -> None:
    digits = digits_of(value)
    masked = mask_phone(value)
    if not value.strip():
        assert masked == ""
        return
    if len(digits) < 8:
        assert masked == FULL_MASK
        return
    if masked[:3].isdigit():
        # Mobile: all digits of the value are an optional 86/0086 prefix and the number.
        assert len(digits) in (11, 13, 15)
        kept = [digits[-11:-8], digits[-4:]]
        assert masked == kept[0] + "****" + kept[1]
    else:
        kept = [digits[-4:]]
        assert masked == "****" + kept[0]
    assert_reveals_only(value, masked, kept)


@given(a=text_with_4_digits, b=text_with_4_digits, tail=text_with_4_digits)
def test_r22_other_phone_mask_depends_only_on_the_last_4_digits(a: str, b: str, tail: str) -> None:
    # The letter keeps both values from being read as a mobile.
    assert mask_phone(a + "x" + tail) == mask_phone(b + "x" + tail)


# --- emails -------------------------------------------------------------------------------


@given(local=email_locals, domain=email_domains)
def test_r22_email_hides_all_but_the_first_character_of_the_local_part(
    local: str, domain: str
) -> None:
    value = f"{local}@{domain}"
    masked = mask_email(value)
    if len(local) == 1:
        assert masked == "****@" + domain
        kept = ["@" + domain]
    else:
        assert masked == local[0] + "***@" + domain
        kept = [local[0], "@" + domain]
    assert_reveals_only(value, masked, kept)


@given(
    first=st.sampled_from(string.ascii_letters),
    r1=email_locals,
    r2=email_locals,
    domain=email_domains,
)
def test_r22_email_mask_does_not_depend_on_the_hidden_local_part(
    first: str, r1: str, r2: str, domain: str
) -> None:
    assert mask_email(f"{first}{r1}@{domain}") == mask_email(f"{first}{r2}@{domain}")


@given(st.one_of(any_text, text_with_at))
def test_r22_email_shows_at_most_first_character_and_domain_of_any_text(value: str) -> None:
    text = value.strip()
    masked = mask_email(value)
    if not text:
        assert masked == ""
        return
    if masked == FULL_MASK:
        return
    local, _, domain = text.rpartition("@")
    assert local and not any(c.isspace() for c in text)
    assert re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", domain), "only a host name is shown"
    if len(local) == 1:
        assert masked == "****@" + domain
    else:
        assert masked == local[0] + "***@" + domain
    assert_reveals_only(value, masked, [local[0], "@" + domain])


# --- bank accounts ------------------------------------------------------------------------


@given(account=bank_accounts, grouped=st.booleans())
def test_r22_bank_account_shows_only_the_last_4_digits(account: str, grouped: bool) -> None:
    value = " ".join(account[i : i + 4] for i in range(0, len(account), 4)) if grouped else account
    masked = mask_bank_account(value)
    assert masked == "**** " + account[-4:]
    assert masked.replace("*", "").strip() == account[-4:]
    assert_reveals_only(value, masked, [" " + account[-4:]])


@given(a=bank_accounts, b=st.text(alphabet="0123456789", min_size=4, max_size=30))
def test_r22_bank_account_mask_does_not_depend_on_the_hidden_digits(a: str, b: str) -> None:
    assert mask_bank_account(a) == mask_bank_account(b + a[-4:])


@given(st.one_of(any_text, text_with_8_digits))
def test_r22_bank_account_shows_only_the_last_4_digits_of_any_text(value: str) -> None:
    digits = digits_of(value)
    masked = mask_bank_account(value)
    if not value.strip():
        assert masked == ""
    elif len(digits) < 8:
        assert masked == FULL_MASK
    else:
        assert masked == "**** " + digits[-4:]
    assert_reveals_only(value, masked, [" " + digits[-4:]])


@given(a=text_with_4_digits, b=text_with_4_digits, tail=text_with_4_digits)
def test_r22_bank_account_mask_of_any_text_depends_only_on_the_last_4_digits(
    a: str, b: str, tail: str
) -> None:
    assert mask_bank_account(a + tail) == mask_bank_account(b + tail)


# --- ID numbers ---------------------------------------------------------------------------


@given(id_numbers)
def test_r22_id_number_shows_only_first_and_last_character(id_number: str) -> None:
    masked = mask_id_number(id_number)
    assert masked == id_number[0] + "*" * 16 + id_number[-1]
    assert len(masked) == 18
    assert masked.replace("*", "") == id_number[0] + id_number[-1]
    assert_reveals_only(id_number, masked, [id_number[0], id_number[-1]])


@given(a=id_numbers, b=id_numbers)
def test_r22_id_number_mask_does_not_depend_on_the_middle(a: str, b: str) -> None:
    assert mask_id_number(a) == mask_id_number(a[0] + b[1:-1] + a[-1])


@given(any_text)
def test_r22_id_number_shows_only_first_and_last_character_of_any_text(value: str) -> None:
    compact = "".join(value.split()).replace("-", "")
    masked = mask_id_number(value)
    if not compact:
        assert masked == ""
    elif len(compact) < 8:
        assert masked == FULL_MASK
    else:
        assert masked == compact[0] + "*" * 16 + compact[-1]
    assert_reveals_only(value, masked, [compact[:1], compact[-1:]])


@given(first=st.characters(), last=st.characters(), m1=any_text, m2=any_text)
def test_r22_id_number_mask_of_any_text_has_a_fixed_width(
    first: str, last: str, m1: str, m2: str
) -> None:
    clean = [
        "".join(x.split()).replace("-", "") for x in (first, last, m1 + "123456", m2 + "123456")
    ]
    assume(clean[0] and clean[1])
    assert mask_id_number(clean[0] + clean[2] + clean[1]) == mask_id_number(
        clean[0] + clean[3] + clean[1]
    )


# --- addresses ----------------------------------------------------------------------------


@given(place=st.sampled_from(PLACES), rest=address_rests)
def test_r22_address_shows_only_province_and_city(place: tuple[str, str], rest: str) -> None:
    prefix = place[0] + place[1]
    value = prefix + rest
    masked = mask_address(value)
    assert masked == prefix + "****"
    assert_reveals_only(value, masked, [prefix])


@given(place=st.sampled_from(PLACES), r1=address_rests, r2=address_rests)
def test_r22_address_mask_does_not_depend_on_the_street(
    place: tuple[str, str], r1: str, r2: str
) -> None:
    prefix = place[0] + place[1]
    assert mask_address(prefix + r1) == mask_address(prefix + r2)


@given(any_text)
def test_r22_address_shows_at_most_a_prefix_of_any_text(value: str) -> None:
    text = value.strip()
    masked = mask_address(value)
    if not text:
        assert masked == ""
        return
    if masked == FULL_MASK:
        return
    assert masked.endswith("****")
    prefix = masked[:-4]
    assert text.startswith(prefix)
    assert len(text) - len(prefix) >= 4, "at least 4 characters stay hidden"
    assert prefix == text[:3] or prefix.endswith(("省", "自治区", "特别行政区", "市"))
    assert len(prefix) <= 8 + 6
    assert_reveals_only(value, masked, [prefix])
