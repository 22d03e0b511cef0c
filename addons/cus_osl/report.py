# This file is part of the CUS back office.
"""The spreadsheet (XLSX) of the execution of community organising plans

`cus_osl.report_plan_execution`, printed from cus.osl.plan: a summary of
the figures of each plan, the activities planned and done per quarter and
community (the rows of the board `cus.osl.board`), the activities with their
participants, volunteers' hours and photos, the volunteers' hours, the SUWAK
scores with their change and the risks. With cus_ipus, the data that the
half-yearly summaries of the individual plans pass to the organiser (see
ipus.py).

The column titles are the labels of the fields (fields_get), the values of
the selections their labels and the other texts ir.message records
(msg_report_*): the sheet is in the user's language.
"""
from cus_base.format import format_date
from cus_base.xlsx import Column, XlsxReport, field_labels, selection_labels
from sql.aggregate import Count, Sum

from trytond.i18n import gettext
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.transaction import Transaction


def _message(name, **variables):
    return gettext('cus_osl.msg_report_' + name, **variables)


def _community(community):
    return (community.rec_name if community
        else gettext('cus_osl.msg_city_wide'))


class PlanExecutionReport(XlsxReport):
    "Execution of the community organising plan"
    __name__ = 'cus_osl.report_plan_execution'

    @classmethod
    def _get_records(cls, ids, model, data):
        records = super()._get_records(ids, model, data)
        return sorted(records, key=lambda p: (p.start_date, p.id))

    @classmethod
    def write_workbook(cls, book, plans, data):
        cls.write_summary(book, plans)
        cls.write_board(book, plans)
        cls.write_activities(book, plans)
        cls.write_volunteers(book, plans)
        cls.write_suwak(book, plans)
        cls.write_risks(book, plans)

    @classmethod
    def write_summary(cls, book, plans):
        pool = Pool()
        Hours = pool.get('cus.osl.volunteer.hours')
        plan_labels = field_labels('cus.osl.plan', [
                'name', 'start_date', 'end_date', 'state', 'communities',
                'planned_activities', 'done_activities', 'participants',
                'volunteer_hours', 'supporters'])
        party_labels = field_labels('party.party', [
                'osl_volunteer', 'osl_neighbour', 'osl_leader'])
        states = selection_labels('cus.osl.plan', 'state')
        columns = [Column(_message('figure'), width=40)]
        columns += [Column(p.rec_name, width=22) for p in plans]
        sheet = book.sheet(_message('sheet_summary'), columns,
            autofilter=False)
        supporters = [
            Hours.count_supporters(p.start_date, p.end_date, plan=p)
            for p in plans]
        suwak = []
        for plan in plans:
            changes = [s.change for s in plan.suwak_scores
                if s.change is not None]
            suwak.append(
                round(sum(changes) / len(changes), 2) if changes else None)
        rows = [
            (plan_labels['start_date'],
                [format_date(p.start_date) for p in plans]),
            (plan_labels['end_date'],
                [format_date(p.end_date) for p in plans]),
            (plan_labels['state'], [states.get(p.state) for p in plans]),
            (plan_labels['communities'],
                [', '.join(c.rec_name for c in p.communities)
                    for p in plans]),
            (plan_labels['planned_activities'],
                [p.planned_activities for p in plans]),
            (plan_labels['done_activities'],
                [p.done_activities for p in plans]),
            (plan_labels['participants'], [p.participants for p in plans]),
            (plan_labels['volunteer_hours'],
                [p.volunteer_hours for p in plans]),
            (plan_labels['supporters'],
                [s['total'] for s in supporters]),
            ('– ' + party_labels['osl_volunteer'],
                [s['volunteers'] for s in supporters]),
            ('– ' + party_labels['osl_neighbour'],
                [s['neighbours'] for s in supporters]),
            ('– ' + party_labels['osl_leader'],
                [s['leaders'] for s in supporters]),
            (_message('suwak_average'), suwak),
            ]
        for label, values in rows:
            sheet.write_row([label] + values)

    @classmethod
    def board_columns(cls):
        labels = field_labels('cus.osl.board', [
                'plan', 'community', 'year', 'quarter', 'area', 'planned',
                'done', 'done_in_quarter', 'participants'])
        return [
            Column(labels['plan'], width=30),
            Column(labels['community'], width=26),
            Column(labels['year'], 'integer', width=7),
            Column(labels['quarter'], width=12),
            Column(labels['area'], width=20),
            Column(labels['planned'], 'integer', total=True),
            Column(labels['done'], 'integer', total=True),
            Column(labels['done_in_quarter'], 'integer', total=True),
            Column(labels['participants'], 'integer', total=True),
            ]

    @classmethod
    def write_board(cls, book, plans):
        "The activities planned and done per quarter and community"
        Board = Pool().get('cus.osl.board')
        areas = selection_labels('cus.osl.board', 'area')
        sheet = book.sheet(_message('sheet_board'), cls.board_columns())
        rows = Board.search([
                ('plan', 'in', [p.id for p in plans]),
                ])
        order = {p.id: i for i, p in enumerate(plans)}
        rows.sort(key=lambda r: (
                order[r.plan.id], r.year, r.quarter_number,
                r.community.rec_name if r.community else '',
                list(areas).index(r.area)))
        for row in rows:
            sheet.write_row([
                    row.plan.rec_name, _community(row.community), row.year,
                    row.quarter.rec_name, areas.get(row.area), row.planned,
                    row.done, row.done_in_quarter, row.participants])
        sheet.write_total(_message('total'))

    @classmethod
    def activity_columns(cls):
        labels = field_labels('cus.osl.activity', [
                'plan', 'community', 'area', 'name', 'goal', 'realisers',
                'quarters', 'state', 'planned_date', 'done_date',
                'participants', 'registered_participants',
                'volunteer_hours_total', 'photo_count', 'results'])
        stage = field_labels('cus.osl.plan.goal', ['stage'])['stage']
        return [
            Column(labels['plan'], width=30),
            Column(labels['community'], width=26),
            Column(labels['area'], width=20),
            Column(labels['name'], width=50),
            Column(labels['goal'], width=40),
            Column(stage, width=16),
            Column(labels['realisers'], width=34),
            Column(labels['quarters'], width=28),
            Column(labels['state']),
            Column(labels['planned_date'], 'date'),
            Column(labels['done_date'], 'date'),
            Column(labels['participants'], 'integer', total=True),
            Column(labels['registered_participants'], 'integer',
                total=True),
            Column(labels['volunteer_hours_total'], 'number', total=True),
            Column(labels['photo_count'], 'integer', total=True),
            Column(labels['results'], width=60),
            ]

    @classmethod
    def write_activities(cls, book, plans):
        Activity = Pool().get('cus.osl.activity')
        areas = selection_labels('cus.osl.activity', 'area')
        states = selection_labels('cus.osl.activity', 'state')
        stages = selection_labels('cus.osl.plan.goal', 'stage')
        sheet = book.sheet(
            _message('sheet_activities'), cls.activity_columns())
        order = {p.id: i for i, p in enumerate(plans)}
        activities = Activity.search([
                ('plan', 'in', [p.id for p in plans]),
                ])
        activities.sort(key=lambda a: (
                order[a.plan.id], a.community.rec_name if a.community else '',
                a.date or a.plan.start_date, a.id))
        for activity in activities:
            goal = activity.goal
            sheet.write_row([
                    activity.plan.rec_name, _community(activity.community),
                    areas.get(activity.area), activity.name,
                    goal.rec_name if goal else None,
                    stages.get(goal.stage) if goal else None,
                    activity.realisers_label, activity.quarters_label,
                    states.get(activity.state), activity.planned_date,
                    activity.done_date, activity.participants,
                    activity.registered_participants,
                    activity.volunteer_hours_total, activity.photo_count,
                    activity.results])
        sheet.write_total(_message('total'))

    @classmethod
    def volunteers_query(cls, plan_ids):
        "The hours per plan and volunteer, with what they supported"
        pool = Pool()
        Hours = pool.get('cus.osl.volunteer.hours')
        Party = pool.get('party.party')
        hours = Hours.__table__()
        party = Party.__table__()
        return (hours
            .join(party, condition=party.id == hours.volunteer)
            .select(
                hours.plan, party.id, party.name,
                party.osl_volunteer, party.osl_neighbour, party.osl_leader,
                Sum(hours.hours),
                Count(hours.activity, distinct=True),
                Count(hours.supported_party, distinct=True),
                where=SQL_OPERATORS['in'](hours.plan, plan_ids),
                group_by=[
                    hours.plan, party.id, party.name, party.osl_volunteer,
                    party.osl_neighbour, party.osl_leader],
                order_by=[hours.plan, party.name, party.id]))

    @classmethod
    def write_volunteers(cls, book, plans):
        cursor = Transaction().connection.cursor()
        party = field_labels('party.party', [
                'osl_volunteer', 'osl_neighbour', 'osl_leader'])
        hours = field_labels('cus.osl.volunteer.hours', ['plan', 'hours'])
        # The person and the flags of the roles: the label of the
        # volunteer field would repeat the one of the volunteer flag.
        sheet = book.sheet(_message('sheet_volunteers'), [
                Column(hours['plan'], width=30),
                Column(_message('supporter'), width=30),
                Column(party['osl_volunteer'], width=18),
                Column(party['osl_neighbour'], width=18),
                Column(party['osl_leader'], width=18),
                Column(hours['hours'], 'number', total=True),
                Column(_message('activities_supported'), 'integer'),
                Column(_message('persons_supported'), 'integer'),
                ])
        names = {p.id: p.rec_name for p in plans}
        yes, no = _message('yes'), _message('no')
        if names:
            cursor.execute(*cls.volunteers_query(list(names)))
            for (plan_id, _, name, volunteer, neighbour, leader, total,
                    activities, persons) in cursor:
                sheet.write_row([
                        names[plan_id], name,
                        yes if volunteer else no,
                        yes if neighbour else no,
                        yes if leader else no,
                        round(float(total or 0), 2), activities, persons])
        sheet.write_total(_message('total'))

    @classmethod
    def write_suwak(cls, book, plans):
        labels = field_labels('cus.osl.suwak.score', [
                'plan', 'community', 'dimension', 'baseline_score',
                'end_score', 'change', 'method'])
        dimensions = selection_labels('cus.osl.suwak.score', 'dimension')
        sheet = book.sheet(_message('sheet_suwak'), [
                Column(labels['plan'], width=30),
                Column(labels['community'], width=26),
                Column(labels['dimension'], width=18),
                Column(labels['baseline_score'], 'number'),
                Column(labels['end_score'], 'number'),
                Column(labels['change'], 'number'),
                Column(labels['method'], width=30),
                ])
        order = list(dimensions)
        for plan in plans:
            scores = sorted(plan.suwak_scores, key=lambda s: (
                    s.community.rec_name, order.index(s.dimension)))
            for score in scores:
                sheet.write_row([
                        plan.rec_name, score.community.rec_name,
                        dimensions.get(score.dimension),
                        score.baseline_score, score.end_score, score.change,
                        score.method])

    @classmethod
    def write_risks(cls, book, plans):
        labels = field_labels('cus.osl.risk', [
                'plan', 'description', 'mitigation', 'likelihood', 'impact',
                'state', 'follow_up'])
        levels = selection_labels('cus.osl.risk', 'likelihood')
        states = selection_labels('cus.osl.risk', 'state')
        sheet = book.sheet(_message('sheet_risks'), [
                Column(labels['plan'], width=30),
                Column(labels['description'], width=50),
                Column(labels['mitigation'], width=60),
                Column(labels['likelihood'], width=12),
                Column(labels['impact'], width=12),
                Column(labels['state'], width=16),
                Column(labels['follow_up'], width=40),
                ])
        for plan in plans:
            for risk in plan.risks:
                sheet.write_row([
                        plan.rec_name, risk.description, risk.mitigation,
                        levels.get(risk.likelihood), levels.get(risk.impact),
                        states.get(risk.state), risk.follow_up])
