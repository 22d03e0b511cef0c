# This file is part of the CUS back office.
"""The Polish formats of the values in the printouts and the messages

* money: ``1 234,56 zł`` (non-breaking spaces between the thousands and
  before ``zł``), always with the grosze;
* numbers and quantities: a decimal comma, without useless decimals;
* dates: ``dd.mm.yyyy``;
* amounts rounded to the grosz with ROUND_HALF_UP.

Usage::

    from cus_base.format import format_money, round_amount
"""
from decimal import ROUND_HALF_UP, Decimal

NBSP = '\u00a0'
CENT = Decimal('0.01')


def round_amount(value):
    "An amount in zł rounded to the grosz (None stays None)"
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_date(value):
    "A date as dd.mm.yyyy (empty for no date)"
    return value.strftime('%d.%m.%Y') if value else ''


def _group_thousands(digits, separator=NBSP):
    groups = []
    while len(digits) > 3:
        digits, group = digits[:-3], digits[-3:]
        groups.insert(0, group)
    return separator.join([digits] + groups)


def format_number(value, digits=2, strip=True, grouping=True):
    """A number with a decimal comma, rounded half up to the digits, and
    spaced thousands when grouping; without useless decimals when strip
    (quantities), with all of them otherwise (money). Empty for None."""
    if value is None:
        return ''
    value = Decimal(str(value)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    sign = '-' if value < 0 else ''
    integer, _, decimals = f'{abs(value):.{digits}f}'.partition('.')
    if strip:
        decimals = decimals.rstrip('0')
    text = sign + (_group_thousands(integer) if grouping else integer)
    return text + ',' + decimals if decimals else text


def format_quantity(value):
    """A quantity in a message as Poles write it: no useless decimals, a
    decimal comma, no thousands separator (2,5 / 234 / 1000)"""
    return format_number(value, strip=True, grouping=False)


def format_money(value):
    "An amount in zł: 1 234,50 zł (empty for None)"
    if value is None:
        return ''
    return format_number(value, strip=False) + NBSP + 'zł'
