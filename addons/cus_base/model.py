# This file is part of the CUS back office.
"Mixins shared by the models of the CUS modules"


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
