# This file is part of the CUS back office.
"""The community work in the programme report (with cus_osl)

Registered only when cus_osl is activated ([register cus_osl] of
tryton.cfg): the section lists, per community (or city-wide) and area of
action, the community activities done in the period with their
participants, and the volunteers' hours of the period.
"""
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce

from trytond.pool import Pool, PoolMeta

from .programme_report import Section, _msg


class ProgrammeReport(metaclass=PoolMeta):
    __name__ = 'cus.programme.report'

    def community_section(self):
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        Community = pool.get('cus.osl.community')
        Hours = pool.get('cus.osl.volunteer.hours')
        activity = Activity.__table__()
        hours = Hours.__table__()
        query = activity.select(
            activity.community, activity.area, Count(activity.id),
            Sum(Coalesce(activity.participants, 0)),
            where=(activity.state == 'done')
            & (activity.done_date >= self.start_date)
            & (activity.done_date <= self.end_date),
            group_by=[activity.community, activity.area])
        areas = dict(Activity.fields_get(['area'])['area']['selection'])
        rows = []
        for community, area, done, participants in self._execute(query):
            name = (Community(community).rec_name if community
                else _msg('city_wide'))
            rows.append((name, areas.get(area, area), done,
                    participants or 0))
        rows.sort(key=lambda r: (r[0], r[1]))
        query = hours.select(
            Sum(hours.hours), Count(hours.volunteer, distinct=True),
            where=(hours.date >= self.start_date)
            & (hours.date <= self.end_date))
        total_hours, volunteers = self._execute(query)[0]
        rows.append((_msg('volunteer_hours', volunteers=volunteers or 0),
                '', None, float(total_hours or 0)))
        return Section('community', _msg('section_community'), [
                (_msg('column_community'), 'text'),
                (_msg('column_area'), 'text'),
                (_msg('column_activities_done'), 'integer'),
                (_msg('column_participants_hours'), 'number')], rows)

    def sections(self):
        return super().sections() + [self.community_section()]
