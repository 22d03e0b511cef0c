# This file is part of the CUS back office.
from trytond.cache import Cache
from trytond.pool import PoolMeta
from trytond.transaction import Transaction

_MISSING = object()


class AddressFormat(metaclass=PoolMeta):
    __name__ = 'party.address.format'

    # party 8.0 caches the formats it finds but not an unset one (None):
    # the Polish format has no building or flat number format, so every
    # formatted address searched and read all the formats again (minutes
    # for a list of clients on PostgreSQL). Cache the unset ones too.
    _number_format_cache = Cache(
        'party.address.format.cus_number', context=False)

    @classmethod
    def get_number_format(cls, number, address, pattern=None):
        key = (
            number, address.country.code if address.country else None,
            Transaction().language[:2], *sorted((pattern or {}).items()))
        format_ = cls._number_format_cache.get(key, _MISSING)
        if format_ is _MISSING:
            format_ = super().get_number_format(
                number, address, pattern=pattern)
            cls._number_format_cache.set(key, format_)
        return format_

    @classmethod
    def on_modification(cls, mode, formats, field_names=None):
        super().on_modification(mode, formats, field_names=field_names)
        cls._number_format_cache.clear()
