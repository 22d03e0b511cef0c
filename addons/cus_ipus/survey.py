# This file is part of the CUS back office.
"""Satisfaction surveys of the clients with a plan

A questionnaire (cus.survey) is sent to the client of a plan when the plan
is closed or periodically while it runs: each sending is a response
(cus.survey.response) with one answer line per question and a one-time
link to the public page /<database>/ankieta/<token> (cus_partners). The
client answers online through the link, or on paper and the coordinator
types the answers in. The scale questions tagged with a dimension give the
qualitative indicators of the Koszalin programme (satisfaction, timeliness,
staff competence, availability of services, clarity of procedures):
cus.survey.result aggregates them per service, provider and period and
indicator_scores() gives them to the indicators.
"""
import datetime as dt
import logging
import re
import secrets
import urllib.parse
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null
from sql.aggregate import Avg, Count, Min
from sql.conditionals import Case
from sql.functions import Extract, Round

import trytond.config as config
from cus_base.model import ServerFieldsCopyMixin
from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields,
    sequence_ordered)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.url import http_base, is_secure
from trytond.wizard import Button, StateAction, StateView, Wizard

logger = logging.getLogger(__name__)

SENDINGS = [
    ('closing', "On Plan Closing"),
    ('periodic', "Periodically to Running Plans"),
    ]
KINDS = [
    ('scale', "Scale 1-5"),
    ('choice', "Choice"),
    ('text', "Text"),
    ]
# The qualitative indicators of the Koszalin programme (seed 004, §5.2)
DIMENSIONS = [
    ('none', "No Indicator"),
    ('satisfaction', "Satisfaction of the Recipients"),
    ('timeliness', "Timeliness of the Services"),
    ('competence', "Competence of the Staff"),
    ('availability', "Availability of the Services"),
    ('clarity', "Clarity of the Procedures"),
    ]
INDICATOR_DIMENSIONS = [d for d, _ in DIMENSIONS if d != 'none']
RESPONSE_STATES = [
    ('sent', "Sent"),
    ('answered', "Answered"),
    ('expired', "Expired"),
    ]
CHANNELS = [
    (None, ""),
    ('paper', "Paper"),
    ('online', "Online"),
    ]
PERIODS = [
    ('month', "Month"),
    ('quarter', "Quarter"),
    ('all', "Whole Range"),
    ]
GROUPINGS = [
    ('service', "Service"),
    ('provider', "Provider"),
    ('both', "Service and Provider"),
    ]
# Plans whose clients are surveyed
SURVEYED_PLAN_STATES = ['running', 'closed']
SCALE_MIN, SCALE_MAX = 1, 5
MAX_TEXT = 2000
TOKEN_BYTES = 24
TOKEN_RE = re.compile(r'[A-Za-z0-9_-]{16,128}')


class SurveyError(UserError):
    pass


class SurveyValidationError(ValidationError):
    pass


class SurveyDeleteError(AccessError):
    pass


class SurveyLinkInvalid(Exception):
    "The one-time link is unknown, used or expired"


def new_token():
    "An unguessable one-time token (192 bits)"
    return secrets.token_urlsafe(TOKEN_BYTES)


class Survey(DeactivableMixin, ModelSQL, ModelView):
    "A questionnaire sent to the clients with a plan"
    __name__ = 'cus.survey'
    __string__ = "Satisfaction Questionnaire"

    name = fields.Char("Name", required=True)
    sending = fields.Selection(
        SENDINGS, "Sent", required=True, sort=False,
        help="On the closing of a plan, or periodically to the clients of "
        "the running plans.")
    period_months = fields.Integer(
        "Every (Months)",
        domain=['OR',
            ('period_months', '=', None),
            ('period_months', '>', 0),
            ],
        states={
            'invisible': Eval('sending') != 'periodic',
            'required': Eval('sending') == 'periodic',
            },
        help="A running plan gets the questionnaire once it has run this "
        "long, then again each time this long after the last sending.")
    validity_days = fields.Integer(
        "Link Valid (Days)", required=True,
        domain=[('validity_days', '>', 0)],
        help="The one-time link for online answers expires after these "
        "days; paper answers can still be typed in.")
    intro = fields.Text(
        "Introduction",
        help="Shown to the client above the questions.")
    questions = fields.One2Many(
        'cus.survey.question', 'survey', "Questions")
    sent_count = fields.Function(
        fields.Integer("Sent"), 'get_counts')
    answered_count = fields.Function(
        fields.Integer("Answered"), 'get_counts')
    response_rate = fields.Function(
        fields.Float(
            "Response Rate (%)", digits=(16, 1),
            help="Answered responses as a percentage of the sent ones."),
        'get_counts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'send': {
                    'invisible': ((Eval('sending') != 'periodic')
                        | ~Eval('active', True)),
                    'icon': 'tryton-forward',
                    'depends': ['sending', 'active'],
                    },
                })

    @classmethod
    def default_sending(cls):
        return 'closing'

    @classmethod
    def default_validity_days(cls):
        return 30

    @fields.depends('sending', 'period_months')
    def on_change_sending(self):
        if self.sending == 'periodic' and not self.period_months:
            self.period_months = 6
        elif self.sending != 'periodic':
            self.period_months = None

    @classmethod
    def get_counts(cls, surveys, names):
        pool = Pool()
        Response = pool.get('cus.survey.response')
        response = Response.__table__()
        cursor = Transaction().connection.cursor()
        ids = [s.id for s in surveys]
        sent, answered = defaultdict(int), defaultdict(int)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*response.select(
                    response.survey, Count(response.id),
                    Count(Case((response.state == 'answered', response.id))),
                    where=SQL_OPERATORS['in'](response.survey, list(sub_ids)),
                    group_by=[response.survey]))
            for survey_id, sent_count, answered_count in cursor:
                sent[survey_id] = sent_count
                answered[survey_id] = answered_count
        result = {}
        if 'sent_count' in names:
            result['sent_count'] = {i: sent[i] for i in ids}
        if 'answered_count' in names:
            result['answered_count'] = {i: answered[i] for i in ids}
        if 'response_rate' in names:
            result['response_rate'] = {
                i: round(answered[i] * 100 / sent[i], 1) if sent[i] else None
                for i in ids}
        return result

    @classmethod
    def check_modification(cls, mode, surveys, values=None, external=False):
        super().check_modification(
            mode, surveys, values=values, external=external)
        if mode == 'delete':
            Response = Pool().get('cus.survey.response')
            for sub_surveys in grouped_slice(
                    surveys, backend.MAX_QUERY_PARAMS):
                responses = Response.search([
                        ('survey', 'in', [s.id for s in sub_surveys]),
                        ], limit=1)
                if responses:
                    raise SurveyDeleteError(gettext(
                            'cus_ipus.msg_survey_delete_sent',
                            survey=responses[0].survey.rec_name))

    @classmethod
    def copy(cls, surveys, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('name', lambda data: gettext(
                'cus_ipus.msg_survey_copy_name', name=data['name']))
        return super().copy(surveys, default=default)

    def check_sendable(self):
        "Raise when the questionnaire cannot be answered"
        if not self.questions:
            raise SurveyError(gettext(
                    'cus_ipus.msg_survey_no_questions', survey=self.rec_name))
        for question in self.questions:
            if question.kind == 'choice' and len(question.options) < 2:
                raise SurveyError(gettext(
                        'cus_ipus.msg_survey_choice_options',
                        survey=self.rec_name, question=question.rec_name))

    @property
    def sendable(self):
        try:
            self.check_sendable()
        except SurveyError:
            return False
        return True

    @classmethod
    def send_to(cls, survey, plans, date=None):
        """Send the questionnaire to the clients of the plans

        Plans with a response of the questionnaire still waiting for the
        answers (its link valid on the date) are left out. Returns the
        responses created."""
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        survey.check_sendable()
        for plan in plans:
            if plan.state not in SURVEYED_PLAN_STATES:
                raise SurveyError(gettext(
                        'cus_ipus.msg_survey_plan_state',
                        plan=plan.rec_name))
        pending = set()
        for sub_plans in grouped_slice(plans, backend.MAX_QUERY_PARAMS):
            pending.update(r.plan.id for r in Response.search([
                        ('survey', '=', survey.id),
                        ('plan', 'in', [p.id for p in sub_plans]),
                        ('state', '=', 'sent'),
                        ('expiry_date', '>=', date),
                        ]))
        answers = [{
                'question': q.id,
                'sequence': i,
                } for i, q in enumerate(survey.questions, 1)]
        expiry = date + dt.timedelta(days=survey.validity_days)
        to_create, seen = [], set()
        for plan in plans:
            if plan.id in pending or plan.id in seen:
                continue
            seen.add(plan.id)
            to_create.append({
                    'survey': survey.id,
                    'plan': plan.id,
                    'client': plan.client.id,
                    'sent_date': date,
                    'expiry_date': expiry,
                    'token': new_token(),
                    'answers': [('create', answers)],
                    })
        # The link and its token are the server's (rpc_access.xml): the
        # user's right is to send, checked by the callers.
        with without_check_access():
            return Response.create(to_create)

    @classmethod
    def send_on_closing(cls, plans):
        """Send the questionnaires of the plan closings to the closed plans

        Called by the closing of the plans: a questionnaire not ready to be
        answered is skipped (and logged) rather than blocking the closing."""
        pool = Pool()
        Response = pool.get('cus.survey.response')
        plans = [p for p in plans if p.state == 'closed']
        if not plans:
            return []
        responses = []
        for survey in cls.search([('sending', '=', 'closing')]):
            if not survey.sendable:
                logger.warning(
                    "questionnaire %s not sent: not ready", survey.id)
                continue
            surveyed = set()
            for sub_plans in grouped_slice(plans, backend.MAX_QUERY_PARAMS):
                surveyed.update(r.plan.id for r in Response.search([
                            ('survey', '=', survey.id),
                            ('plan', 'in', [p.id for p in sub_plans]),
                            ]))
            to_send = [p for p in plans if p.id not in surveyed]
            if to_send:
                responses.extend(cls.send_to(survey, to_send))
        return responses

    def due_plans(self, date):
        """The running plans due for the periodic questionnaire on the date

        A plan is due once it has run for the period and when no version
        of it (the versions share the number) got the questionnaire within
        the period."""
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Response = pool.get('cus.survey.response')
        plan = Ipus.__table__()
        version = Ipus.__table__()
        response = Response.__table__()
        cursor = Transaction().connection.cursor()
        since = date - relativedelta(months=self.period_months)
        recent = (response
            .join(version, condition=response.plan == version.id)
            .select(version.number,
                where=(response.survey == self.id)
                & (response.sent_date > since)
                & (version.number != Null)))
        cursor.execute(*plan.select(plan.id,
                where=(plan.state == 'running')
                & (plan.valid_from <= since)
                & (plan.number != Null)
                & ~plan.number.in_(recent),
                order_by=[plan.id.asc]))
        return Ipus.browse([i for i, in cursor])

    @classmethod
    @ModelView.button
    def send(cls, surveys):
        "Send the periodic questionnaires to the plans that are due"
        for survey in surveys:
            survey.check_sendable()
        cls.send_periodic(surveys)

    @classmethod
    def send_periodic(cls, surveys=None, date=None):
        """Send the periodic questionnaires to the running plans that are
        due (the daily cron)"""
        Date = Pool().get('ir.date')
        if date is None:
            date = Date.today()
        if surveys is None:
            surveys = [s for s in cls.search([('sending', '=', 'periodic')])
                if s.sendable]
        responses = []
        for survey in surveys:
            if survey.sending != 'periodic' or not survey.active:
                continue
            plans = survey.due_plans(date)
            if plans:
                responses.extend(cls.send_to(survey, plans, date=date))
        return responses

    @classmethod
    def indicator_scores(cls, start, end):
        "The indicator scores of the responses sent between start and end"
        Result = Pool().get('cus.survey.result')
        return Result.indicator_scores(start, end)


class SurveyQuestion(sequence_ordered(), ModelSQL, ModelView):
    "A question of a questionnaire"
    __name__ = 'cus.survey.question'
    __string__ = "Questionnaire Question"
    _rec_name = 'text'

    survey = fields.Many2One(
        'cus.survey', "Questionnaire", required=True, ondelete='CASCADE')
    text = fields.Text("Question", required=True)
    kind = fields.Selection(KINDS, "Answer", required=True, sort=False)
    required = fields.Boolean(
        "Required", help="The client must answer the question.")
    dimension = fields.Selection(
        DIMENSIONS, "Indicator", required=True, sort=False,
        states={
            'invisible': Eval('kind') != 'scale',
            },
        help="The indicator the scale answers count for.")
    options = fields.One2Many(
        'cus.survey.question.option', 'question', "Options",
        states={
            'invisible': Eval('kind') != 'choice',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('survey')

    @classmethod
    def default_kind(cls):
        return 'scale'

    @classmethod
    def default_required(cls):
        return True

    @classmethod
    def default_dimension(cls):
        return 'none'

    @fields.depends('kind', 'dimension')
    def on_change_kind(self):
        if self.kind != 'scale':
            self.dimension = 'none'

    def get_rec_name(self, name):
        text = ' '.join((self.text or '').split())
        return text if len(text) <= 80 else text[:79] + '…'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('text',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, questions, field_names):
        super().validate_fields(questions, field_names)
        if field_names & {'kind', 'dimension'}:
            for question in questions:
                if question.kind != 'scale' and question.dimension != 'none':
                    raise SurveyValidationError(gettext(
                            'cus_ipus.msg_survey_dimension_scale',
                            question=question.rec_name))

    @classmethod
    def check_modification(cls, mode, questions, values=None,
            external=False):
        super().check_modification(
            mode, questions, values=values, external=external)
        if mode == 'delete' or (mode == 'write'
                and set(values) & {'survey', 'kind', 'dimension'}):
            Answer = Pool().get('cus.survey.answer')
            for sub_questions in grouped_slice(
                    questions, backend.MAX_QUERY_PARAMS):
                answers = Answer.search([
                        ('question', 'in', [q.id for q in sub_questions]),
                        ], limit=1)
                if answers:
                    raise SurveyError(gettext(
                            'cus_ipus.msg_survey_question_sent',
                            question=answers[0].question.rec_name))


class SurveyQuestionOption(sequence_ordered(), ModelSQL, ModelView):
    "An option of a choice question"
    __name__ = 'cus.survey.question.option'
    __string__ = "Question Option"

    question = fields.Many2One(
        'cus.survey.question', "Question", required=True,
        ondelete='CASCADE')
    name = fields.Char("Option", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('question')

    @classmethod
    def check_modification(cls, mode, options, values=None, external=False):
        super().check_modification(
            mode, options, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and 'question' in values):
            Answer = Pool().get('cus.survey.answer')
            for sub_options in grouped_slice(
                    options, backend.MAX_QUERY_PARAMS):
                answers = Answer.search([
                        ('choice', 'in', [o.id for o in sub_options]),
                        ], limit=1)
                if answers:
                    raise SurveyError(gettext(
                            'cus_ipus.msg_survey_option_answered',
                            option=answers[0].choice.rec_name))


class SurveyResponse(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "A questionnaire sent to the client of a plan, and its answers"
    __name__ = 'cus.survey.response'
    __string__ = "Survey Response"

    survey = fields.Many2One(
        'cus.survey', "Questionnaire", required=True, readonly=True,
        ondelete='RESTRICT')
    plan = fields.Many2One(
        'cus.ipus', "Plan", required=True, readonly=True,
        ondelete='RESTRICT')
    client = fields.Many2One(
        'party.party', "Client", required=True, readonly=True,
        ondelete='RESTRICT')
    sent_date = fields.Date("Sent On", required=True, readonly=True)
    expiry_date = fields.Date(
        "Link Valid Until", readonly=True,
        help="After this date the link does not work anymore; paper "
        "answers can still be typed in.")
    channel = fields.Selection(
        CHANNELS, "Answered By", readonly=True,
        help="Paper: typed in by the staff; online: through the link.")
    answered_date = fields.Date(
        "Answered On",
        domain=[If(Eval('answered_date'),
                ('answered_date', '>=', Eval('sent_date')), ())],
        states={
            'readonly': Eval('state') == 'answered',
            },
        help="For paper answers, the date of the letter; today when left "
        "empty.")
    answered_by = fields.Many2One(
        'res.user', "Typed In By", readonly=True,
        states={
            'invisible': Eval('channel') != 'paper',
            })
    token = fields.Char("Token", readonly=True)
    link = fields.Function(
        fields.Char(
            "Link for Online Answers",
            help="Print it on the letter or send it to the client: it "
            "works once, until the validity date."),
        'get_link')
    answers = fields.One2Many(
        'cus.survey.answer', 'response', "Answers",
        states={
            'readonly': Eval('state') == 'answered',
            })
    state = fields.Selection(
        RESPONSE_STATES, "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_constraints += [
            ('token_unique', Unique(t, t.token),
                'cus_ipus.msg_survey_response_token_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.plan, Index.Range())),
                Index(t, (t.survey, Index.Range()),
                    (t.sent_date, Index.Range())),
                Index(t, (t.client, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.expiry_date, Index.Range()),
                    where=t.state == 'sent'),
                })
        cls._order = [('sent_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('sent', 'answered'),
            ('expired', 'answered'),
            ('sent', 'expired'),
            }
        cls._buttons.update({
                'record_paper': {
                    'invisible': Eval('state') == 'answered',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'renew': {
                    'invisible': Eval('state') == 'answered',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'sent'

    @classmethod
    def default_sent_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def link_base(cls):
        """The address before /ankieta/<token>: [cus] public_url, else
        [web] hostname, else the host of the request, else a path"""
        transaction = Transaction()
        path = '/' + urllib.parse.quote(transaction.database.name)
        url = config.get('cus', 'public_url', default='')
        if url:
            return url.rstrip('/') + path
        hostname = config.get('web', 'hostname', default='')
        if hostname:
            scheme = 'https' if is_secure() else 'http'
            return f'{scheme}://{hostname}{path}'
        request = transaction.context.get('_request') or {}
        if request.get('http_host'):
            return http_base().rstrip('/') + path
        return path

    @classmethod
    def get_link(cls, responses, name):
        base = cls.link_base()
        return {
            r.id: f'{base}/ankieta/{r.token}' if r.token else None
            for r in responses}

    def get_rec_name(self, name):
        return f'{self.survey.rec_name} – {self.plan.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith(('!', 'not ')) else 'OR'
        return [bool_op,
            ('survey.rec_name', operator, operand, *extra),
            ('plan.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'expired', 'muted',
                    If(Eval('state') == 'answered', 'success', ''))),
            ]

    @classmethod
    def check_modification(cls, mode, responses, values=None,
            external=False):
        super().check_modification(
            mode, responses, values=values, external=external)
        if mode == 'delete':
            for response in responses:
                if response.state == 'answered':
                    raise SurveyDeleteError(gettext(
                            'cus_ipus.msg_survey_response_delete',
                            response=response.rec_name))

    @classmethod
    def copy(cls, responses, default=None):
        # A copy would share the link or lose the answers: send again.
        if responses:
            raise SurveyError(gettext('cus_ipus.msg_survey_response_copy'))
        return super().copy(responses, default=default)

    @classmethod
    def check_complete(cls, responses):
        "Raise when a required question has no answer"
        for response in responses:
            for answer in response.answers:
                if answer.question.required and not answer.has_value:
                    raise SurveyValidationError(gettext(
                            'cus_ipus.msg_survey_answer_required',
                            response=response.rec_name,
                            question=answer.question.rec_name))

    @classmethod
    @ModelView.button
    def record_paper(cls, responses):
        "The answers of the paper questionnaires are typed in"
        cls.record_answers(responses, 'paper')

    @classmethod
    @Workflow.transition('answered')
    def record_answers(cls, responses, channel):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        cls.check_complete(responses)
        to_write = []
        for response in responses:
            date = response.answered_date or today
            if date > today or date < response.sent_date:
                raise SurveyValidationError(gettext(
                        'cus_ipus.msg_survey_answered_date',
                        response=response.rec_name,
                        date=date.strftime('%d.%m.%Y')))
            to_write.extend([[response], {
                        'channel': channel,
                        'answered_date': date,
                        'answered_by': (Transaction().user or None)
                        if channel == 'paper' else None,
                        # The link works once.
                        'token': None,
                        }])
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    def renew(cls, responses):
        "A new link (the old one stops working) valid for the full period"
        Date = Pool().get('ir.date')
        today = Date.today()
        to_write = []
        for response in responses:
            if response.state == 'answered':
                continue
            to_write.extend([[response], {
                        'state': 'sent',
                        'token': new_token(),
                        'expiry_date': today + dt.timedelta(
                            days=response.survey.validity_days),
                        }])
        if to_write:
            cls.write(*to_write)

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, responses):
        cls.write(responses, {'token': None})

    @classmethod
    def expire_links(cls):
        "Expire the links past their validity (the daily cron)"
        Date = Pool().get('ir.date')
        responses = cls.search([
                ('state', '=', 'sent'),
                ('expiry_date', '<', Date.today()),
                ])
        cls.expire(responses)
        return responses

    # The public page of the one-time link (cus_partners/survey_routes.py)

    @classmethod
    def find_by_token(cls, token):
        "The response the one-time link opens, or None"
        Date = Pool().get('ir.date')
        if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
            return None
        responses = cls.search([
                ('token', '=', token),
                ('state', '=', 'sent'),
                ('expiry_date', '>=', Date.today()),
                ], limit=1)
        return responses[0] if responses else None

    def parse_online(self, raw):
        """Check the answers typed on the public page

        raw maps the answer ids to the texts sent by the form. Returns the
        values to write per answer and the list of errors."""
        values, errors = {}, []
        for answer in self.answers:
            question = answer.question
            text = (raw.get(answer.id) or '').strip()
            value = {'scale': None, 'choice': None, 'text': None}
            if question.kind == 'scale' and text:
                if (text.isdigit() and len(text) < 3
                        and SCALE_MIN <= int(text) <= SCALE_MAX):
                    value['scale'] = int(text)
                else:
                    errors.append(gettext(
                            'cus_ipus.msg_survey_answer_scale',
                            question=question.rec_name))
                    continue
            elif question.kind == 'choice' and text:
                options = {str(o.id): o.id for o in question.options}
                if text not in options:
                    errors.append(gettext(
                            'cus_ipus.msg_survey_answer_choice',
                            question=question.rec_name))
                    continue
                value['choice'] = options[text]
            elif question.kind == 'text' and text:
                if len(text) > MAX_TEXT:
                    errors.append(gettext(
                            'cus_ipus.msg_survey_answer_too_long',
                            question=question.rec_name, size=MAX_TEXT))
                    continue
                value['text'] = text
            if question.required and not any(
                    v is not None for v in value.values()):
                errors.append(gettext(
                        'cus_ipus.msg_survey_online_required',
                        question=question.rec_name))
                continue
            values[answer] = value
        return values, errors

    @classmethod
    def answer_online(cls, response, raw):
        """Record the answers sent through the one-time link

        Returns the errors (nothing recorded then); raises SurveyLinkInvalid
        when the link was used or expired meanwhile."""
        pool = Pool()
        Answer = pool.get('cus.survey.answer')
        Date = pool.get('ir.date')
        # Two submissions of the same link: one wins, the other finds it
        # used.
        cls.lock([response])
        response = cls(response.id)
        if (response.state != 'sent' or not response.token
                or response.expiry_date < Date.today()):
            raise SurveyLinkInvalid()
        values, errors = response.parse_online(raw)
        if errors:
            return errors
        to_write = []
        for answer, value in values.items():
            to_write.extend([[answer], value])
        if to_write:
            Answer.write(*to_write)
        cls.record_answers([response], 'online')
        return []


class SurveyAnswer(ModelSQL, ModelView):
    "The answer to a question of a sent questionnaire"
    __name__ = 'cus.survey.answer'
    __string__ = "Survey Answer"

    response = fields.Many2One(
        'cus.survey.response', "Response", required=True, readonly=True,
        ondelete='CASCADE')
    question = fields.Many2One(
        'cus.survey.question', "Question", required=True, readonly=True,
        ondelete='RESTRICT')
    sequence = fields.Integer("Sequence", readonly=True)
    kind = fields.Function(
        fields.Selection(KINDS, "Kind"), 'on_change_with_kind')
    scale = fields.Integer(
        "Rating",
        domain=['OR',
            ('scale', '=', None),
            [('scale', '>=', SCALE_MIN), ('scale', '<=', SCALE_MAX)],
            ],
        states={
            'invisible': Eval('kind') != 'scale',
            },
        help="From 1 (very bad) to 5 (very good).")
    choice = fields.Many2One(
        'cus.survey.question.option', "Choice", ondelete='RESTRICT',
        domain=[('question', '=', Eval('question', -1))],
        states={
            'invisible': Eval('kind') != 'choice',
            })
    text = fields.Text(
        "Text",
        states={
            'invisible': Eval('kind') != 'text',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('response')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.response, Index.Range())),
                Index(t, (t.question, Index.Range())),
                })
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]

    @fields.depends('question', '_parent_question.kind')
    def on_change_with_kind(self, name=None):
        return self.question.kind if self.question else None

    @property
    def has_value(self):
        return any(v is not None and v != '' for v in [
                self.scale, self.choice, self.text])

    def get_rec_name(self, name):
        return self.question.rec_name

    @classmethod
    def validate_fields(cls, answers, field_names):
        super().validate_fields(answers, field_names)
        if field_names & {'question', 'scale', 'choice', 'text'}:
            for answer in answers:
                kind = answer.question.kind
                wrong = [
                    f for f in ['scale', 'choice', 'text']
                    if f != kind and getattr(answer, f) not in {None, ''}]
                if wrong:
                    raise SurveyValidationError(gettext(
                            'cus_ipus.msg_survey_answer_kind',
                            question=answer.question.rec_name))

    @classmethod
    def check_modification(cls, mode, answers, values=None, external=False):
        super().check_modification(
            mode, answers, values=values, external=external)
        if mode in {'write', 'delete'}:
            for answer in answers:
                if answer.response.state == 'answered':
                    raise SurveyError(gettext(
                            'cus_ipus.msg_survey_answer_recorded',
                            response=answer.response.rec_name))


class SurveyResult(ModelSQL, ModelView):
    """Survey results per period and service or provider

    A response counts for the services (and their providers) of its plan,
    in the period of its sending: sent are the questionnaires sent in the
    period, answered those of them answered (at any date), and the averages
    are those of their scale answers per indicator."""
    __name__ = 'cus.survey.result'
    __string__ = "Survey Results"

    year = fields.Integer("Year")
    period_number = fields.Integer(
        "Month or Quarter", help="The month or the quarter of the year.")
    period = fields.Function(fields.Char("Period"), 'get_period')
    service = fields.Many2One('cus.service', "Service")
    provider = fields.Many2One(
        'party.party', "Provider",
        help="Empty when the CUS delivers the service itself.")
    label = fields.Function(fields.Char("Row"), 'get_label')
    sent = fields.Integer("Sent")
    answered = fields.Integer("Answered")
    response_rate = fields.Float(
        "Response Rate (%)", digits=(16, 1),
        help="Answered as a percentage of sent.")
    satisfaction = fields.Float("Satisfaction", digits=(16, 2))
    timeliness = fields.Float("Timeliness", digits=(16, 2))
    competence = fields.Float("Staff Competence", digits=(16, 2))
    availability = fields.Float("Availability", digits=(16, 2))
    clarity = fields.Float("Clarity of Procedures", digits=(16, 2))
    average = fields.Float(
        "All Scale Questions", digits=(16, 2),
        help="The average of all the scale answers, with an indicator or "
        "not.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('year', 'DESC'), ('period_number', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _response_where(cls, response, context):
        where = Literal(True)
        if context.get('survey'):
            where &= response.survey == context['survey']
        if context.get('from_date'):
            where &= response.sent_date >= context['from_date']
        if context.get('to_date'):
            where &= response.sent_date <= context['to_date']
        return where

    @classmethod
    def table_query(cls):
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Answer = pool.get('cus.survey.answer')
        Question = pool.get('cus.survey.question')
        Line = pool.get('cus.ipus.line')
        context = Transaction().context
        response = Response.__table__()
        line = Line.__table__()
        answer = Answer.__table__()
        question = Question.__table__()
        period = context.get('period') or 'quarter'
        group_by = context.get('group_by') or 'service'

        # The period of each response first, so that the groupings below
        # use plain columns.
        month = Cast(Extract('MONTH', response.sent_date), 'INTEGER')
        if period == 'all':
            year = number = Cast(Literal(0), 'INTEGER')
        else:
            year = Cast(Extract('YEAR', response.sent_date), 'INTEGER')
            number = month if period == 'month' else (month + 2) / 3
        responses = response.select(
            response.id, response.plan, response.state,
            year.as_('year'), number.as_('number'),
            where=cls._response_where(response, context))

        # A response counts once for each service (and provider) of its
        # plan; the lines still waiting for a place gave no service.
        service = (line.service if group_by in {'service', 'both'}
            else Cast(Null, 'INTEGER'))
        provider = (line.provider if group_by in {'provider', 'both'}
            else Cast(Null, 'INTEGER'))
        unit_group = [responses.id, responses.state, responses.year,
            responses.number]
        if group_by in {'service', 'both'}:
            unit_group.append(line.service)
        if group_by in {'provider', 'both'}:
            unit_group.append(line.provider)
        units = (responses
            .join(line, condition=line.plan == responses.plan)
            .select(
                responses.id.as_('response'), responses.state.as_('state'),
                responses.year.as_('year'), responses.number.as_('number'),
                service.as_('service'), provider.as_('provider'),
                Min(line.id).as_('line'),
                where=line.state != 'waiting',
                group_by=unit_group))

        def rounded(value, digits):
            return Cast(Round(Cast(value, 'NUMERIC'), digits), 'FLOAT')

        def dimension_average(dimension=None):
            value = answer.scale
            if dimension:
                value = Case((question.dimension == dimension, answer.scale))
            return rounded(Avg(value), 2)

        answered = Count(
            Case((units.state == 'answered', units.response)), distinct=True)
        sent = Count(units.response, distinct=True)
        # The answers of the answered responses only: the lines of those
        # waiting are empty or half typed in.
        from_ = (units
            .join(answer, 'LEFT', condition=(answer.response == units.response)
                & (units.state == 'answered') & (answer.scale != Null))
            .join(question, 'LEFT', condition=(question.id == answer.question)
                & (question.kind == 'scale')))
        # A line belongs to one plan, service and provider, and a response
        # to one period: (line, period) rows never fall in two groups.
        row_id = Min(units.line * 1000000 + units.year * 100 + units.number)
        return from_.select(
            row_id.as_('id'),
            units.year.as_('year'),
            units.number.as_('period_number'),
            units.service.as_('service'),
            units.provider.as_('provider'),
            sent.as_('sent'),
            answered.as_('answered'),
            rounded(Cast(answered, 'FLOAT') * 100 / sent, 1).as_(
                'response_rate'),
            *(dimension_average(d).as_(d) for d in INDICATOR_DIMENSIONS),
            dimension_average().as_('average'),
            group_by=[units.year, units.number, units.service,
                units.provider])

    @classmethod
    def get_period(cls, results, name):
        period = Transaction().context.get('period') or 'quarter'
        result = {}
        for row in results:
            if period == 'all' or not row.year:
                result[row.id] = gettext('cus_ipus.msg_survey_result_all')
            elif period == 'month':
                result[row.id] = f'{row.period_number:02d}.{row.year}'
            else:
                result[row.id] = gettext(
                    'cus_ipus.msg_survey_result_quarter',
                    quarter=row.period_number, year=row.year)
        return result

    @classmethod
    def get_label(cls, results, name):
        period = Transaction().context.get('period') or 'quarter'
        in_house = gettext('cus_ipus.msg_survey_result_in_house')
        result = {}
        for row in results:
            parts = []
            if period != 'all':
                parts.append(row.period)
            if row.service:
                parts.append(row.service.rec_name)
            if row.provider or (
                    Transaction().context.get('group_by') in {
                        'provider', 'both'}):
                parts.append(
                    row.provider.rec_name if row.provider else in_house)
            result[row.id] = ' – '.join(parts) or row.period
        return result

    def get_rec_name(self, name):
        return self.label

    @classmethod
    def indicator_scores(cls, start, end):
        """The Koszalin survey indicators of the questionnaires sent from
        start to end (dates, both included)

        Returns {dimension: (average, answered, sent)} for the dimensions
        satisfaction, timeliness, competence, availability and clarity:
        average is the mean (float, 2 decimals) of the scale answers (1-5)
        of the questions tagged with the dimension, None without answers;
        answered counts the answered responses with at least one such
        answer; sent counts the responses of questionnaires that have such a
        question."""
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Answer = pool.get('cus.survey.answer')
        Question = pool.get('cus.survey.question')
        response = Response.__table__()
        answer = Answer.__table__()
        question = Question.__table__()
        cursor = Transaction().connection.cursor()
        in_period = ((response.sent_date >= start)
            & (response.sent_date <= end))
        tagged = ((question.kind == 'scale')
            & question.dimension.in_(INDICATOR_DIMENSIONS))

        cursor.execute(*response
            .join(question, condition=question.survey == response.survey)
            .select(
                question.dimension, Count(response.id, distinct=True),
                where=in_period & tagged,
                group_by=[question.dimension]))
        sent = dict(cursor)

        cursor.execute(*answer
            .join(response, condition=answer.response == response.id)
            .join(question, condition=answer.question == question.id)
            .select(
                question.dimension,
                Cast(Avg(answer.scale), 'FLOAT'),
                Count(response.id, distinct=True),
                where=in_period & tagged
                & (response.state == 'answered')
                & (answer.scale != Null),
                group_by=[question.dimension]))
        answers = {d: (a, n) for d, a, n in cursor}

        result = {}
        for dimension in INDICATOR_DIMENSIONS:
            average, answered = answers.get(dimension, (None, 0))
            if average is not None:
                average = round(float(average), 2)
            result[dimension] = (average, answered, sent.get(dimension, 0))
        return result


class SurveyResultContext(ModelView):
    "Filter of the survey results"
    __name__ = 'cus.survey.result.context'
    __string__ = "Survey Results Filter"

    survey = fields.Many2One('cus.survey', "Questionnaire")
    from_date = fields.Date(
        "Sent From",
        domain=[If(Eval('from_date') & Eval('to_date'),
                ('from_date', '<=', Eval('to_date')), ())])
    to_date = fields.Date(
        "Sent To",
        domain=[If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')), ())])
    period = fields.Selection(PERIODS, "Period", required=True, sort=False)
    group_by = fields.Selection(
        GROUPINGS, "Per", required=True, sort=False)

    @classmethod
    def default_survey(cls):
        return Transaction().context.get('survey')

    @classmethod
    def default_from_date(cls):
        return Transaction().context.get('from_date')

    @classmethod
    def default_to_date(cls):
        return Transaction().context.get('to_date')

    @classmethod
    def default_period(cls):
        return Transaction().context.get('period') or 'quarter'

    @classmethod
    def default_group_by(cls):
        return Transaction().context.get('group_by') or 'service'


class Ipus(metaclass=PoolMeta):
    __name__ = 'cus.ipus'

    survey_responses = fields.One2Many(
        'cus.survey.response', 'plan', "Satisfaction Surveys", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'send_survey': {
                    'invisible': ~Eval('state').in_(SURVEYED_PLAN_STATES),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('survey_responses', None)
        return super().copy(plans, default=default)

    @classmethod
    def close(cls, plans):
        Survey = Pool().get('cus.survey')
        # The transition leaves out the plans that were not running.
        running = [p.id for p in plans if p.state == 'running']
        super().close(plans)
        Survey.send_on_closing(cls.browse(running))

    @classmethod
    @ModelView.button_action('cus_ipus.wizard_survey_send')
    def send_survey(cls, plans):
        pass


class SurveySendStart(ModelView):
    "Send a questionnaire to the clients of plans"
    __name__ = 'cus.survey.send.start'
    __string__ = "Send a Questionnaire"

    survey = fields.Many2One(
        'cus.survey', "Questionnaire", required=True,
        domain=[('active', '=', True)])


class SurveySend(Wizard):
    "Send a questionnaire to the clients of the plans"
    __name__ = 'cus.survey.send'

    start = StateView('cus.survey.send.start',
        'cus_ipus.survey_send_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-ok', default=True),
            ])
    send = StateAction('cus_ipus.act_survey_response_form')

    def default_start(self, fields):
        Survey = Pool().get('cus.survey')
        states = {p.state for p in self.records}
        sending = 'closing' if states == {'closed'} else 'periodic'
        surveys = Survey.search([('sending', '=', sending)], limit=2)
        return {'survey': surveys[0].id} if len(surveys) == 1 else {}

    def do_send(self, action):
        Survey = Pool().get('cus.survey')
        responses = Survey.send_to(self.start.survey, self.records)
        if not responses:
            raise SurveyError(gettext(
                    'cus_ipus.msg_survey_already_pending',
                    survey=self.start.survey.rec_name))
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [r.id for r in responses])])
        return action, {}


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        Answer = Pool().get('cus.survey.answer')
        # What the client wrote may name people; the ratings stay for the
        # results.
        return super().to_erase(party_id) + [
            (Answer, [('response.client', '=', party_id)], False,
                ['text'], [None]),
            ]


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('cus.survey|send_periodic',
                    "Send the Periodic Satisfaction Questionnaires"),
                ('cus.survey.response|expire_links',
                    "Expire the Survey Links past Their Validity"),
                ])
