# This file is part of the CUS back office.
import datetime as dt
import json
import unittest

from dateutil.relativedelta import relativedelta

from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from cus_base.tests.tools import rolled_back_on_error, valid_pesel

from .tools import create_ipus_fixture, create_staff_user

D = dt.date
DEFAULT = object()


def days_ago(days):
    return Pool().get('ir.date').today() - dt.timedelta(days=days)


class MonitoringTestCase(unittest.TestCase):
    "Test the monitoring of the plans, the meetings, summaries and complaints"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_ipus')

    def _plan(self, fx, valid_from, valid_to=None, client=None,
            coordinator=DEFAULT, quantity=12, approve=True, run=True,
            approved_date=None):
        "A plan of care services (must run in set_company)"
        Ipus = Pool().get('cus.ipus')
        if valid_to is None:
            valid_to = valid_from + relativedelta(years=1, days=-1)
        if coordinator is DEFAULT:
            coordinator = fx['coordinator']
        plan, = Ipus.create([{
                    'client': (client or fx['client']).id,
                    'coordinator': coordinator.id if coordinator else None,
                    'valid_from': valid_from,
                    'valid_to': valid_to,
                    'drawn_up_date': valid_from,
                    'expected_effects': "Samodzielne życie w domu",
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'start_date': valid_from,
                                    'end_date': valid_to,
                                    'per_week': 6,
                                    'quantity': quantity,
                                    }])],
                    }])
        if approve:
            Ipus.approve([plan])
            if approved_date:
                Ipus.write([plan], {'approved_date': approved_date})
            if run:
                Ipus.run([plan])
        return plan

    def _contact(self, plan, date, **values):
        Monitoring = Pool().get('cus.ipus.monitoring')
        values.setdefault('kind', 'phone')
        monitoring, = Monitoring.create([dict(
                    plan=plan.id, date=date, **values)])
        return monitoring

    def _client(self, name, birth_date, serial):
        Party = Pool().get('party.party')
        client, = Party.create([{
                    'name': name, 'cus_client': True,
                    'client_category': 'resident',
                    'pesel': valid_pesel(birth_date, serial=serial),
                    }])
        return client

    def _close(self, plan, summary_date, outcome='achieved', **values):
        Ipus = Pool().get('cus.ipus')
        Ipus.write([plan], dict({
                    'summary_date': summary_date,
                    'course_and_results': "Plan zrealizowany",
                    'outcome': outcome,
                    }, **values))
        Ipus.close([plan])

    def _deliver(self, plan, date, quantity, confirm=True):
        Delivery = Pool().get('cus.service.delivery')
        line, = plan.lines
        delivery, = Delivery.create([{
                    'line': line.id, 'client': plan.client.id,
                    'service': line.service.id, 'date': date,
                    'quantity': quantity,
                    }])
        if confirm:
            Delivery.confirm([delivery])
        return delivery

    def _tab_domain(self, xml_id):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        ActionDomain = pool.get('ir.action.act_window.domain')
        domain = ActionDomain(ModelData.get_id('cus_ipus', xml_id))
        return PYSONDecoder({}).decode(domain.domain)

    # Monitoring

    @with_transaction()
    def test_monitoring_only_for_approved_or_running_plans(self):
        "Test contacts are recorded only for approved or running plans"
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            draft = self._plan(fx, days_ago(30), approve=False)
            approved = self._plan(fx, days_ago(30), run=False)
            running = self._plan(fx, days_ago(30))
            closed = self._plan(fx, days_ago(30))
            self._close(closed, days_ago(1))
        for plan in [draft, closed]:
            with self.assertRaises(ValidationError) as cm, \
                    rolled_back_on_error():
                self._contact(plan, days_ago(1))
            self.assertIn('approved or running', str(cm.exception))
        for plan in [approved, running]:
            contact = self._contact(plan, days_ago(1), satisfaction=5)
            self.assertEqual(contact.user.id, Transaction().user)
            self.assertEqual(contact.client, fx['client'])

    @with_transaction()
    def test_monitoring_date_and_satisfaction(self):
        "Test a contact is not in the future and satisfaction is 1 to 5"
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx, days_ago(30))
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            self._contact(plan, days_ago(-1))
        self.assertIn('in the future', str(cm.exception))
        for wrong in [0, 6]:
            with self.assertRaises(ValidationError, msg=wrong), \
                    rolled_back_on_error():
                self._contact(plan, days_ago(1), satisfaction=wrong)
        for right in [None, 1, 5]:
            self._contact(plan, days_ago(1), satisfaction=right)

    @with_transaction()
    def test_monitoring_through_the_running_plan(self):
        "Test contacts are added from a running plan but the plan is kept"
        Ipus = Pool().get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx, days_ago(30))
        Ipus.write([plan], {'monitorings': [('create', [{
                            'date': days_ago(2), 'kind': 'visit',
                            'contact_with': 'family',
                            'findings': "Rodzina zadowolona"}])]})
        self.assertEqual(len(plan.monitorings), 1)
        with self.assertRaises(UserError):
            Ipus.write([plan], {
                    'expected_effects': "Inne",
                    'monitorings': [('create', [{
                                    'date': days_ago(1), 'kind': 'phone'}])],
                    })

    @with_transaction()
    def test_last_contact_and_overdue(self):
        "Test the last contact, the overdue flag and its searcher"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Configuration = pool.get('cus.configuration')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            never = self._plan(fx, days_ago(200))
            recent = self._plan(fx, days_ago(200))
            stale = self._plan(fx, days_ago(300))
            boundary = self._plan(fx, days_ago(300))
            young = self._plan(fx, days_ago(30))
            approved = self._plan(fx, days_ago(200), run=False)
        self._contact(recent, days_ago(150))
        self._contact(recent, days_ago(10))
        self._contact(stale, days_ago(93))
        self._contact(boundary, days_ago(92))

        never, recent, stale, boundary, young, approved = Ipus.browse(
            [never, recent, stale, boundary, young, approved])
        self.assertIsNone(never.last_contact)
        self.assertEqual(never.monitoring_due, days_ago(200 - 92))
        self.assertTrue(never.overdue)
        self.assertEqual(recent.last_contact, days_ago(10))
        self.assertEqual(recent.monitoring_due, days_ago(10 - 92))
        self.assertFalse(recent.overdue)
        self.assertTrue(stale.overdue)
        self.assertFalse(boundary.overdue)
        self.assertFalse(young.overdue)
        self.assertFalse(approved.overdue)

        overdue = {never, stale}
        others = {recent, boundary, young, approved}
        self.assertEqual(set(Ipus.search([('overdue', '=', True)])), overdue)
        self.assertEqual(
            set(Ipus.search([('overdue', '=', False)])), others)
        self.assertEqual(
            set(Ipus.search([('overdue', '!=', True)])), others)
        self.assertEqual(set(Ipus.search([
                        ('overdue', '=', True),
                        ('valid_from', '=', days_ago(300)),
                        ])), {stale})
        # The tab of the plans
        self.assertEqual(
            set(Ipus.search(self._tab_domain('act_ipus_form_domain_overdue'))),
            overdue)

        config = Configuration(1)
        config.monitoring_interval_days = 365
        config.save()
        self.assertEqual(Ipus.search([('overdue', '=', True)]), [])
        self.assertFalse(Ipus(never.id).overdue)

    @with_transaction()
    def test_update_keeps_monitoring(self):
        "Test an update of a plan keeps the contacts of its previous version"
        Ipus = Pool().get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx, days_ago(200))
            self._contact(plan, days_ago(10))
            update = plan.make_update("Nowe potrzeby")
            self.assertEqual(update.monitorings, ())
            Ipus.approve([update])
        plan, update = Ipus.browse([plan, update])
        self.assertEqual(update.state, 'running')
        self.assertEqual(update.last_contact, days_ago(10))
        self.assertFalse(update.overdue)
        self.assertEqual(Ipus.search([('overdue', '=', True)]), [])

    @with_transaction()
    def test_overdue_plans_shown_as_warning(self):
        "Test the list of plans shows overdue plans as a warning"
        Ipus = Pool().get('cus.ipus')
        view = Ipus.fields_view_get(view_type='tree')
        self.assertIn('overdue', view['fields'])
        self.assertIn('warning', view['arch'])
        self.assertIn('muted', view['arch'])
        form = Ipus.fields_view_get(view_type='form')
        self.assertIn('monitorings', form['fields'])

    @with_transaction()
    def test_cron_notifies_coordinators(self):
        "Test the cron notifies each coordinator once a day"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Cron = pool.get('ir.cron')
        Notification = pool.get('res.notification')
        fx = create_ipus_fixture()
        anna = create_staff_user(
            'kipus1', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        ewa = create_staff_user(
            'kipus2', 'group_cus_coordinator', fx['company'],
            fx['other_coordinator'])
        with set_company(fx['company']):
            anna_overdue = [
                self._plan(fx, days_ago(200)), self._plan(fx, days_ago(150))]
            self._plan(fx, days_ago(10))
            ewa_overdue = self._plan(
                fx, days_ago(200), coordinator=fx['other_coordinator'])
            ewa_fine = self._plan(
                fx, days_ago(200), coordinator=fx['other_coordinator'])
            self._contact(ewa_fine, days_ago(5))
            self._plan(fx, days_ago(200), coordinator=None)

        cron = Cron(ModelData.get_id(
                'cus_ipus', 'cron_notify_overdue_monitoring'))
        self.assertEqual(cron.method, 'cus.ipus|notify_overdue_monitoring')
        Cron.run_once([cron])

        def notifications():
            return Notification.search(
                [('model', '=', 'cus.ipus')], order=[('id', 'ASC')])
        anna_note, ewa_note = sorted(
            notifications(), key=lambda n: n.user.login)
        self.assertEqual(anna_note.user, anna)
        self.assertEqual(
            json.loads(anna_note.records), sorted(p.id for p in anna_overdue))
        self.assertTrue(anna_note.label.endswith(': 2.'))
        self.assertEqual(ewa_note.user, ewa)
        self.assertEqual(json.loads(ewa_note.records), [ewa_overdue.id])
        self.assertTrue(ewa_note.label.endswith(': 1.'))
        self.assertIn(ewa_overdue.number, ewa_note.description)

        # No duplicate on the same day
        Cron.run_once([cron])
        self.assertEqual(len(notifications()), 2)

        # but a new one the next day
        table = Notification.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.create_date],
                [dt.datetime.combine(days_ago(1), dt.time(12))]))
        Cron.run_once([cron])
        self.assertEqual(len(notifications()), 4)

    # Coordination meetings

    @with_transaction()
    def test_meeting(self):
        "Test a coordination meeting: quarter, attendance and minutes"
        pool = Pool()
        Meeting = pool.get('cus.coordination.meeting')
        Party = pool.get('party.party')
        fx = create_ipus_fixture()
        provider, = Party.create([{'name': "Spółdzielnia Socjalna Razem"}])
        with set_company(fx['company']):
            plan = self._plan(fx, D(2021, 3, 1))
            meeting, = Meeting.create([{
                        'date': D(2021, 5, 12),
                        'topics': "Realizacja IPUS",
                        'plans': [('add', [plan.id])],
                        'providers': [('add', [provider.id])],
                        }])
        self.assertEqual((meeting.quarter, meeting.year), (2, 2021))
        self.assertIn('Q2 2021', meeting.rec_name)
        self.assertEqual(meeting.company, fx['company'])
        meeting.date = D(2021, 11, 3)
        meeting.save()
        self.assertEqual((meeting.quarter, meeting.year), (4, 2021))

        with self.assertRaises(UserError) as cm:
            Meeting.hold([meeting])
        self.assertIn('attendance', str(cm.exception))
        self.assertEqual(meeting.state, 'draft')
        Meeting.write([meeting], {
                'attendees': [('add', [
                            fx['coordinator'].id,
                            fx['other_coordinator'].id])],
                'minutes': "Omówiono plany i współpracę z usługodawcami.",
                })
        Meeting.hold([meeting])
        self.assertEqual(meeting.state, 'held')
        with self.assertRaises(AccessError), rolled_back_on_error():
            Meeting.delete([meeting])
        meeting = Meeting(meeting.id)
        Meeting.draft([meeting])
        Meeting.delete([meeting])

    # Half-yearly summary

    def _summary_fixture(self):
        """Plans of care around the first half of 2021:

        a: approved 1.2.2021, running, 100 h; deliveries 6 h in March, 6 h
           in July (after), 6 h reported only; contacts in May and June
           (and one in July, after)
        b: approved 1.10.2020, running, 50 h; 5 h delivered in 2020 and
           10 h in May; no contact
        c: approved 15.1.2021, 20 h, 4 h delivered; closed 31.5.2021 with
           directions for community organising
        e: approved 1.9.2020, 30 h, no contact; closed 1.8.2021 (after)
        and a draft, a plan approved in March but never started (10 h)
        and a cancelled one.
        """
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Monitoring = pool.get('cus.ipus.monitoring')
        fx = create_ipus_fixture()
        other = self._client("Helena Nowak", D(1938, 5, 2), 45)
        with set_company(fx['company']):
            a = self._plan(fx, D(2021, 2, 1), D(2021, 12, 31),
                quantity=100, approved_date=D(2021, 2, 1))
            b = self._plan(fx, D(2020, 10, 1), client=other, quantity=50,
                approved_date=D(2020, 10, 1))
            c = self._plan(fx, D(2021, 1, 15), D(2021, 6, 30), quantity=20,
                approved_date=D(2021, 1, 15))
            e = self._plan(fx, D(2020, 9, 1), client=other, quantity=30,
                approved_date=D(2020, 9, 1))
            self._plan(fx, D(2021, 3, 1), approve=False)
            # approved but never started
            self._plan(fx, D(2021, 3, 1), client=other, quantity=10,
                run=False, approved_date=D(2021, 3, 1))
            cancelled = self._plan(fx, D(2021, 3, 1), run=False,
                approved_date=D(2021, 3, 1))
            Ipus.cancel([cancelled])
        self._deliver(a, D(2021, 3, 1), 6)
        self._deliver(a, D(2021, 7, 5), 6)
        self._deliver(a, D(2021, 4, 1), 6, confirm=False)
        self._deliver(b, D(2020, 12, 1), 5)
        self._deliver(b, D(2021, 5, 5), 10)
        self._deliver(c, D(2021, 2, 10), 4)
        Monitoring.create([{
                    'plan': a.id, 'date': D(2021, 5, 10), 'kind': 'visit',
                    'satisfaction': 4,
                    }, {
                    'plan': a.id, 'date': D(2021, 6, 1),
                    'kind': 'satisfaction', 'satisfaction': 5,
                    }, {
                    'plan': a.id, 'date': D(2021, 7, 1), 'kind': 'phone',
                    'satisfaction': 1,
                    }])
        self._close(c, D(2021, 5, 31),
            osl_directions="Potrzebny klub seniora na osiedlu.")
        self._close(e, D(2021, 8, 1), outcome='resigned',
            osl_directions="Poza okresem.")
        return fx, {'a': a, 'b': b, 'c': c, 'e': e}

    @with_transaction()
    def test_summary_figures(self):
        "Test the figures of the half-yearly summary"
        Summary = Pool().get('cus.ipus.summary')
        fx, plans = self._summary_fixture()
        with set_company(fx['company']):
            summary, = Summary.create([{
                        'start_date': D(2021, 1, 1),
                        'end_date': D(2021, 6, 30),
                        }])
        Summary.compute([summary])
        figures = {
            (l.kind, l.service and l.service.id, l.outcome): l.value
            for l in summary.lines}
        care = fx['care'].id
        self.assertEqual(figures, {
                # a, c and the plan never started
                ('opened', None, None): 3,
                ('updated', None, None): 0,
                # a, b and e (closed after the period)
                ('running', None, None): 3,
                # c
                ('closed', None, None): 1,
                ('outcome', None, 'achieved'): 1,
                ('outcome', None, 'partly'): 0,
                ('outcome', None, 'not_achieved'): 0,
                ('outcome', None, 'resigned'): 0,
                ('outcome', None, 'other'): 0,
                # b and e: no contact since more than 92 days before 30.6
                ('overdue', None, None): 2,
                ('contacts', None, None): 2,
                ('satisfaction', None, None): 4.5,
                ('service_persons', care, None): 2,
                # a, b, c, e and the plan never started
                ('service_granted', care, None): 210,
                # 6 + 10 + 4
                ('service_delivered', care, None): 20,
                # (20 + 5 in 2020) / 210
                ('service_rate', care, None): 11.9,
                })
        self.assertEqual(
            summary.lines[0].label, "Plans Opened")
        granted, = [l for l in summary.lines if l.kind == 'service_granted']
        self.assertEqual(granted.label, fx['care'].rec_name)
        self.assertEqual(granted.unit, fx['care'].unit)
        self.assertEqual(
            summary.osl_directions,
            "%s: Potrzebny klub seniora na osiedlu." % plans['c'].number)
        self.assertTrue(summary.computed_on)

        # The figures stay as they were computed
        self._deliver(plans['a'], D(2021, 6, 2), 1)
        summary = Summary(summary.id)
        self.assertEqual(
            [l.value for l in summary.lines
                if l.kind == 'service_delivered'], [20])
        # and the directions written by the author are kept on a new
        # computation
        summary.osl_directions = "Własne wnioski"
        summary.save()
        Summary.compute([summary])
        self.assertEqual(summary.osl_directions, "Własne wnioski")
        self.assertEqual(
            [l.value for l in summary.lines
                if l.kind == 'service_delivered'], [21])

    @with_transaction()
    def test_summary_period_and_workflow(self):
        "Test the period of a summary, its computation, done and notices"
        pool = Pool()
        Summary = pool.get('cus.ipus.summary')
        Line = pool.get('cus.ipus.summary.line')
        Notification = pool.get('res.notification')
        fx = create_ipus_fixture()
        director = create_staff_user(
            'dyr', 'group_cus_director', fx['company'])
        community = create_staff_user(
            'osl', 'group_cus_community', fx['company'])
        with set_company(fx['company']):
            for start, end in [
                    (D(2021, 6, 30), D(2021, 1, 1)),
                    (D(2021, 1, 1), D(2021, 1, 1))]:
                with self.assertRaises(ValidationError) as cm, \
                        rolled_back_on_error():
                    Summary.create([{'start_date': start, 'end_date': end}])
                self.assertIn('end after it starts', str(cm.exception))
            summary, = Summary.create([{
                        'start_date': D(2021, 1, 1),
                        'end_date': D(2021, 6, 30),
                        'recipients': [('add', [director.id, community.id])],
                        }])
        with self.assertRaises(UserError) as cm:
            Summary.done([summary])
        self.assertIn('Compute', str(cm.exception))
        Summary.compute([summary])
        Summary.done([summary])
        self.assertEqual(summary.state, 'done')
        notes = Notification.search([('model', '=', 'cus.ipus.summary')])
        self.assertEqual(
            {n.user for n in notes}, {director, community})
        self.assertEqual(
            {json.loads(n.records)[0] for n in notes}, {summary.id})

        for refused in [
                lambda: Summary.compute([summary]),
                lambda: Summary.write([summary], {'conclusions': "Zmiana"}),
                lambda: Line.write(list(summary.lines), {'value': 0}),
                ]:
            with self.assertRaises(UserError), rolled_back_on_error():
                refused()
        with self.assertRaises(AccessError), rolled_back_on_error():
            Summary.delete([summary])
        summary = Summary(summary.id)
        Summary.draft([summary])
        Summary.write([summary], {'conclusions': "Zmiana"})
        Summary.delete([summary])
        self.assertEqual(Line.search([]), [])

    # Complaints and requests

    @with_transaction()
    def test_complaint_due_date_and_answer(self):
        "Test a complaint is due a month after receipt and is answered"
        pool = Pool()
        Complaint = pool.get('cus.complaint')
        fx = create_ipus_fixture()
        complaint, = Complaint.create([{
                    'person': fx['client'].id,
                    'received_date': D(2021, 1, 31),
                    'subject': "Spóźnienia opiekunki",
                    'service': fx['care'].id,
                    }])
        self.assertTrue(complaint.number.startswith('SW/'))
        self.assertEqual(complaint.kind, 'complaint')
        self.assertEqual(complaint.due_date, D(2021, 2, 28))
        self.assertEqual(Complaint.default_due_date(),
            days_ago(0) + relativedelta(months=1))
        complaint.received_date = D(2021, 3, 10)
        complaint.on_change_received_date()
        self.assertEqual(complaint.due_date, D(2021, 4, 10))
        # The due date can be put off
        later, = Complaint.create([{
                    'person': fx['client'].id, 'kind': 'request',
                    'received_date': D(2021, 1, 4),
                    'due_date': D(2021, 3, 4),
                    'subject': "Wniosek o zmianę godzin",
                    }])
        self.assertEqual(later.due_date, D(2021, 3, 4))
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            Complaint.write([later], {'due_date': D(2020, 12, 31)})
        self.assertIn('before its receipt', str(cm.exception))

        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Complaint.reply([later])
        self.assertIn('Write the answer', str(cm.exception))
        # The records read before a rollback are stale.
        later = Complaint(later.id)
        later.answer = "Godziny zmienione od poniedziałku."
        later.save()
        Complaint.reply([later])
        self.assertEqual(later.state, 'answered')
        self.assertEqual(later.answer_date, days_ago(0))
        self.assertEqual(later.answered_by.id, Transaction().user)
        with self.assertRaises(AccessError), rolled_back_on_error():
            Complaint.delete([later])
        Complaint.delete([Complaint(complaint.id)])

    @with_transaction()
    def test_complaint_overdue_and_provider_count(self):
        "Test overdue complaints, the tabs and the count of a provider"
        pool = Pool()
        Complaint = pool.get('cus.complaint')
        Party = pool.get('party.party')
        fx = create_ipus_fixture()
        provider, other = Party.create([
                {'name': "Opieka Sp. z o.o."}, {'name': "Fundacja Dom"}])

        def complaint(received, **values):
            record, = Complaint.create([dict({
                            'person': fx['client'].id,
                            'received_date': received,
                            'subject': "Jakość usługi",
                            'provider': provider.id,
                            }, **values)])
            return record
        overdue = complaint(days_ago(40))
        pending = complaint(days_ago(10))
        answered = complaint(days_ago(60), answer="Wyjaśniono.")
        Complaint.reply([answered])
        request = complaint(days_ago(50), kind='request')
        unrelated = complaint(days_ago(5), provider=None)

        self.assertTrue(overdue.overdue)
        self.assertFalse(pending.overdue)
        self.assertFalse(answered.overdue)
        self.assertEqual(
            set(Complaint.search([('overdue', '=', True)])),
            {overdue, request})
        self.assertEqual(
            set(Complaint.search([('overdue', '=', False)])),
            {pending, answered, unrelated})
        self.assertEqual(
            set(Complaint.search(
                    self._tab_domain('act_complaint_form_domain_overdue'))),
            {overdue, request})
        self.assertEqual(
            set(Complaint.search(
                    self._tab_domain('act_complaint_form_domain_open'))),
            {overdue, pending, request, unrelated})
        provider, other = Party.browse([provider, other])
        # Requests are not complaints about the provider
        self.assertEqual(provider.complaint_count, 3)
        self.assertEqual(other.complaint_count, 0)

    # Roles

    @with_transaction()
    def test_access_rights(self):
        "Test finance reads nothing and the community organiser summaries"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Monitoring = pool.get('cus.ipus.monitoring')
        Summary = pool.get('cus.ipus.summary')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            mine = self._plan(fx, days_ago(30))
            other = self._plan(
                fx, days_ago(30), coordinator=fx['other_coordinator'])
            summary, = Summary.create([{
                        'start_date': D(2021, 1, 1),
                        'end_date': D(2021, 6, 30)}])
        Summary.compute([summary])
        self._contact(mine, days_ago(1))
        self._contact(other, days_ago(1))
        finance = create_staff_user(
            'fin', 'group_cus_finance', fx['company'])
        community = create_staff_user(
            'osl', 'group_cus_community', fx['company'])
        coordinator = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        models = [
            'cus.ipus.monitoring', 'cus.coordination.meeting',
            'cus.coordination.meeting-company.employee',
            'cus.coordination.meeting-party.party',
            'cus.coordination.meeting-cus.ipus',
            'cus.ipus.summary', 'cus.ipus.summary.line',
            'cus.ipus.summary-res.user', 'cus.complaint']
        with Transaction().set_user(finance.id), check_access():
            for model in models:
                with self.assertRaises(AccessError, msg=model):
                    pool.get(model).search([])
        with Transaction().set_user(community.id), check_access():
            self.assertEqual(Summary.search([]), [Summary(summary.id)])
            self.assertTrue(Summary(summary.id).lines[0].label)
            for model in [
                    'cus.ipus.monitoring', 'cus.coordination.meeting',
                    'cus.complaint']:
                with self.assertRaises(AccessError, msg=model):
                    pool.get(model).search([])
            with self.assertRaises(AccessButtonError):
                Summary.compute([Summary(summary.id)])
        with Transaction().set_user(coordinator.id), check_access():
            self.assertEqual(
                [m.plan for m in Monitoring.search([])], [Ipus(mine.id)])
            self.assertEqual(len(Summary.search([])), 1)
            with self.assertRaises(AccessButtonError):
                Summary.compute([Summary(summary.id)])
