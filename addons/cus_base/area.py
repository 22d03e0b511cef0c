# This file is part of the CUS back office.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields


class ServiceArea(DeactivableMixin, ModelSQL, ModelView):
    "The areas of social services of art. 2 of the act of 19 July 2019"
    __name__ = 'cus.service.area'
    __string__ = "Service Area"

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    legal_basis = fields.Char(
        "Legal Basis", help="The provision that defines the area.")
    sequence = fields.Integer("Sequence")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'cus_base.msg_area_code_unique'),
            ]
        cls._order = [('sequence', 'ASC NULLS LAST'), ('id', 'ASC')]
