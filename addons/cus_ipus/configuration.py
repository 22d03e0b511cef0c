# This file is part of the CUS back office.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id


def _default_sequence(xml_id):
    ModelData = Pool().get('ir.model.data')
    try:
        return ModelData.get_id('cus_ipus', xml_id)
    except KeyError:
        return None


class Configuration(metaclass=PoolMeta):
    __name__ = 'cus.configuration'

    application_sequence = fields.Many2One(
        'ir.sequence', "Application Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('cus_ipus', 'sequence_type_application')),
            ])
    ipus_sequence = fields.Many2One(
        'ir.sequence', "Plan Sequence", required=True,
        domain=[
            ('sequence_type', '=', Id('cus_ipus', 'sequence_type_ipus')),
            ])
    ipus_deadline_days = fields.Integer(
        "Plan Deadline", required=True,
        domain=[('ipus_deadline_days', '>', 0)],
        help="Days from the application in which the plan must be drawn "
        "up (art. 40 of the act: 30 days).")
    ipus_risk_days = fields.Integer(
        "Deadline Warning", required=True,
        domain=[('ipus_risk_days', '>=', 0)],
        help="An application is at risk when fewer days than this are "
        "left before the plan deadline.")
    monitoring_interval_days = fields.Integer(
        "Monitoring Interval", required=True,
        domain=[('monitoring_interval_days', '>', 0)],
        help="Days without contact after which a running plan is overdue "
        "(at least once a quarter).")

    @classmethod
    def default_application_sequence(cls):
        return _default_sequence('sequence_application')

    @classmethod
    def default_ipus_sequence(cls):
        return _default_sequence('sequence_ipus')

    @classmethod
    def default_ipus_deadline_days(cls):
        return 30

    @classmethod
    def default_ipus_risk_days(cls):
        return 7

    @classmethod
    def default_monitoring_interval_days(cls):
        return 92
