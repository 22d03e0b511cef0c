# This file is part of the CUS back office.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Id


def _default_sequence(xml_id):
    ModelData = Pool().get('ir.model.data')
    try:
        return ModelData.get_id('cus_base', xml_id)
    except KeyError:
        return None


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'cus.configuration'
    __string__ = "CUS Configuration"

    service_sequence = fields.Many2One(
        'ir.sequence', "Service Sequence", required=True,
        domain=[
            ('sequence_type', '=', Id('cus_base', 'sequence_type_service')),
            ],
        help="Numbers the codes of the service base.")
    programme_sequence = fields.Many2One(
        'ir.sequence', "Programme Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('cus_base', 'sequence_type_programme')),
            ],
        help="Numbers the programmes of social services.")

    @classmethod
    def default_service_sequence(cls):
        return _default_sequence('sequence_service')

    @classmethod
    def default_programme_sequence(cls):
        return _default_sequence('sequence_programme')
