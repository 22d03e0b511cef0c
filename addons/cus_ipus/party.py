# This file is part of the CUS back office.
from trytond.model import fields
from trytond.pool import PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    applications = fields.One2Many(
        'cus.application', 'client', "Applications", readonly=True)
    ipus_plans = fields.One2Many(
        'cus.ipus', 'client', "Individual Plans", readonly=True)
