# This file is part of the CUS back office.
"Mixins shared by the models of the CUS modules"
from trytond.model import fields
from trytond.pool import Pool
from trytond.transaction import Transaction


class RecNameSearchMixin:
    """Search the record name in several fields

    Set `_rec_name_search` to the names of the fields (possibly relational)
    that a user types in a search box: a number, a client, a service...
    """
    __slots__ = ()
    _rec_name_search = []

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op] + [
            (field, operator, operand, *extra)
            for field in cls._rec_name_search]


class ServerFieldsCopyMixin:
    """Duplicates take the defaults of the fields the user may not write

    The fields that only the server sets (workflow states, who approved and
    when: the rpc_access.xml files) refuse a user's write, also in the
    create of a copy; a copy starts from their default values, as a new
    record does (a duplicated approved budget is a draft budget).
    """
    __slots__ = ()

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        if Transaction().check_access:
            FieldAccess = Pool().get('ir.model.field.access')
            access = FieldAccess.get_access([cls.__name__])[cls.__name__]
            names = [n for n, a in access.items()
                if not a['write'] and n in cls._fields and n not in default
                and not isinstance(cls._fields[n], fields.Function)]
            values = cls.default_get(names, with_rec_name=False)
            for name in names:
                default[name] = values.get(name)
        return super().copy(records, default=default)
