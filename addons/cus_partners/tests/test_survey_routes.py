# This file is part of the CUS back office.
"""The public page of the satisfaction surveys, through trytond's WSGI app

The one-time link: answered once, then refused like an expired or an
unknown link; every answer needs the form's CSRF token."""
import datetime as dt
import re

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase, activate_module
from trytond.transaction import Transaction

from .test_contract import PartnersFixture
from .test_portal import csrf_of

D = dt.date
PURPOSES = ['show', 'answer', 'csrf', 'errors', 'escape', 'size', 'used',
    'expired']


class SurveyRoutesTestCase(RouteTestCase):
    "Test the public page of the satisfaction surveys"
    module = 'cus_partners'

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')
        super().setUpClass()

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Survey = pool.get('cus.survey')
        Response = pool.get('cus.survey.response')
        Date = pool.get('ir.date')
        fixture = PartnersFixture()
        fx = fixture._fixture()
        plan = fixture._plan(fx)
        # One questionnaire per test: a plan waits for one response of a
        # questionnaire at a time.
        surveys = Survey.create([{
                    'name': f"Ankieta zadowolenia ({purpose})",
                    'intro': "Prosimy o ocenę usług opiekuńczych.",
                    'questions': [('create', [{
                                    'text': "Jak ocenia Pan/Pani usługi?"
                                    if purpose != 'escape' else
                                    "<script>alert('x')</script> Ocena?",
                                    'kind': 'scale',
                                    'dimension': 'satisfaction',
                                    }, {
                                    'text': "Skąd wie Pan/Pani o CUS?",
                                    'kind': 'choice', 'required': False,
                                    'options': [('create', [
                                                {'name': "Od sąsiadów"},
                                                {'name': "Z internetu"}])],
                                    }, {
                                    'text': "Co możemy poprawić?",
                                    'kind': 'text', 'required': False,
                                    }])],
                    } for purpose in PURPOSES])
        responses = {}
        for purpose, survey in zip(PURPOSES, surveys):
            date = None
            if purpose == 'expired':
                date = Date.today() - dt.timedelta(days=31)
            responses[purpose], = Survey.send_to(survey, [plan], date=date)
        cls.tokens = {p: r.token for p, r in responses.items()}
        cls.ids = {p: r.id for p, r in responses.items()}
        cls.options = {
            p: s.questions[1].options[1].id
            for p, s in zip(PURPOSES, surveys)}
        # Answered on paper: its link is used
        used = Response(responses['used'].id)
        Pool().get('cus.survey.answer').write(
            [used.answers[0]], {'scale': 4})
        Response.record_paper([used])

    def url(self, token):
        return f'/{DB_NAME}/ankieta/{token}'

    def response(self, purpose):
        with Transaction().start(DB_NAME, 0, readonly=True):
            Response = Pool().get('cus.survey.response')
            response = Response(self.ids[purpose])
            return {
                'state': response.state,
                'channel': response.channel,
                'token': response.token,
                'answers': [(a.scale, a.choice and a.choice.id, a.text)
                    for a in response.answers],
                }

    def answers(self, page):
        "The names of the answer fields of the page, in order"
        names = re.findall(rb'name="(a\d+)"', page.data)
        return list(dict.fromkeys(n.decode() for n in names))

    def test_page_shows_questions(self):
        "Test the link shows the questionnaire with the security headers"
        client = self.client()
        page = client.get(self.url(self.tokens['show']))
        self.assertEqual(page.status_code, 200)
        for text in ["Ankieta zadowolenia (show)",
                "Prosimy o ocenę usług opiekuńczych.",
                "Jak ocenia Pan/Pani usługi?", "Od sąsiadów", "Z internetu",
                "Co możemy poprawić?", "very good", "(optional)",
                "Send the answers"]:
            self.assertIn(text.encode(), page.data, text)
        self.assertEqual(len(self.answers(page)), 3)
        self.assertTrue(csrf_of(page))
        for header, value in [
                ('X-Frame-Options', 'DENY'),
                ('X-Content-Type-Options', 'nosniff'),
                ('Cache-Control', 'no-store'),
                ('Referrer-Policy', 'same-origin')]:
            self.assertEqual(page.headers[header], value)
        self.assertIn("frame-ancestors 'none'",
            page.headers['Content-Security-Policy'])
        # Nothing about the client nor the plan
        self.assertNotIn(b'IPUS', page.data)
        self.assertNotIn('Stanisław'.encode(), page.data)
        # Showing the page does not use the link
        self.assertEqual(self.response('show')['state'], 'sent')
        self.assertEqual(
            client.get(self.url(self.tokens['show'])).status_code, 200)

    def test_answer_once(self):
        "Test the answers are recorded once, then the link is not valid"
        client = self.client()
        token = self.tokens['answer']
        page = client.get(self.url(token))
        scale, choice, text = self.answers(page)
        data = {
            'csrf_token': csrf_of(page),
            scale: '4',
            choice: str(self.options['answer']),
            text: "Więcej godzin w soboty",
            }
        done = client.post(self.url(token), data=data)
        self.assertEqual(done.status_code, 200, done.data[:3000])
        self.assertIn(b'Your answers have been recorded', done.data)
        response = self.response('answer')
        self.assertEqual(response['state'], 'answered')
        self.assertEqual(response['channel'], 'online')
        self.assertIsNone(response['token'])
        self.assertEqual(response['answers'], [
                (4, None, None), (None, self.options['answer'], None),
                (None, None, "Więcej godzin w soboty")])

        # The same link again: not valid, nothing changes
        again = client.get(self.url(token))
        self.assertEqual(again.status_code, 404)
        self.assertIn(b'The link is not valid', again.data)
        data[scale] = '1'
        again = client.post(self.url(token), data=data)
        self.assertEqual(again.status_code, 404)
        self.assertEqual(self.response('answer')['answers'][0][0], 4)

    def test_invalid_links(self):
        "Test used, expired and unknown links get the same page"
        client = self.client()
        bodies = set()
        for token in [self.tokens['used'], self.tokens['expired'],
                'N' * 32, 'abc', 'x' * 200, "%27%20OR%201%3D1--"]:
            page = client.get(self.url(token))
            self.assertEqual(page.status_code, 404, token)
            self.assertIn(b'The link is not valid', page.data)
            self.assertNotIn(b'csrf_token', page.data)
            bodies.add(page.data)
            page = client.post(self.url(token), data={'csrf_token': 'x'})
            self.assertEqual(page.status_code, 404, token)
        self.assertEqual(len(bodies), 1)
        self.assertEqual(self.response('expired')['state'], 'sent')
        self.assertEqual(self.response('used')['state'], 'answered')

    def test_csrf_required(self):
        "Test the answers need the token of the page"
        client = self.client()
        token = self.tokens['csrf']
        page = client.get(self.url(token))
        scale, _, _ = self.answers(page)
        response = client.post(self.url(token), data={scale: '5'})
        self.assertEqual(response.status_code, 403)
        response = client.post(self.url(token), data={
                scale: '5', 'csrf_token': 'f' * 64})
        self.assertEqual(response.status_code, 403)
        # Nor from another browser (without the cookie)
        other = self.client()
        response = other.post(self.url(token), data={
                scale: '5', 'csrf_token': csrf_of(page)})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.response('csrf')['state'], 'sent')
        # With the token, it is answered
        response = client.post(self.url(token), data={
                scale: '5', 'csrf_token': csrf_of(page)})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.response('csrf')['state'], 'answered')

    def test_wrong_answers(self):
        "Test wrong answers are refused with the answers kept"
        client = self.client()
        token = self.tokens['errors']
        page = client.get(self.url(token))
        csrf = csrf_of(page)
        scale, choice, text = self.answers(page)
        for data, message in [
                ({text: "Nic"}, b'Answer the question'),
                ({scale: '9', text: "Nic"}, b'from 1 to 5'),
                ({scale: '3', choice: '999999'}, b'one of the answers'),
                ({scale: '3', text: 'x' * 2500}, b'too long'),
                ]:
            response = client.post(
                self.url(token), data=dict(data, csrf_token=csrf))
            self.assertEqual(response.status_code, 400, data)
            self.assertIn(message, response.data)
            self.assertEqual(self.response('errors')['state'], 'sent')
        # What was typed is shown again
        response = client.post(self.url(token), data={
                'csrf_token': csrf, choice: str(self.options['errors']),
                text: "Nic do poprawy"})
        self.assertEqual(response.status_code, 400)
        self.assertIn(b'Nic do poprawy', response.data)
        self.assertRegex(response.data.decode(),
            rf'value="{self.options["errors"]}" checked>')
        self.assertEqual(self.response('errors')['answers'], [
                (None, None, None)] * 3)

    def test_escaping(self):
        "Test the texts of the questionnaire are escaped"
        client = self.client()
        page = client.get(self.url(self.tokens['escape']))
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(b"<script>alert", page.data)
        self.assertIn(b"&lt;script&gt;alert", page.data)

    def test_form_size(self):
        "Test an oversized form is refused"
        client = self.client()
        token = self.tokens['size']
        page = client.get(self.url(token))
        scale, _, text = self.answers(page)
        response = client.post(self.url(token), data={
                'csrf_token': csrf_of(page), scale: '3',
                text: 'x' * (64 * 1024)})
        self.assertEqual(response.status_code, 413)
        self.assertEqual(self.response('size')['state'], 'sent')
