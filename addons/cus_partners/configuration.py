# This file is part of the CUS back office.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id


class Configuration(metaclass=PoolMeta):
    __name__ = 'cus.configuration'

    contract_sequence = fields.Many2One(
        'ir.sequence', "Contract Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('cus_partners', 'sequence_type_contract')),
            ])

    @classmethod
    def default_contract_sequence(cls):
        ModelData = Pool().get('ir.model.data')
        try:
            return ModelData.get_id('cus_partners', 'sequence_contract')
        except KeyError:
            return None
