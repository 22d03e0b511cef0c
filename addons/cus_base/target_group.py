# This file is part of the CUS back office.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields


class TargetGroup(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'cus.target.group'
    __string__ = "Target Group"

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    description = fields.Text("Description", translate=True)
    priority = fields.Boolean(
        "Priority Group",
        help="A priority group of the programme (e.g. seniors, families).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'cus_base.msg_target_group_code_unique'),
            ]
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
