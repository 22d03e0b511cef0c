# This file is part of the CUS back office.
"""Retention of the case records of cus_ipus

A person whose case is over (a closed plan, or an application refused or
referred elsewhere without a plan) is anonymised when every record of the
case (applications, needs assessments, plans, deliveries, monitoring
contacts, complaints, questionnaires) is older than the period of the rule.
The records stay, with their dates, quantities, services and states, so the
service base counters, the indicators and the reports count them as before;
their free texts and the person's data go.
"""
import datetime as dt

from sql import Null, Union
from sql.aggregate import Count, Max

from trytond import backend
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

PERSON_KINDS = {'closed_plans', 'refused_applications'}


class RetentionRule(metaclass=PoolMeta):
    __name__ = 'cus.retention.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.extend([
                ('closed_plans', "Closed Plans with Their Applications, "
                    "Assessments and Deliveries"),
                ('refused_applications',
                    "Refused or Referred Applications without a Plan"),
                ('enquiries', "Enquiries"),
                ('survey_responses', "Satisfaction Questionnaire Answers"),
                ])

    @classmethod
    def anonymise_only_kinds(cls):
        return super().anonymise_only_kinds() | PERSON_KINDS | {
            'enquiries', 'survey_responses'}

    @classmethod
    def _expired_persons(cls, candidates, before):
        """The parties of the candidates query whose every case record is
        before the date and who are not anonymised yet"""
        pool = Pool()
        Party = pool.get('party.party')
        party = Party.__table__()
        activity = Union(*Party.retention_activity_queries(), all_=True)
        last = activity.select(
            activity.party, Max(activity.date).as_('date'),
            group_by=[activity.party])
        cursor = Transaction().connection.cursor()
        cursor.execute(*last.join(
                party, condition=party.id == last.party).select(
                last.party,
                where=(last.date < before)
                & (party.anonymised_on == Null)
                & last.party.in_(candidates)))
        return [p for p, in cursor]

    def _anonymise_persons(self, candidates, before, Model, client_column):
        "Anonymise the expired persons; count their records of Model"
        pool = Pool()
        Party = pool.get('party.party')
        table = Model.__table__()
        cursor = Transaction().connection.cursor()
        ids = Party.retention_anonymise(
            self._expired_persons(candidates, before))
        records = 0
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(Count(table.id),
                    where=SQL_OPERATORS['in'](
                        getattr(table, client_column), list(sub_ids))))
            records += cursor.fetchone()[0]
        return records, len(ids)

    @classmethod
    def closed_plan_candidates(cls):
        "The query of the clients with a closed plan and no open one"
        Ipus = Pool().get('cus.ipus')
        plan = Ipus.__table__()
        still_open = plan.select(plan.client,
            where=plan.state.in_(['draft', 'approved', 'running']))
        return plan.select(plan.client,
            where=(plan.state == 'closed') & ~plan.client.in_(still_open))

    def apply_closed_plans(self, before):
        Ipus = Pool().get('cus.ipus')
        return self._anonymise_persons(
            self.closed_plan_candidates(), before, Ipus, 'client')

    def apply_refused_applications(self, before):
        pool = Pool()
        Application = pool.get('cus.application')
        Ipus = pool.get('cus.ipus')
        application = Application.__table__()
        plan = Ipus.__table__()
        other = Application.__table__()
        with_plan = plan.select(plan.client)
        pending = other.select(other.client,
            where=other.state.in_(['draft', 'submitted', 'qualified']))
        candidates = application.select(application.client,
            where=application.state.in_(['refused', 'referred'])
            & ~application.client.in_(with_plan)
            & ~application.client.in_(pending))
        return self._anonymise_persons(
            candidates, before, Application, 'client')

    def apply_enquiries(self, before):
        "Clear who asked and what was said; the topic and channel stay"
        Enquiry = Pool().get('cus.enquiry')
        enquiry = Enquiry.__table__()
        cursor = Transaction().connection.cursor()
        where = ((enquiry.date < dt.datetime.combine(before, dt.time()))
            & ((enquiry.person_name != Null) | (enquiry.client != Null)
                | (enquiry.information != Null)))
        cursor.execute(*enquiry.select(Count(enquiry.id), where=where))
        records, = cursor.fetchone()
        cursor.execute(*enquiry.update(
                [enquiry.person_name, enquiry.client, enquiry.information],
                [Null, Null, Null], where=where))
        return records, 0

    def apply_survey_responses(self, before):
        """Clear what the persons wrote in the questionnaires; the ratings
        stay for the quality figures"""
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Answer = pool.get('cus.survey.answer')
        response = Response.__table__()
        answer = Answer.__table__()
        cursor = Transaction().connection.cursor()
        old = response.select(response.id,
            where=response.sent_date < before)
        where = answer.response.in_(old) & (answer.text != Null)
        cursor.execute(*answer.select(Count(answer.id), where=where))
        records, = cursor.fetchone()
        cursor.execute(*answer.update([answer.text], [Null], where=where))
        return records, 0


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def retention_activity_queries(cls):
        pool = Pool()
        queries = super().retention_activity_queries()

        def dates(Model, client, *names):
            table = Model.__table__()
            for name in names:
                queries.append(table.select(
                        getattr(table, client).as_('party'),
                        getattr(table, name).as_('date')))

        dates(pool.get('cus.application'), 'client',
            'application_date', 'decision_date')
        dates(pool.get('cus.needs.assessment'), 'client', 'date')
        dates(pool.get('cus.ipus'), 'client',
            'drawn_up_date', 'valid_to', 'summary_date')
        dates(pool.get('cus.service.delivery'), 'client', 'date')
        dates(pool.get('cus.complaint'), 'person',
            'received_date', 'answer_date')
        dates(pool.get('cus.survey.response'), 'client',
            'sent_date', 'answered_date')
        Monitoring = pool.get('cus.ipus.monitoring')
        Ipus = pool.get('cus.ipus')
        monitoring = Monitoring.__table__()
        plan = Ipus.__table__()
        queries.append(monitoring.join(
                plan, condition=plan.id == monitoring.plan).select(
                plan.client.as_('party'), monitoring.date.as_('date')))
        return queries


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Application = pool.get('cus.application')
        ApplicationLine = pool.get('cus.application.line')
        Assessment = pool.get('cus.needs.assessment')
        AssessmentLine = pool.get('cus.needs.assessment.line')
        Ipus = pool.get('cus.ipus')
        IpusLine = pool.get('cus.ipus.line')
        Delivery = pool.get('cus.service.delivery')
        Monitoring = pool.get('cus.ipus.monitoring')
        Complaint = pool.get('cus.complaint')
        Enquiry = pool.get('cus.enquiry')
        # The free texts of the case and the copies of the personal data in
        # the assessment; dates, services, quantities and states stay.
        return super().to_erase(party_id) + [
            (Application, [('client', '=', party_id)], True,
                ['description', 'discount_basis', 'online_data',
                    'refusal_reason', 'referred_to', 'referral_reason'],
                [None] * 6),
            (ApplicationLine, [('application.client', '=', party_id)], False,
                ['notes'], [None]),
            (Assessment, [('client', '=', party_id)], True,
                ['name', 'pesel', 'birth_date', 'address', 'phone',
                    'occupation', 'employment_situation', 'marital_status',
                    'disability_degree', 'disability', 'health', 'problems',
                    'needs', 'readiness_notes', 'feasibility'],
                ['****'] + [None] * 14),
            (AssessmentLine, [('assessment.client', '=', party_id)], False,
                ['description', 'frequency'], [None, None]),
            (Ipus, [('client', '=', party_id)], True,
                ['update_reason', 'late_justification', 'needs',
                    'expected_effects', 'check_notes', 'course_and_results',
                    'osl_directions'],
                [None] * 7),
            (IpusLine, [('plan.client', '=', party_id)], False,
                ['scope', 'place', 'schedule'], [None] * 3),
            (Delivery, [('client', '=', party_id)], True,
                ['notes', 'rejection_reason'], [None, None]),
            (Monitoring, [('plan.client', '=', party_id)], True,
                ['findings', 'action'], [None, None]),
            (Complaint, [('person', '=', party_id)], True,
                ['subject', 'description', 'answer'], ['****', None, None]),
            (Enquiry, [('client', '=', party_id)], False,
                ['person_name', 'information'], [None, None]),
            ]
