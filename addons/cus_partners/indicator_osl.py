# This file is part of the CUS back office.
"""The indicators drawn from the community organising (cus_osl)

Registered only when cus_osl is activated ([register cus_osl] of
tryton.cfg): without it these figures are absent from the dashboard and the
spreadsheet, not zero.

* supporters (Starachowice): the volunteers, neighbours and leaders
  supporting the delivery of services, as
  `cus.osl.volunteer.hours.count_supporters(start, end)['total']`: the
  distinct parties with hours in the period given to a person or to an
  activity;
* supporting_activities (Koszalin): the community activities
  (`cus.osl.activity`) done in the period — state done, done date in the
  period: the register of actions and events.
"""
from trytond.pool import Pool, PoolMeta

from .indicator import Definition

OSL_CODES = [
    ('supporters', "Volunteers and neighbours supporting service delivery"),
    ('supporting_activities', "Supporting activities (community work)"),
    ]


class Indicator(metaclass=PoolMeta):
    __name__ = 'cus.indicator'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        selection = list(cls.code.selection)
        for code in OSL_CODES:
            if code not in selection:
                selection.append(code)
        cls.code.selection = selection

    @classmethod
    def definitions(cls):
        return sorted(super().definitions() + [
                Definition(
                    'supporters', 'starachowice', 'community', 40,
                    'party.party', records='supporter'),
                Definition(
                    'supporting_activities', 'koszalin', 'community', 180,
                    'cus.osl.activity'),
                ], key=lambda d: d.sequence)

    @classmethod
    def _members_supporters(cls, periods):
        """The parties with volunteer hours in the period for a person or an
        activity (the condition of count_supporters)"""
        Hours = Pool().get('cus.osl.volunteer.hours')
        hours = Hours.__table__()
        of_date = periods.of_date(hours.date)
        if of_date:
            bucket, _ = of_date
            return hours.select(
                bucket.as_('bucket'),
                hours.volunteer.as_('member'),
                where=Hours._supporters_where(
                    hours, periods.buckets[0][0], periods.buckets[-1][1]))
        buckets = periods.table()
        return (hours
            .join(buckets, condition=Hours._supporters_where(
                    hours, buckets.start_date, buckets.end_date))
            .select(
                buckets.bucket.as_('bucket'),
                hours.volunteer.as_('member')))

    @classmethod
    def _members_supporting_activities(cls, periods):
        "The community activities done in the period"
        Activity = Pool().get('cus.osl.activity')
        activity = Activity.__table__()
        query, bucket, condition = cls._period_of(
            periods, activity, activity.done_date)
        return query.select(
            bucket.as_('bucket'),
            activity.id.as_('member'),
            where=condition & (activity.state == 'done'))
