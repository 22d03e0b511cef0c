# This file is part of the CUS back office.
"""What community organising shares with the individual plans (cus_ipus)

* A coordinator refers a client with a plan to a community activity (e.g. a
  senior to the meetings of the Łazy seniors' club): the referral is a
  participation of the activity linked to the plan, where the organiser
  then records the attendance.
* The plan for organising the community shows the half-yearly summaries of
  the individual plans of its period: their figures and their directions
  for community organising (art. 46 ust. 1 of the act), and the XLSX
  report carries them.
"""
from cus_base.xlsx import Column, field_labels, selection_labels

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import ReferralError
from .report import _message

REFERRAL_PLAN_STATES = ['approved', 'running']


class Participation(metaclass=PoolMeta):
    __name__ = 'cus.osl.activity.participation'

    ipus = fields.Many2One(
        'cus.ipus', "Individual Plan", ondelete='RESTRICT',
        domain=[('client', '=', Eval('party', -1))],
        help="The plan of the client, when the coordinator referred the "
        "client to the activity.")
    referred_by = fields.Many2One(
        'company.employee', "Referred By", readonly=True,
        ondelete='SET NULL')
    referral_date = fields.Date("Referred On", readonly=True)


class Ipus(metaclass=PoolMeta):
    __name__ = 'cus.ipus'

    osl_participations = fields.One2Many(
        'cus.osl.activity.participation', 'ipus', "Community Activities",
        readonly=True,
        help="The community activities the client was referred to.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'osl_refer': {
                    'invisible': ~Eval('state').in_(REFERRAL_PLAN_STATES),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('osl_participations', None)
        return super().copy(plans, default=default)

    @classmethod
    @ModelView.button_action('cus_osl.wizard_osl_refer')
    def osl_refer(cls, plans):
        pass

    def refer_to_activity(self, activity, note=None):
        "Register the client of the plan for the community activity"
        pool = Pool()
        Participation = pool.get('cus.osl.activity.participation')
        Date = pool.get('ir.date')
        if self.state not in REFERRAL_PLAN_STATES:
            raise ReferralError(gettext(
                    'cus_osl.msg_referral_plan_state', plan=self.rec_name))
        if activity.state not in {'draft', 'planned'}:
            raise ReferralError(gettext(
                    'cus_osl.msg_referral_activity_state',
                    activity=activity.rec_name))
        participation, = Participation.create([{
                    'activity': activity.id,
                    'party': self.client.id,
                    'ipus': self.id,
                    'referred_by': Transaction().context.get('employee'),
                    'referral_date': Date.today(),
                    'note': note,
                    }])
        return participation


class ReferStart(ModelView):
    "Referral of a client to a community activity"
    __name__ = 'cus.osl.refer.start'
    __string__ = "Referral to a Community Activity"

    ipus = fields.Many2One('cus.ipus', "Individual Plan", readonly=True)
    client = fields.Many2One('party.party', "Client", readonly=True)
    community = fields.Many2One(
        'cus.osl.community', "Community",
        help="To find the activities of a community.")
    activity = fields.Many2One(
        'cus.osl.activity', "Activity", required=True,
        domain=[
            ('state', 'in', ['draft', 'planned']),
            ('plan.state', 'in', ['adopted', 'running']),
            If(Eval('community'),
                ('community', '=', Eval('community', -1)),
                ()),
            ])
    note = fields.Char(
        "Note", help="What the organiser should know, e.g. the support "
        "the client needs to come.")


class Refer(Wizard):
    "Refer the client of a plan to a community activity"
    __name__ = 'cus.osl.refer'

    start = StateView('cus.osl.refer.start',
        'cus_osl.refer_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Refer", 'refer', 'tryton-ok', default=True),
            ])
    refer = StateTransition()

    def default_start(self, fields):
        plan = self.record
        if plan.state not in REFERRAL_PLAN_STATES:
            raise ReferralError(gettext(
                    'cus_osl.msg_referral_plan_state', plan=plan.rec_name))
        return {
            'ipus': plan.id,
            'client': plan.client.id,
            }

    def transition_refer(self):
        self.record.refer_to_activity(self.start.activity, self.start.note)
        return 'end'


class Plan(metaclass=PoolMeta):
    __name__ = 'cus.osl.plan'

    ipus_summaries = fields.Function(
        fields.Many2Many(
            'cus.ipus.summary', None, None, "Summaries of the Plans",
            help="The half-yearly summaries of the individual plans, done, "
            "whose period overlaps the plan's."),
        'get_ipus_summaries')
    ipus_summary_lines = fields.Function(
        fields.Many2Many(
            'cus.ipus.summary.line', None, None, "Figures of the Summaries"),
        'get_ipus_summaries')
    osl_directions = fields.Function(
        fields.Text(
            "Directions for Community Organising",
            help="What the summaries of the individual plans tell the "
            "community organiser."),
        'get_ipus_summaries')

    @classmethod
    def get_ipus_summaries(cls, plans, names):
        Summary = Pool().get('cus.ipus.summary')
        result = {n: {} for n in names}
        for plan in plans:
            summaries = Summary.search([
                    ('company', '=', plan.company.id),
                    ('state', '=', 'done'),
                    ('start_date', '<=', plan.end_date),
                    ('end_date', '>=', plan.start_date),
                    ], order=[('start_date', 'ASC'), ('id', 'ASC')])
            if 'ipus_summaries' in result:
                result['ipus_summaries'][plan.id] = [s.id for s in summaries]
            if 'ipus_summary_lines' in result:
                result['ipus_summary_lines'][plan.id] = [
                    l.id for s in summaries for l in s.lines]
            if 'osl_directions' in result:
                result['osl_directions'][plan.id] = '\n\n'.join(
                    '%s:\n%s' % (s.rec_name, s.osl_directions.strip())
                    for s in summaries
                    if s.osl_directions and s.osl_directions.strip()
                    ) or None
        return result


class PlanExecutionReport(metaclass=PoolMeta):
    __name__ = 'cus_osl.report_plan_execution'

    @classmethod
    def write_workbook(cls, book, plans, data):
        super().write_workbook(book, plans, data)
        cls.write_ipus_summaries(book, plans)

    @classmethod
    def write_ipus_summaries(cls, book, plans):
        "The figures and directions the summaries pass to the organiser"
        plan_label = field_labels('cus.osl.activity', ['plan'])['plan']
        line = field_labels('cus.ipus.summary.line', [
                'summary', 'kind', 'label', 'value'])
        directions = field_labels('cus.ipus.summary', ['osl_directions'])
        kinds = selection_labels('cus.ipus.summary.line', 'kind')
        figures = book.sheet(_message('sheet_ipus'), [
                Column(plan_label, width=30),
                Column(line['summary'], width=24),
                Column(line['kind'], width=34),
                Column(line['label'], width=40),
                Column(line['value'], 'number'),
                ])
        texts = book.sheet(_message('sheet_directions'), [
                Column(plan_label, width=30),
                Column(line['summary'], width=24),
                Column(directions['osl_directions'], width=100),
                ])
        for plan in plans:
            for summary in plan.ipus_summaries:
                for summary_line in summary.lines:
                    figures.write_row([
                            plan.rec_name, summary.rec_name,
                            kinds.get(summary_line.kind), summary_line.label,
                            summary_line.value])
                if summary.osl_directions:
                    texts.write_row([
                            plan.rec_name, summary.rec_name,
                            summary.osl_directions])
