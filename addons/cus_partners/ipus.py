# This file is part of the CUS back office.
from trytond.pool import Pool, PoolMeta


class Ipus(metaclass=PoolMeta):
    __name__ = 'cus.ipus'

    @classmethod
    def _supersede(cls, updates):
        Order = Pool().get('cus.service.order')
        # The orders move to the new lines first, so that the deliveries
        # moved by the update still match their order.
        Order.follow_plan_updates(updates)
        super()._supersede(updates)
