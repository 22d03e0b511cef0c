# This file is part of the CUS back office.
"""The community work in the retention of the persons: a person who took
part in an activity or gave or received volunteering hours within the
period is not anonymised."""
from sql.conditionals import Coalesce

from trytond.pool import Pool, PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def retention_activity_queries(cls):
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        Participation = pool.get('cus.osl.activity.participation')
        Hours = pool.get('cus.osl.volunteer.hours')
        queries = super().retention_activity_queries()
        activity = Activity.__table__()
        participation = Participation.__table__()
        hours = Hours.__table__()
        queries.append(participation.join(
                activity, condition=activity.id == participation.activity
                ).select(participation.party.as_('party'),
                Coalesce(activity.done_date, activity.date,
                    activity.planned_date).as_('date')))
        for column in [hours.volunteer, hours.supported_party]:
            queries.append(hours.select(
                    column.as_('party'), hours.date.as_('date'),
                    where=column != None))  # noqa: E711
        return queries
