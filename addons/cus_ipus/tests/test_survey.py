# This file is part of the CUS back office.
"The satisfaction surveys: sending, paper and online answers, results"
import datetime as dt
import unittest
import urllib.parse

from dateutil.relativedelta import relativedelta

import trytond.config as config
from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from cus_base.tests.tools import rolled_back_on_error, valid_pesel
from cus_ipus.survey import SurveyLinkInvalid

from .tools import create_ipus_fixture, create_staff_user

D = dt.date


def today():
    return Pool().get('ir.date').today()


class SurveyTestCase(unittest.TestCase):
    "Test the satisfaction surveys"
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        activate_module('cus_ipus')

    # Helpers

    def _client(self, name, serial):
        Party = Pool().get('party.party')
        client, = Party.create([{
                    'name': name, 'cus_client': True,
                    'client_category': 'resident',
                    'pesel': valid_pesel(D(1950, 1, 1), serial=serial),
                    }])
        return client

    def _provider(self, name):
        Party = Pool().get('party.party')
        provider, = Party.create([{'name': name}])
        return provider

    def _plan(self, fx, client=None, lines=None, valid_from=None,
            coordinator=None, run=True):
        "A running plan (inside set_company)"
        Ipus = Pool().get('cus.ipus')
        valid_from = valid_from or D(2023, 1, 1)
        valid_to = valid_from + relativedelta(years=1, days=-1)
        if lines is None:
            lines = [(fx['care'], None)]
        values = []
        for service, provider in lines:
            value = {
                'service': service.id,
                'provider': provider.id if provider else None,
                'start_date': valid_from,
                'end_date': valid_to,
                }
            if service == fx['care']:
                value.update(per_week=2, quantity=20)
            elif service == fx['taxi']:
                value.update(per_month=2, per_year=6, quantity=6)
            elif service == fx['handyman']:
                value.update(per_year=4, unit_duration=2, quantity=4)
            values.append(value)
        plan, = Ipus.create([{
                    'client': (client or fx['client']).id,
                    'coordinator': (coordinator or fx['coordinator']).id,
                    'valid_from': valid_from,
                    'valid_to': valid_to,
                    'drawn_up_date': valid_from,
                    'expected_effects': "Samodzielne życie w domu",
                    'lines': [('create', values)],
                    }])
        Ipus.approve([plan])
        if run:
            Ipus.run([plan])
        return plan

    def _close(self, plan):
        Ipus = Pool().get('cus.ipus')
        Ipus.write([plan], {
                'summary_date': plan.valid_from + dt.timedelta(days=30),
                'course_and_results': "Plan zrealizowany",
                'outcome': 'achieved',
                })
        Ipus.close([plan])

    def _survey(self, name="Ankieta zadowolenia klienta", sending='closing',
            questions=None, **values):
        Survey = Pool().get('cus.survey')
        if questions is None:
            questions = [{
                    'text': "Jak ocenia Pan/Pani usługi?",
                    'kind': 'scale', 'dimension': 'satisfaction',
                    }, {
                    'text': "Czy usługi były wykonywane na czas?",
                    'kind': 'scale', 'dimension': 'timeliness',
                    }, {
                    'text': "Jak ocenia Pan/Pani kompetencje opiekunów?",
                    'kind': 'scale', 'dimension': 'competence',
                    'required': False,
                    }, {
                    'text': "Skąd wie Pan/Pani o usługach CUS?",
                    'kind': 'choice', 'required': False,
                    'options': [('create', [
                                {'name': "Od pracownika socjalnego"},
                                {'name': "Z internetu"},
                                {'name': "Od sąsiadów"}])],
                    }, {
                    'text': "Co możemy poprawić?",
                    'kind': 'text', 'required': False,
                    }]
        survey, = Survey.create([dict({
                        'name': name, 'sending': sending,
                        'questions': [('create', questions)],
                        }, **values)])
        return survey

    def _answer(self, response, values, date=None, channel='paper'):
        """Fill the answers (by question sequence, 1-based) and record
        them"""
        pool = Pool()
        Answer = pool.get('cus.survey.answer')
        Response = pool.get('cus.survey.response')
        to_write = []
        for answer in response.answers:
            value = values.get(answer.sequence)
            if value is None:
                continue
            field = {'scale': 'scale', 'text': 'text', 'choice': 'choice'}[
                answer.question.kind]
            if field == 'choice':
                value = answer.question.options[value].id
            to_write.extend([[answer], {field: value}])
        if to_write:
            Answer.write(*to_write)
        if date:
            Response.write([response], {'answered_date': date})
        Response.record_answers([Response(response.id)], channel)
        return Response(response.id)

    # Questionnaires

    @with_transaction()
    def test_questionnaire_checks(self):
        "Test a questionnaire is complete before it is sent"
        pool = Pool()
        Survey = pool.get('cus.survey')
        Question = pool.get('cus.survey.question')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx)
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            self._survey(sending='periodic')
        self.assertIn('Every (Months)', str(cm.exception))
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            self._survey(questions=[{
                        'text': "Uwagi", 'kind': 'text',
                        'dimension': 'clarity'}])
        self.assertIn('Only scale questions', str(cm.exception))

        empty = self._survey(name="Pusta", questions=[])
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Survey.send_to(empty, [plan])
        self.assertIn('no question', str(cm.exception))
        choice = self._survey(name="Wybór", questions=[{
                    'text': "Czy poleciłby Pan/Pani usługi?",
                    'kind': 'choice',
                    'options': [('create', [{'name': "Tak"}])]}])
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Survey.send_to(choice, [plan])
        self.assertIn('at least two options', str(cm.exception))

        # Once sent, a question keeps its kind and indicator
        survey = self._survey()
        Survey.send_to(survey, [plan])
        question = survey.questions[0]
        Question.write([question], {'text': "Jak ocenia Pan/Pani usługi CUS?"})
        for values in [{'kind': 'text', 'dimension': 'none'},
                {'dimension': 'clarity'}]:
            with self.assertRaises(UserError) as cm, \
                    rolled_back_on_error():
                Question.write([question], values)
            self.assertIn('has been sent', str(cm.exception))
        with self.assertRaises(UserError), rolled_back_on_error():
            Question.delete([question])
        with self.assertRaises(AccessError), rolled_back_on_error():
            Survey.delete([survey])
        # A copy is a new questionnaire to edit
        copy, = Survey.copy([survey])
        self.assertEqual(copy.name, "Ankieta zadowolenia klienta (copy)")
        self.assertEqual(len(copy.questions), 5)
        self.assertEqual(len(copy.questions[3].options), 3)

    # Sending

    @with_transaction()
    def test_send_on_closing(self):
        "Test the closing of a plan sends the closing questionnaires once"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Response = pool.get('cus.survey.response')
        Survey = pool.get('cus.survey')
        fx = create_ipus_fixture()
        survey = self._survey()
        periodic = self._survey(
            name="Ankieta okresowa", sending='periodic', period_months=3)
        inactive = self._survey(name="Stara ankieta", active=False)
        # Not ready to be answered: skipped, not blocking the closing
        self._survey(name="W przygotowaniu", questions=[])
        with set_company(fx['company']):
            plan = self._plan(fx)
            draft = self._plan(fx, client=self._client("Jan Nowak", 5),
                run=False)
        self._close(plan)
        self.assertEqual(Ipus(plan.id).state, 'closed')
        response, = Response.search([])
        self.assertEqual(response.survey, survey)
        self.assertEqual(response.plan, plan)
        self.assertEqual(response.client, fx['client'])
        self.assertEqual(response.state, 'sent')
        self.assertEqual(response.sent_date, today())
        self.assertEqual(
            response.expiry_date, today() + dt.timedelta(days=30))
        self.assertEqual(len(response.token), 32)
        self.assertEqual(
            [(a.sequence, a.question) for a in response.answers],
            list(enumerate(survey.questions, 1)))
        self.assertEqual(
            response.link,
            f'/{urllib.parse.quote(Transaction().database.name)}/ankieta/'
            f'{response.token}')
        self.assertEqual(Ipus(plan.id).survey_responses, (response,))
        self.assertNotIn(periodic, [r.survey for r in Response.search([])])
        self.assertNotIn(inactive, [r.survey for r in Response.search([])])

        # Closing again sends nothing new, nor does a plan not closed
        self.assertEqual(Survey.send_on_closing([Ipus(plan.id)]), [])
        self.assertEqual(Survey.send_on_closing([draft]), [])
        Ipus.close([Ipus(plan.id)])
        self.assertEqual(Response.search([], count=True), 1)
        # Tokens differ from one response to the next
        with set_company(fx['company']):
            other = self._plan(fx, client=self._client("Anna Lis", 9))
        self._close(other)
        first, second = Response.search([], order=[('id', 'ASC')])
        self.assertNotEqual(first.token, second.token)

    @with_transaction()
    def test_send_periodic_without_duplicates(self):
        "Test the periodic sending reaches the due plans once a period"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Line = pool.get('cus.ipus.line')
        Response = pool.get('cus.survey.response')
        Survey = pool.get('cus.survey')
        fx = create_ipus_fixture()
        survey = self._survey(sending='periodic', period_months=3)
        closing = self._survey(name="Na zakończenie")
        date = D(2023, 6, 15)
        with set_company(fx['company']):
            due = self._plan(fx, valid_from=D(2023, 1, 2))
            young = self._plan(
                fx, client=self._client("Młody Plan", 2),
                valid_from=D(2023, 4, 1))
            recent = self._plan(
                fx, client=self._client("Niedawna Ankieta", 3),
                valid_from=D(2023, 1, 2))
            old = self._plan(
                fx, client=self._client("Dawna Ankieta", 4),
                valid_from=D(2023, 1, 2))
            approved = self._plan(
                fx, client=self._client("Zatwierdzony", 6),
                valid_from=D(2023, 1, 2), run=False)
            closed = self._plan(
                fx, client=self._client("Zamknięty", 7),
                valid_from=D(2023, 1, 2))
        self._close(closed)
        self.assertEqual(Response.search([], count=True), 1)  # closing
        Survey.send_to(survey, [recent], date=D(2023, 4, 1))
        Survey.send_to(survey, [old], date=D(2023, 3, 15))

        responses = Survey.send_periodic(date=date)
        self.assertEqual(
            sorted(r.plan.id for r in responses), sorted([due.id, old.id]))
        self.assertTrue(all(r.sent_date == date for r in responses))
        self.assertTrue(all(r.survey == survey for r in responses))
        # The next day, nothing new; three months later, the same plans
        self.assertEqual(
            Survey.send_periodic(date=date + dt.timedelta(days=1)), [])
        self.assertEqual(
            sorted(r.plan.id for r in Survey.send_periodic(
                    date=D(2023, 7, 2))),
            sorted([recent.id, young.id]))
        self.assertEqual(
            sorted(r.plan.id for r in Survey.send_periodic(
                    date=D(2023, 9, 16))),
            sorted([due.id, old.id]))
        self.assertFalse(Response.search([
                    ('plan', 'in', [approved.id, closed.id]),
                    ('survey', '=', survey.id)]))

        # An update of the plan (same number, new version) is not surveyed
        # again within the period
        with set_company(fx['company']):
            update = Ipus(due.id).make_update("Nowe potrzeby")
            Line.write([update.lines[0]], {'quantity': 18})
            Ipus.approve([update])
        self.assertEqual(Ipus(update.id).state, 'running')
        self.assertEqual(
            Survey.send_periodic(date=D(2023, 10, 1)), [])
        self.assertEqual(
            [r.plan for r in Survey.send_periodic(date=D(2023, 12, 17))
                if r.plan.number == due.number],
            [Ipus(update.id)])

        # The button of the questionnaire does the same; an inactive or a
        # closing questionnaire is not sent periodically.
        Survey.write([survey], {'active': False})
        self.assertEqual(Survey.send_periodic(date=D(2024, 6, 1)), [])
        self.assertEqual(Survey.send_periodic(
                [closing], date=D(2024, 6, 1)), [])

    @with_transaction()
    def test_send_from_plan(self):
        "Test the wizard of the plan sends once until answered"
        pool = Pool()
        Send = pool.get('cus.survey.send', type='wizard')
        Response = pool.get('cus.survey.response')
        fx = create_ipus_fixture()
        survey = self._survey(sending='periodic', period_months=6)
        self._survey(name="Na zakończenie")
        with set_company(fx['company']):
            plan = self._plan(fx)
            draft = self._plan(fx, client=self._client("Szkic", 8),
                run=False)

        coordinator = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])

        def run(plans, survey=None):
            session_id, _, _ = Send.create()
            with Transaction().set_user(coordinator.id), \
                    check_access(), Transaction().set_context(
                    active_model='cus.ipus', active_id=plans[0].id,
                    active_ids=[p.id for p in plans]):
                start = Send.execute(session_id, {}, 'start')
                data = {'start': {'survey': (survey or start['view'][
                                'defaults']['survey'])}}
                result = Send.execute(session_id, data, 'send')
            Send.delete(session_id)
            return start, result

        start, result = run([plan])
        # The one periodic questionnaire is proposed for a running plan
        self.assertEqual(start['view']['defaults']['survey'], survey.id)
        response, = Response.search([])
        self.assertEqual(response.plan, plan)
        action, = result['actions']
        self.assertIn(str(response.id), action[0]['pyson_domain'])
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            run([plan])
        self.assertIn('already waits', str(cm.exception))
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            run([draft], survey.id)
        self.assertIn('running or closed plans', str(cm.exception))
        # Once answered, it can be sent again
        self._answer(response, {1: 5, 2: 4})
        run([plan])
        self.assertEqual(Response.search([], count=True), 2)

    # Answers

    @with_transaction()
    def test_paper_answers(self):
        "Test the coordinator types in the answers of a paper questionnaire"
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Answer = pool.get('cus.survey.answer')
        Survey = pool.get('cus.survey')
        fx = create_ipus_fixture()
        survey = self._survey()
        with set_company(fx['company']):
            plan = self._plan(fx)
        response, = Survey.send_to(survey, [plan], date=D(2023, 5, 2))

        # The required ones first
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            self._answer(response, {1: 4})
        self.assertIn('Czy usługi były wykonywane na czas?',
            str(cm.exception))
        # Not out of the scale, nor another kind of answer
        for values in [{1: 6, 2: 4}, {1: 0, 2: 4}]:
            with self.assertRaises(ValidationError), rolled_back_on_error():
                self._answer(response, values)
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Answer.write([response.answers[0]], {'text': "Dobrze"})
        other = self._survey(name="Inna")
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Answer.write([response.answers[3]], {
                    'choice': other.questions[3].options[0].id})
        # Not answered in the future nor before the sending
        for date in [today() + dt.timedelta(days=1), D(2023, 5, 1)]:
            with self.assertRaises(ValidationError), rolled_back_on_error():
                self._answer(response, {1: 4, 2: 5}, date=date)

        response = self._answer(
            response, {1: 4, 2: 5, 4: 2, 5: "Więcej godzin w weekend"},
            date=D(2023, 5, 20))
        self.assertEqual(response.state, 'answered')
        self.assertEqual(response.channel, 'paper')
        self.assertEqual(response.answered_date, D(2023, 5, 20))
        self.assertEqual(response.answered_by.id, Transaction().user)
        self.assertIsNone(response.token)
        self.assertIsNone(response.link)
        self.assertEqual(
            [(a.scale, a.choice and a.choice.name, a.text)
                for a in response.answers],
            [(4, None, None), (5, None, None), (None, None, None),
                (None, "Od sąsiadów", None),
                (None, None, "Więcej godzin w weekend")])
        # Recorded answers do not change; answered responses stay
        with self.assertRaises(UserError), rolled_back_on_error():
            Answer.write([response.answers[0]], {'scale': 1})
        with self.assertRaises(AccessError), rolled_back_on_error():
            Response.delete([response])
        with self.assertRaises(UserError), rolled_back_on_error():
            Response.copy([response])

        # An expired link does not stop a late paper answer; an unanswered
        # response can be deleted.
        late, waiting = Survey.send_to(survey, [
                plan, self._plan_for(fx, "Późna Odpowiedź", 11)],
            date=D(2023, 6, 1))
        Response.expire([late])
        self.assertEqual(Response(late.id).state, 'expired')
        late = self._answer(Response(late.id), {1: 2, 2: 3})
        self.assertEqual(late.state, 'answered')
        self.assertEqual(late.answered_date, today())
        Response.delete([waiting])

    def _plan_for(self, fx, name, serial):
        with set_company(fx['company']):
            return self._plan(fx, client=self._client(name, serial))

    @with_transaction()
    def test_online_answers(self):
        "Test the one-time link: answered once, expired, unknown, renewed"
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Survey = pool.get('cus.survey')
        fx = create_ipus_fixture()
        survey = self._survey()
        plan = self._plan_for(fx, "Klient Online", 12)
        response, = Survey.send_to(survey, [plan])
        token = response.token
        self.assertEqual(Response.find_by_token(token), response)
        for wrong in [None, '', 'x', token[:-1], token + 'A', "' OR 1=1",
                'A' * 32, token.upper() if token.upper() != token
                else token.lower()]:
            self.assertIsNone(Response.find_by_token(wrong), wrong)

        answers = {a.sequence: a.id for a in response.answers}
        choice = response.answers[3].question.options[1].id
        other_choice = self._survey(name="Inna").questions[3].options[0].id
        for raw, expected in [
                ({answers[1]: '5'}, 'Answer the question "Czy usługi'),
                ({answers[1]: '7', answers[2]: '3'}, 'from 1 to 5'),
                ({answers[1]: 'pięć', answers[2]: '3'}, 'from 1 to 5'),
                ({answers[1]: '5', answers[2]: '3',
                    answers[4]: str(other_choice)}, 'one of the answers'),
                ({answers[1]: '5', answers[2]: '3',
                    answers[5]: 'x' * 2001}, 'too long'),
                ]:
            errors = Response.answer_online(response, raw)
            self.assertEqual(len(errors), 1, raw)
            self.assertIn(expected, errors[0])
            self.assertEqual(Response(response.id).state, 'sent')
            self.assertEqual(Response(response.id).token, token)

        errors = Response.answer_online(response, {
                answers[1]: '5', answers[2]: ' 4 ', answers[3]: '',
                answers[4]: str(choice), answers[5]: "  Dziękuję  "})
        self.assertEqual(errors, [])
        response = Response(response.id)
        self.assertEqual(response.state, 'answered')
        self.assertEqual(response.channel, 'online')
        self.assertEqual(response.answered_date, today())
        self.assertIsNone(response.answered_by)
        self.assertEqual(
            [(a.scale, a.choice and a.choice.id, a.text)
                for a in response.answers],
            [(5, None, None), (4, None, None), (None, None, None),
                (None, choice, None), (None, None, "Dziękuję")])
        # Used once
        self.assertIsNone(Response.find_by_token(token))
        with self.assertRaises(SurveyLinkInvalid):
            Response.answer_online(response, {answers[1]: '1'})

        # Expired by the date, then by the cron
        expired, = Survey.send_to(survey, [plan], date=D(2023, 1, 2))
        self.assertEqual(expired.expiry_date, D(2023, 2, 1))
        self.assertIsNone(Response.find_by_token(expired.token))
        fresh, = Survey.send_to(
            survey, [self._plan_for(fx, "Świeży Link", 13)])
        self.assertEqual(Response.expire_links(), [expired])
        expired, fresh = Response.browse([expired, fresh])
        self.assertEqual(expired.state, 'expired')
        self.assertIsNone(expired.token)
        self.assertEqual(fresh.state, 'sent')
        # A new link for the client who lost the letter: the old one is void
        old_token = fresh.token
        Response.renew([expired, fresh])
        expired, fresh = Response.browse([expired, fresh])
        self.assertEqual(expired.state, 'sent')
        self.assertEqual(
            expired.expiry_date, today() + dt.timedelta(days=30))
        self.assertEqual(Response.find_by_token(expired.token), expired)
        self.assertIsNone(Response.find_by_token(old_token))
        self.assertEqual(Response.find_by_token(fresh.token), fresh)

    @with_transaction()
    def test_link_address(self):
        "Test the link is built from the configured address"
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Survey = pool.get('cus.survey')
        fx = create_ipus_fixture()
        response, = Survey.send_to(self._survey(), [
                self._plan_for(fx, "Adres Linku", 14)])
        database = urllib.parse.quote(Transaction().database.name)
        path = f'/{database}/ankieta/{response.token}'
        self.assertEqual(response.link, path)
        with Transaction().set_context(_request={
                    'http_host': 'cus.starachowice.example',
                    'is_secure': True}):
            self.assertEqual(Response(response.id).link,
                f'https://cus.starachowice.example{path}')
        if not config._config.has_section('cus'):
            config._config.add_section('cus')
        config.set('cus', 'public_url', 'https://uslugi.example.pl/')
        try:
            self.assertEqual(Response(response.id).link,
                f'https://uslugi.example.pl{path}')
        finally:
            config.set('cus', 'public_url', '')

    @with_transaction()
    def test_party_erase(self):
        "Test erasing a client blanks the texts the client wrote"
        pool = Pool()
        Erase = pool.get('party.erase', type='wizard')
        Party = pool.get('party.party')
        Response = pool.get('cus.survey.response')
        Survey = pool.get('cus.survey')
        fx = create_ipus_fixture()
        survey = self._survey()
        erased = self._client("Do Usunięcia", 41)
        plan = self._plan_for(fx, "Zostaje", 42)
        with set_company(fx['company']):
            erased_plan = self._plan(fx, client=erased)
        kept, gone = Survey.send_to(survey, [plan, erased_plan])
        self._answer(kept, {1: 4, 2: 4, 5: "Pani Anna jest bardzo miła"})
        self._answer(gone, {1: 5, 2: 3, 5: "Mieszkam z synem Piotrem"})
        Party.write([erased], {'active': False})
        session_id, _, _ = Erase.create()
        erase = Erase(session_id)
        erase.ask.party = erased
        erase.transition_erase()
        kept, gone = Response.browse([kept, gone])
        self.assertEqual(
            [(a.scale, a.text) for a in gone.answers if a.sequence in {1, 5}],
            [(5, None), (None, None)])
        self.assertEqual(kept.answers[4].text, "Pani Anna jest bardzo miła")

    # Results

    def _results_fixture(self):
        """Four plans, five responses with known answers

        plan A: care by P1, taxi in-house; plan B: care by P2 and by P1;
        plan C: handyman by P1; plan D: care by P1."""
        pool = Pool()
        Survey = pool.get('cus.survey')
        Response = pool.get('cus.survey.response')
        fx = create_ipus_fixture()
        p1 = self._provider("Spółdzielnia Socjalna Opieka")
        p2 = self._provider("Fundacja Pomocna Dłoń")
        with set_company(fx['company']):
            plan_a = self._plan(fx, client=self._client("Klient A", 21),
                lines=[(fx['care'], p1), (fx['taxi'], None)])
            plan_b = self._plan(fx, client=self._client("Klient B", 22),
                lines=[(fx['care'], p2), (fx['care'], p1)])
            plan_c = self._plan(fx, client=self._client("Klient C", 23),
                lines=[(fx['handyman'], p1)])
            plan_d = self._plan(fx, client=self._client("Klient D", 24),
                lines=[(fx['care'], p1)])
        survey = self._survey()
        send = lambda plan, date: Survey.send_to(  # noqa: E731
            survey, [plan], date=date)[0]
        a1 = self._answer(send(plan_a, D(2023, 1, 10)),
            {1: 5, 2: 4, 4: 0}, date=D(2023, 1, 20))
        b1 = self._answer(send(plan_b, D(2023, 2, 15)),
            {1: 3, 2: 2, 3: 4}, date=D(2023, 2, 16))
        c1 = send(plan_c, D(2023, 2, 20))
        # Half typed in, not recorded: does not count
        pool.get('cus.survey.answer').write(
            [c1.answers[0]], {'scale': 1})
        d1 = self._answer(send(plan_d, D(2023, 4, 5)),
            {1: 4, 2: 5, 3: 3}, date=D(2023, 4, 30), channel='online')
        a2 = send(plan_a, D(2023, 4, 20))
        Response.expire([a2])
        # Another questionnaire with a clarity question only
        clarity = self._survey(name="Procedury", questions=[{
                    'text': "Czy procedury były zrozumiałe?",
                    'kind': 'scale', 'dimension': 'clarity'}])
        d2 = Survey.send_to(clarity, [plan_d], date=D(2023, 3, 1))[0]
        d2 = self._answer(d2, {1: 2}, date=D(2023, 3, 2))
        return {
            'fx': fx, 'p1': p1, 'p2': p2, 'survey': survey,
            'clarity': clarity,
            'responses': [a1, b1, c1, d1, a2, d2],
            }

    def _results(self, **context):
        Result = Pool().get('cus.survey.result')
        with Transaction().set_context(**context):
            rows = Result.search([])
            return {
                (r.period, r.service and r.service.name,
                    r.provider and r.provider.name): (
                    r.sent, r.answered, r.response_rate, r.satisfaction,
                    r.timeliness, r.competence, r.clarity, r.average)
                for r in rows}, rows

    @with_transaction()
    def test_results_per_service_and_period(self):
        "Test the results per quarter, month and service"
        rx = self._results_fixture()
        survey = rx['survey']
        care, taxi, handyman = "Usługi opiekuńcze", "Taksówka dla seniora", \
            "Mobilny konserwator"
        results, rows = self._results(survey=survey.id)
        self.assertEqual(results, {
                ("Q1 2023", care, None): (
                    2, 2, 100.0, 4.0, 3.0, 4.0, None, (5 + 4 + 3 + 2 + 4) / 5),
                ("Q1 2023", taxi, None): (
                    1, 1, 100.0, 5.0, 4.0, None, None, 4.5),
                ("Q1 2023", handyman, None): (
                    1, 0, 0.0, None, None, None, None, None),
                ("Q2 2023", care, None): (
                    2, 1, 50.0, 4.0, 5.0, 3.0, None, 4.0),
                ("Q2 2023", taxi, None): (
                    1, 0, 0.0, None, None, None, None, None),
                })
        # The ids are unique and the rows are read back by id
        Result = Pool().get('cus.survey.result')
        self.assertEqual(len({r.id for r in rows}), 5)
        with Transaction().set_context(survey=survey.id):
            self.assertEqual(
                Result.search([('service.name', '=', taxi)], count=True), 2)
            row, = Result.search([
                    ('service.name', '=', care), ('period_number', '=', 2)])
            self.assertEqual(Result(row.id).answered, 1)
            self.assertEqual(
                row.label, f"Q2 2023 – {row.service.rec_name}")
            self.assertEqual(row.rec_name, row.label)

        results, _ = self._results(survey=survey.id, period='month')
        self.assertEqual(results[("01.2023", care, None)][:5],
            (1, 1, 100.0, 5.0, 4.0))
        self.assertEqual(results[("02.2023", care, None)][:5],
            (1, 1, 100.0, 3.0, 2.0))
        self.assertEqual(results[("04.2023", care, None)][:5],
            (2, 1, 50.0, 4.0, 5.0))
        self.assertEqual(len(results), 6)

        # Over the whole range, filtered by the sending dates
        results, _ = self._results(survey=survey.id, period='all')
        self.assertEqual(results[("Whole range", care, None)], (
                4, 3, 75.0, 4.0, round(11 / 3, 2), 3.5, None,
                (5 + 4 + 3 + 2 + 4 + 4 + 5 + 3) / 8))
        results, _ = self._results(
            survey=survey.id, period='all', from_date=D(2023, 2, 1),
            to_date=D(2023, 3, 31))
        self.assertEqual(results, {
                ("Whole range", care, None): (
                    1, 1, 100.0, 3.0, 2.0, 4.0, None, 3.0),
                ("Whole range", handyman, None): (
                    1, 0, 0.0, None, None, None, None, None),
                })
        # All the questionnaires together
        results, _ = self._results(period='all')
        self.assertEqual(results[("Whole range", care, None)][:7],
            (5, 4, 80.0, 4.0, round(11 / 3, 2), 3.5, 2.0))

    @with_transaction()
    def test_results_per_provider(self):
        "Test the results per provider count a response once a provider"
        rx = self._results_fixture()
        survey = rx['survey']
        p1, p2 = rx['p1'].name, rx['p2'].name
        in_house = None
        results, rows = self._results(survey=survey.id, group_by='provider')
        self.assertEqual(results, {
                # A (care), B (care), C (handyman)
                ("Q1 2023", None, p1): (
                    3, 2, 66.7, 4.0, 3.0, 4.0, None,
                    (5 + 4 + 3 + 2 + 4) / 5),
                ("Q1 2023", None, p2): (
                    1, 1, 100.0, 3.0, 2.0, 4.0, None, 3.0),
                ("Q1 2023", None, in_house): (
                    1, 1, 100.0, 5.0, 4.0, None, None, 4.5),
                # D answered, A expired
                ("Q2 2023", None, p1): (
                    2, 1, 50.0, 4.0, 5.0, 3.0, None, 4.0),
                ("Q2 2023", None, in_house): (
                    1, 0, 0.0, None, None, None, None, None),
                })
        Result = Pool().get('cus.survey.result')
        with Transaction().set_context(
                survey=survey.id, group_by='provider'):
            self.assertEqual(
                Result.search([('provider', '=', None)], count=True), 2)
            labels = {r.label for r in Result.search([])}
        self.assertIn("Q1 2023 – CUS (in-house)", labels)

        results, _ = self._results(
            survey=survey.id, group_by='both', period='all')
        self.assertEqual(
            {k: v[:4] for k, v in results.items()}, {
                ("Whole range", "Usługi opiekuńcze", p1): (4, 3, 75.0, 4.0),
                ("Whole range", "Usługi opiekuńcze", p2): (1, 1, 100.0, 3.0),
                ("Whole range", "Taksówka dla seniora", None): (
                    2, 1, 50.0, 5.0),
                ("Whole range", "Mobilny konserwator", p1): (
                    1, 0, 0.0, None),
                })

    @with_transaction()
    def test_indicator_scores(self):
        "Test the Koszalin indicators from the survey answers"
        pool = Pool()
        Result = pool.get('cus.survey.result')
        Survey = pool.get('cus.survey')
        rx = self._results_fixture()
        scores = Result.indicator_scores(D(2023, 1, 1), D(2023, 3, 31))
        self.assertEqual(scores, {
                # A, B answered, C not; D's clarity questionnaire has none
                'satisfaction': (4.0, 2, 3),
                'timeliness': (3.0, 2, 3),
                # only B answered the optional question
                'competence': (4.0, 1, 3),
                'availability': (None, 0, 0),
                'clarity': (2.0, 1, 1),
                })
        self.assertEqual(
            Survey.indicator_scores(D(2023, 1, 1), D(2023, 3, 31)), scores)
        self.assertEqual(
            Result.indicator_scores(D(2023, 4, 1), D(2023, 6, 30)), {
                'satisfaction': (4.0, 1, 2),
                'timeliness': (5.0, 1, 2),
                'competence': (3.0, 1, 2),
                'availability': (None, 0, 0),
                'clarity': (None, 0, 0),
                })
        self.assertEqual(
            Result.indicator_scores(D(2023, 1, 1), D(2023, 12, 31))[
                'timeliness'], (round(11 / 3, 2), 3, 5))
        # Both ends included
        self.assertEqual(
            Result.indicator_scores(D(2023, 1, 10), D(2023, 1, 10))[
                'satisfaction'], (5.0, 1, 1))
        self.assertEqual(
            Result.indicator_scores(D(2022, 1, 1), D(2022, 12, 31)),
            {d: (None, 0, 0) for d in [
                    'satisfaction', 'timeliness', 'competence',
                    'availability', 'clarity']})
        # The questionnaire shows its response rate
        survey = Survey(rx['survey'].id)
        self.assertEqual(
            (survey.sent_count, survey.answered_count, survey.response_rate),
            (5, 3, 60.0))

    # Access

    @with_transaction()
    def test_access_rights(self):
        "Test who manages the surveys and who is refused"
        pool = Pool()
        Survey = pool.get('cus.survey')
        Response = pool.get('cus.survey.response')
        Answer = pool.get('cus.survey.answer')
        fx = create_ipus_fixture()
        survey = self._survey()
        with set_company(fx['company']):
            mine = self._plan(fx, client=self._client("Mój Klient", 31))
            other = self._plan(fx, client=self._client("Cudzy Klient", 32),
                coordinator=fx['other_coordinator'])
        my_response, other_response = Survey.send_to(survey, [mine, other])
        finance = create_staff_user(
            'fin', 'group_cus_finance', fx['company'])
        community = create_staff_user(
            'osl', 'group_cus_community', fx['company'])
        coordinator = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        organiser = create_staff_user(
            'ous', 'group_cus_organiser', fx['company'])
        director = create_staff_user(
            'dyr', 'group_cus_director', fx['company'])
        models = [
            'cus.survey', 'cus.survey.question',
            'cus.survey.question.option', 'cus.survey.response',
            'cus.survey.answer', 'cus.survey.result']
        for user in [finance, community]:
            with Transaction().set_user(user.id), check_access():
                for model in models:
                    with self.assertRaises(AccessError, msg=model):
                        pool.get(model).search([])
                with self.assertRaises(AccessError):
                    Survey.create([{'name': "Nie wolno"}])

        with Transaction().set_user(coordinator.id), check_access():
            # The responses of his plans, not of the others'
            self.assertEqual(Response.search([]), [Response(my_response.id)])
            self.assertEqual(
                {a.response for a in Answer.search([])},
                {Response(my_response.id)})
            with self.assertRaises(AccessError):
                Response.read([other_response.id], ['state'])
            response = Response(my_response.id)
            Answer.write([response.answers[0]], {'scale': 5})
            Answer.write([response.answers[1]], {'scale': 4})
            Response.record_paper([response])
            self.assertEqual(Response(my_response.id).state, 'answered')
            # He sees the questionnaires and the results
            self.assertEqual(Survey.search([]), [survey])
            pool.get('cus.survey.result').search([])
            # but the mass sending is the organiser's
            with self.assertRaises(AccessButtonError):
                Survey.send([Survey(survey.id)])

        for user, count in [(organiser, 2), (director, 4)]:
            with Transaction().set_user(user.id), check_access():
                # All the responses
                self.assertEqual(Response.search([], count=True), count)
                Response.renew([Response(other_response.id)])
                new, = Survey.create([{'name': f"Nowa {user.login}",
                            'questions': [('create', [{
                                            'text': "Ocena",
                                            'dimension': 'satisfaction',
                                            }])]}])
                Survey.write([new], {'sending': 'periodic',
                        'period_months': 12})
                # Both plans have run for a year
                Survey.send([new])
                self.assertEqual(
                    Response.search([], count=True), count + 2)

