# This file is part of the CUS back office.
"""Attacks on every portal and public route, through trytond's WSGI app

The routes run as root: what protects the data is cus.portal's scoping, the
CSRF tokens, the size limits, Genshi's escaping and the rate limits. Each
test tries one kind of attack on every route it applies to (attacks.ROUTES)
and checks that nothing was read, changed or shown unescaped. The portal's
own tests (addons/cus_partners/tests/test_portal.py) cover the ordinary
refusals; these extend them to every route and every field."""
import datetime as dt
import io
import re
from unittest.mock import patch

import cus_partners.tests.test_portal as portal_tests
from cus_base.tests.tools import valid_pesel

import trytond.config as config
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, RouteTestCase, activate_module)
from trytond.transaction import Transaction
from trytond.wsgi import app

from .attacks import ATTACK_KEYS, ATTACKS, ROUTES

D = dt.date
csrf_of = portal_tests.csrf_of
PROVIDER = 'biuro@starachowiczanka.example'
OTHER = 'fundacja@pomocna.example'
SQL = ["' OR 1=1--", "1;DROP TABLE party_party", "1' UNION SELECT "
    "password_hash FROM web_user--", "\u2019 OR \u20181\u2019=\u20181",
    "\u02bc; DELETE FROM cus_service_delivery; --", "%' OR '%'='"]
XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)", "'><svg/onload=alert(1)>"]
# What an escaped injection must never look like in a page.
XSS_RAW = [b'<script>alert', b'<img src=x', b'<svg/onload']


def cus_rules():
    "The rules of trytond's URL map whose views are of the CUS modules"
    for rule in app.url_map.iter_rules():
        module = getattr(rule.endpoint, '__module__', '') or ''
        if any(p.startswith('cus_') for p in module.split('.')):
            yield rule


def fill(rule, ids):
    "A URL of the rule for our own records"
    path = rule.rule.replace('<database_name>', DB_NAME)
    path = path.replace('<int:order_id>', str(ids['care']))
    path = path.replace('<int:contract_id>', str(ids['contract']))
    return path.replace('<token>', ids['token'])


class RoutesAttackTestCase(RouteTestCase):
    "Attack every portal and public route"
    module = 'cus_partners'

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')
        super().setUpClass()

    @classmethod
    def setUpDatabase(cls):
        # The two providers, their orders, contracts and clients of the
        # portal's own tests.
        portal_tests.PortalTestCase.setUpDatabase.__func__(cls)
        pool = Pool()
        Survey = pool.get('cus.survey')
        Plan = pool.get('cus.ipus')
        # A questionnaire per try: a link answered once is spent.
        surveys = Survey.create([{
                    'name': f"Ankieta {i}",
                    'questions': [('create', [{
                                    'text': "Co możemy poprawić?",
                                    'kind': 'text', 'required': False}])],
                    } for i in range(len(SQL) + 1)])
        plans = Plan.search([('state', '=', 'running')], limit=1)
        tokens = [Survey.send_to(s, plans)[0].token for s in surveys]
        cls.ids['token'] = tokens.pop()
        cls.ids['sql_tokens'] = tokens

    url = portal_tests.PortalTestCase.url
    login = portal_tests.PortalTestCase.login
    logged_in = portal_tests.PortalTestCase.logged_in
    count_deliveries = portal_tests.PortalTestCase.count_deliveries
    _csv = portal_tests.PortalTestCase._csv
    upload = portal_tests.PortalTestCase.upload
    _application_form = portal_tests.PortalTestCase._application_form
    _applications = portal_tests.PortalTestCase._applications

    def tearDown(self):
        # Tries of one test must not rate limit the next one.
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            for name in ['web.user.authenticate.attempt',
                    'cus.portal.attempt']:
                Attempt = pool.get(name)
                Attempt.delete(Attempt.search([]))
            transaction.commit()
        super().tearDown()

    def counts(self):
        "Rows of the tables an attack could change"
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            return {name: pool.get(name).search([], count=True)
                for name in ['party.party', 'cus.service.delivery',
                    'cus.application', 'web.user', 'web.user.session',
                    'cus.service.order.change', 'cus.survey.answer']}

    def order_states(self):
        with Transaction().start(DB_NAME, 0, readonly=True):
            Order = Pool().get('cus.service.order')
            return {o.id: (o.state, o.changed) for o in Order.search([])}

    def assertNoRawScript(self, data, where):
        for raw in XSS_RAW:
            self.assertNotIn(raw, data, where)

    # --- Inventory -----------------------------------------------------

    def test_route_inventory(self):
        "Test every CUS route has its attacks declared and tested"
        routes = {}
        for rule in cus_rules():
            routes[rule.rule] = set(rule.methods) - {'HEAD', 'OPTIONS'}
        self.assertTrue(routes)
        self.assertEqual(
            set(routes), set(ROUTES),
            "a route without an entry in tests/security/attacks.py ROUTES")
        for path, (methods, attacks) in ROUTES.items():
            self.assertEqual(routes[path], methods, path)
            self.assertTrue(set(attacks) <= ATTACK_KEYS, path)
            if 'POST' in methods and path.endswith('upload'):
                self.assertIn('size-upload', attacks)
            elif 'POST' in methods:
                for key in ['csrf-missing', 'csrf-forged', 'size-form']:
                    self.assertIn(key, attacks, path)
            self.assertIn('methods', attacks, path)
            self.assertIn('traversal', attacks, path)
        # Every attack names a test that exists
        for attack in ATTACKS:
            for path, class_name, name in attack.tests:
                self.assertTrue(attack.tests, attack.key)
                if class_name == type(self).__name__:
                    self.assertTrue(hasattr(self, name), name)

    # --- Other providers' records --------------------------------------

    def test_other_provider_ids(self):
        "Test other providers' and unknown ids in every id-bearing URL"
        client, csrf = self.logged_in()
        before, states = self.counts(), self.order_states()
        bad_ids = {
            'order_id': [self.ids['other_order'], 0, 999999, 10 ** 20],
            'contract_id': [self.ids['other_contract'], 0, 999999, 10 ** 20],
            }
        for rule in cus_rules():
            if '<int:' not in rule.rule:
                continue
            name = re.search(r'<int:(\w+)>', rule.rule).group(1)
            for bad in bad_ids[name]:
                path = rule.rule.replace('<database_name>', DB_NAME).replace(
                    f'<int:{name}>', str(bad))
                for method in rule.methods - {'HEAD', 'OPTIONS'}:
                    data = {'csrf_token': csrf, 'date': '2021-04-07',
                        'quantity': '1', 'start': '2021-04-05',
                        'q-2021-04-07': '1'}
                    response = client.open(
                        path, method=method,
                        data=data if method == 'POST' else None)
                    self.assertEqual(response.status_code, 404,
                        (method, path))
                    self.assertNotIn(b'Zofia', response.data)
                    self.assertNotIn(
                        self.ids['other_number'].encode(), response.data)
                    self.assertNotIn(b'ul. Ukryta', response.data)
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.order_states(), states)

    def test_forged_form_fields(self):
        "Test forged fields of the week form cannot reach another record"
        client, csrf = self.logged_in()
        care = self.ids['care']
        before = self.count_deliveries(order=self.ids['other_order'])
        response = client.post(
            self.url(f'/portal/orders/{care}/week'), data={
                'csrf_token': csrf, 'start': '2021-04-05',
                'q-2021-04-06': '1', 'order': str(self.ids['other_order']),
                'client': str(self.ids['secret']),
                'provider': '1', 'state': 'confirmed',
                'web_user': str(self.ids['users'][1]),
                'q-2021-04-06[order]': str(self.ids['other_order'])})
        self.assertEqual(response.status_code, 303, response.data[:500])
        self.assertEqual(
            self.count_deliveries(order=self.ids['other_order']), before)
        with Transaction().start(DB_NAME, 0) as transaction:
            Delivery = Pool().get('cus.service.delivery')
            delivery, = Delivery.search([('order', '=', care)])
            self.assertEqual(delivery.client.id, self.ids['client'])
            self.assertEqual(delivery.state, 'reported')
            self.assertEqual(delivery.web_user.id, self.ids['users'][0])
            Delivery.delete([delivery])
            transaction.commit()

    # --- CSRF ----------------------------------------------------------

    def post_routes(self):
        "(rule, path) of every route accepting POST"
        for rule in cus_rules():
            if 'POST' in rule.methods:
                yield rule, fill(rule, self.ids)

    def test_csrf_every_form(self):
        "Test every POST route refuses a missing or forged token"
        client, csrf = self.logged_in()
        other, other_csrf = self.logged_in(OTHER)
        before, states = self.counts(), self.order_states()
        public = self.client()
        public.get(self.url('/wniosek'))  # sets the double-submit cookie
        checked = 0
        for rule, path in self.post_routes():
            data = {'date': '2021-04-07', 'quantity': '1',
                'start': '2021-04-05', 'q-2021-04-07': '1',
                'email': PROVIDER, 'password': portal_tests.PASSWORD,
                'first_name': 'Jan', 'last_name': 'Nowak',
                'pesel': valid_pesel(D(1950, 6, 15), 9), 'consent': '1',
                'phone': '600100200', 'description': 'x'}
            portal = '/portal/' in path and not any(
                p in path for p in ['login', 'password'])
            tokens = [None, 'a' * 64, '', 'null', other_csrf]
            for token in tokens:
                form = dict(data)
                if token is not None:
                    form['csrf_token'] = token
                if path.endswith('/upload'):
                    form['file'] = (self._csv(
                            [f'{self.ids["care_number"]};2021-04-07;1']),
                        'r.csv')
                response = (client if portal else public).post(path, data=form)
                self.assertEqual(response.status_code, 403, (path, token))
            if not portal:
                # The token of a public page is worthless without its
                # cookie (double submit).
                page = public.get(self.url('/wniosek'))
                fresh = self.client()
                response = fresh.post(
                    path, data=dict(data, csrf_token=csrf_of(page)))
                self.assertEqual(response.status_code, 403, path)
            checked += 1
        self.assertEqual(checked, sum(
                'POST' in m for m, _ in ROUTES.values()))
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.order_states(), states)
        # Still logged in: the logout without a token did nothing
        self.assertEqual(
            client.get(self.url('/portal/orders')).status_code, 200)

    def test_csrf_replayed(self):
        "Test a token replayed after the logout changes nothing"
        client, csrf = self.logged_in()
        response = client.post(
            self.url('/portal/logout'), data={'csrf_token': csrf})
        self.assertEqual(response.status_code, 303)
        care = self.ids['care']
        for path, data in [
                (f'/portal/orders/{care}/deliveries',
                    {'date': '2021-04-07', 'quantity': '1'}),
                ('/portal/upload', {'file': (self._csv(
                                [f'{self.ids["care_number"]};2021-04-07;1']),
                            'r.csv')}),
                ('/portal/logout', {})]:
            response = client.post(
                self.url(path), data=dict(data, csrf_token=csrf))
            self.assertEqual(response.status_code, 303, path)
            self.assertTrue(
                response.headers['Location'].endswith('/portal/login'))
        self.assertEqual(self.count_deliveries(order=care), 0)

    # --- Injection -----------------------------------------------------

    def test_sql_injection(self):
        "Test SQL injection strings in every parameter and field"
        client, csrf = self.logged_in()
        before, states = self.counts(), self.order_states()
        care = self.ids['care']
        public = self.client()
        for value in SQL:
            for path, name in [
                    ('/uslugi', 'grupa'), ('/uslugi', 'obszar'),
                    ('/portal/deliveries', 'state'),
                    (f'/portal/orders/{care}', 'saved'),
                    (f'/portal/orders/{care}/week', 'start'),
                    ('/wniosek', 'usluga'),
                    ('/portal/set-password', 'email'),
                    ('/portal/set-password', 'token')]:
                response = client.get(
                    self.url(path), query_string={name: value})
                self.assertEqual(response.status_code, 200, (path, value))
                self.assertNotIn(b'Zofia', response.data)
            # the public catalogue shows no service it would not show
            catalogue = public.get(self.url('/uslugi'),
                query_string={'grupa': value, 'obszar': value})
            plain = public.get(self.url('/uslugi'))
            self.assertEqual(
                re.findall(rb'<h3>[^<]*</h3>', catalogue.data),
                re.findall(rb'<h3>[^<]*</h3>', plain.data))
            # forms
            response = client.post(
                self.url(f'/portal/orders/{care}/deliveries'), data={
                    'csrf_token': csrf, 'date': value, 'quantity': value,
                    'duration': value, 'notes': value})
            self.assertEqual(response.status_code, 400, value)
            response = client.post(
                self.url(f'/portal/orders/{care}/week'), data={
                    'csrf_token': csrf, 'start': value,
                    'q-2021-04-06': value, 'd-2021-04-06': value})
            self.assertEqual(response.status_code, 400, value)
            page = public.get(self.url('/portal/login'))
            for email, password in [(value, value), (PROVIDER, value),
                    (value, portal_tests.PASSWORD)]:
                with patch('time.sleep'), patch.object(Transaction, 'atexit'):
                    response = public.post(self.url('/portal/login'), data={
                            'csrf_token': csrf_of(page), 'email': email,
                            'password': password})
                self.assertEqual(response.status_code, 401, value)
                self.assertNotIn('cus_portal_session',
                    response.headers.get('Set-Cookie', ''))
            self.tearDown()  # the failed logins are not the test's subject
            page = public.get(self.url('/portal/reset-password'))
            response = public.post(self.url('/portal/reset-password'),
                data={'csrf_token': csrf_of(page), 'email': value})
            self.assertEqual(response.status_code, 200, value)
            page = public.get(self.url('/portal/set-password'))
            with patch('time.sleep'), patch.object(Transaction, 'atexit'):
                response = public.post(self.url('/portal/set-password'),
                    data={'csrf_token': csrf_of(page), 'email': value,
                        'token': value, 'password': 'x' + value,
                        'password2': 'x' + value})
            self.assertEqual(response.status_code, 400, value)
            for field in ['first_name', 'last_name', 'pesel', 'street',
                    'city', 'phone', 'email', 'applicant_kind',
                    'services', 'representative']:
                response = self._application_form(public, **{field: value})
                self.assertIn(response.status_code, {200, 400},
                    (field, value))
            response = public.get(self.url(f'/ankieta/{value}'))
            self.assertIn(response.status_code, {404, 405}, value)
            self.assertNotIn(b'name="csrf_token"', response.data)
            token = self.ids['sql_tokens'][SQL.index(value)]
            page = public.get(self.url(f'/ankieta/{token}'))
            name, = set(re.findall(rb'name="(a\d+)"', page.data))
            response = public.post(
                self.url(f'/ankieta/{token}'), data={
                    'csrf_token': csrf_of(page), name.decode(): value})
            self.assertEqual(response.status_code, 200, value)
            self.tearDown()
        after = self.counts()
        # Only the well-formed applications (texts stored as text) were
        # added, with their new clients; nothing else changed.
        added = after['cus.application'] - before['cus.application']
        self.assertEqual(
            after['cus.survey.answer'], before['cus.survey.answer'])
        self.assertEqual(
            {k: v for k, v in after.items()
                if k not in {'cus.application', 'party.party'}},
            {k: v for k, v in before.items()
                if k not in {'cus.application', 'party.party'}})
        self.assertTrue(added)
        self.assertEqual(self.order_states(), states)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Application = Pool().get('cus.application')
            stored = Application.search([], order=[('id', 'DESC')],
                limit=added)
            self.assertTrue(any(
                    any(v in (a.online_data or '') + (a.description or '')
                        for v in SQL) for a in stored))
            self.assertEqual({a.state for a in stored}, {'submitted'})
            # the answers were stored as text
            Answer = Pool().get('cus.survey.answer')
            self.assertEqual(
                {a.text for a in Answer.search([('text', '!=', None)])},
                set(SQL))

    def test_sql_injection_csv(self):
        "Test SQL injection in every cell of an uploaded CSV"
        client, csrf = self.logged_in()
        before = self.counts()
        care = self.ids['care_number']
        for value in SQL:
            for row in [f'{value};2021-04-06;1;;',
                    f'{care};{value};1;;', f'{care};2021-04-06;{value};;',
                    f'{care};2021-04-06;1;{value};']:
                response = self.upload(
                    client, csrf, self._csv([row.replace(';', ',')
                            if ';' in value else row]))
                self.assertEqual(response.status_code, 400, row)
                self.assertIn(b'Nothing was recorded', response.data)
            # As notes the text is only text
            response = self.upload(client, csrf, self._csv(
                    [f'{care};2021-04-06;1;;"{value}"']))
            self.assertEqual(response.status_code, 200, response.data[-800:])
            with Transaction().start(DB_NAME, 0) as transaction:
                Delivery = Pool().get('cus.service.delivery')
                delivery, = Delivery.search(
                    [('order', '=', self.ids['care'])])
                self.assertEqual(delivery.notes, value)
                Delivery.delete([delivery])
                transaction.commit()
        self.assertEqual(self.counts(), before)

    def test_stored_script_injection(self):
        "Test stored texts and file names are shown escaped"
        client, csrf = self.logged_in()
        care = self.ids['care']
        for i, value in enumerate(XSS):
            response = client.post(
                self.url(f'/portal/orders/{care}/deliveries'), data={
                    'csrf_token': csrf, 'date': f'2021-04-{6 + i:02d}',
                    'quantity': '0,1', 'notes': value})
            self.assertEqual(response.status_code, 303, response.data)
        name = '../../../etc/passwd<script>alert(1)</script>.csv'
        response = self.upload(client, csrf, self._csv(
                [f'{self.ids["care_number"]};2021-04-12;0,1;;'
                    '"<script>alert(2)</script>"']), name=name)
        self.assertEqual(response.status_code, 200, response.data)
        self.assertNoRawScript(response.data, 'upload')
        self.assertIn(b'&lt;script&gt;alert(1)', response.data)
        with Transaction().start(DB_NAME, 0) as transaction:
            Delivery = Pool().get('cus.service.delivery')
            deliveries = Delivery.search([('order', '=', care)])
            self.assertEqual(len(deliveries), len(XSS) + 1)
            # Only a label: no file was written anywhere
            self.assertIn(name[:100], {d.portal_upload for d in deliveries})
            # Rejected, so that the alerts page shows them and the reason
            Delivery.write(deliveries, {
                    'state': 'rejected',
                    'rejection_reason': XSS[1]})
            transaction.commit()
        try:
            for path in [f'/portal/orders/{care}', '/portal/deliveries',
                    '/portal/deliveries?state=rejected', '/portal/alerts',
                    '/portal/']:
                page = client.get(self.url(path))
                self.assertEqual(page.status_code, 200, path)
                self.assertNoRawScript(page.data, path)
                if path != '/portal/':  # the home page shows the reasons
                    self.assertIn(b'&lt;script&gt;alert(1)&lt;/script&gt;',
                        page.data, path)
                self.assertIn(b'"&gt;&lt;img src=x', page.data, path)
                # and no script would run anyway: no script source allowed
                policy = page.headers['Content-Security-Policy']
                self.assertIn("default-src 'none'", policy)
                self.assertNotIn('script-src', policy)
        finally:
            with Transaction().start(DB_NAME, 0) as transaction:
                Delivery = Pool().get('cus.service.delivery')
                Delivery.delete(Delivery.search([('order', '=', care)]))
                transaction.commit()

    def test_reflected_script_injection(self):
        "Test what a page shows back of its request is escaped"
        client, csrf = self.logged_in()
        public = self.client()
        care = self.ids['care']
        for value in XSS:
            pages = [
                public.get(self.url('/portal/set-password'),
                    query_string={'email': value, 'token': value}),
                client.get(self.url(f'/portal/orders/{care}/week'),
                    query_string={'start': value}),
                client.post(self.url(f'/portal/orders/{care}/deliveries'),
                    data={'csrf_token': csrf, 'date': value,
                        'quantity': value, 'notes': value}),
                client.post(self.url(f'/portal/orders/{care}/week'),
                    data={'csrf_token': csrf, 'q-2021-04-06': value}),
                public.get(self.url('/uslugi'),
                    query_string={'grupa': value}),
                self._application_form(public, first_name=value,
                    street=value, city=value, description=value,
                    email=value, pesel=value, representative=value,
                    applicant_kind=value),
                ]
            page = public.get(self.url('/portal/login'))
            pages.append(public.post(self.url('/portal/login'), data={
                        'csrf_token': csrf_of(page), 'email': value,
                        'password': 'x'}))
            for response in pages:
                self.assertNoRawScript(response.data, value)
            # The application re-shown with its errors keeps the values,
            # escaped
            self.assertEqual(pages[5].status_code, 400)
            if value.startswith('<script'):
                self.assertIn(b'&lt;script&gt;', pages[5].data)
            self.tearDown()
        self.assertEqual(self.count_deliveries(order=care), 0)

    # --- Sizes and malformed uploads -----------------------------------

    def test_oversized_bodies(self):
        "Test every form route refuses a body above 32 kB"
        client, csrf = self.logged_in()
        public = self.client()
        public.get(self.url('/wniosek'))
        before, states = self.counts(), self.order_states()
        big = 'x' * (33 * 1024)
        for rule, path in self.post_routes():
            if path.endswith('/upload'):
                continue
            portal = '/portal/' in path and not any(
                p in path for p in ['login', 'password'])
            response = (client if portal else public).post(
                path, data={'csrf_token': csrf, 'notes': big,
                    'description': big})
            self.assertEqual(response.status_code, 413, path)
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.order_states(), states)

    def test_oversized_uploads(self):
        "Test an upload above 2 MB and a CSV above 5 000 lines"
        client, csrf = self.logged_in()
        response = self.upload(
            client, csrf, io.BytesIO(b'a;b;c\r\n' * (320 * 1024)))
        self.assertEqual(response.status_code, 413)
        rows = [f'{self.ids["care_number"]};2021-04-06;0,001;;'] * 5001
        response = self.upload(client, csrf, self._csv(rows))
        self.assertEqual(response.status_code, 400)
        self.assertIn(b'5000', response.data.replace(b'\xc2\xa0', b'')
            .replace(b' ', b''))
        self.assertEqual(self.count_deliveries(order=self.ids['care']), 0)

    def test_malformed_uploads(self):
        "Test binary, NUL, UTF-16, a huge line and broken quoting"
        client, csrf = self.logged_in()
        before = self.counts()
        care = self.ids['care_number']
        header = 'zlecenie;data;ilosc;czas;uwagi\r\n'
        for name, data in [
                ('binary', bytes(range(256)) * 50),
                ('png', b'\x89PNG\r\n\x1a\n' + b'\x00' * 1000),
                ('nul', (header + f'{care};2021-04-06;1\x00;;\r\n').encode()),
                ('nul-header', b'zlecenie\x00;data;ilosc\r\n1;2;3\r\n'),
                ('utf-16', (header + f'{care};2021-04-06;1;;\r\n')
                    .encode('utf-16')),
                ('huge-line', (header + f'{care};2021-04-06;1;;'
                        + 'x' * (1536 * 1024) + '\r\n').encode()),
                ('quote', (header + f'{care};2021-04-06;1;;"unclosed\r\n'
                        + f'{care};2021-04-07;1;;\r\n').encode()),
                ('only-header', header.encode()),
                ('empty', b''),
                ('zip', b'PK\x03\x04' + b'\x00' * 100),
                ]:
            response = self.upload(client, csrf, io.BytesIO(data))
            self.assertEqual(response.status_code, 400, name)
            self.assertIn(b'Nothing was recorded', response.data, name)
        # No file at all
        response = client.post(self.url('/portal/upload'),
            data={'csrf_token': csrf}, content_type='multipart/form-data')
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.counts(), before)

    def test_csv_formula_neutralised(self):
        "Test the CSV we produce never starts a cell with a formula sign"
        with Transaction().start(DB_NAME, 0) as transaction:
            Order = Pool().get('cus.service.order')
            order = Order(self.ids['care'])
            number = order.number
            table = Order.__table__()
            cursor = transaction.connection.cursor()
            cursor.execute(*table.update([table.number],
                    ["=cmd|' /C calc'!A0"], where=table.id == order.id))
            transaction.commit()
        try:
            client, _ = self.logged_in()
            response = client.get(self.url('/portal/upload/wzor.csv'))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.headers['Cache-Control'], 'no-store')
            text = response.data.decode('utf-8-sig')
            cells = [c for line in text.splitlines()
                for c in line.split(';')]
            self.assertIn("'=cmd|' /C calc'!A0", cells)
            for cell in cells:
                self.assertFalse(cell[:1] in {'=', '+', '-', '@'}, cell)
        finally:
            with Transaction().start(DB_NAME, 0) as transaction:
                cursor = transaction.connection.cursor()
                cursor.execute(*table.update([table.number], [number],
                        where=table.id == self.ids['care']))
                transaction.commit()
        # Notes that look like formulas are stored as text; the XLSX
        # reports write them as strings (cus_base.xlsx: write_string,
        # strings_to_formulas off).
        from cus_base import xlsx
        source = open(xlsx.__file__).read()
        self.assertIn("'strings_to_formulas': False", source)

    # --- URLs, methods, traversal --------------------------------------

    def test_database_name_traversal(self):
        "Test traversal and odd names in the database part of every URL"
        client = self.client()
        for rule in cus_rules():
            path = fill(rule, self.ids)
            for name in ['..', '%2e%2e', '..%2f..%2fetc%2fpasswd',
                    '%2fetc%2fpasswd', 'x%00', '%5c%5cevil.example',
                    'no_such_database', DB_NAME + '..',
                    '..%5c..%5cwindows']:
                bad = '/' + name + path[len(DB_NAME) + 1:]
                for method in rule.methods - {'HEAD', 'OPTIONS'}:
                    response = client.open(bad, method=method)
                    self.assertIn(response.status_code, {404, 405, 400},
                        (method, bad, response.status_code))
                    self.assertNotIn(b'root:', response.data)

    def test_method_tampering(self):
        "Test every route refuses the methods it does not serve"
        client, csrf = self.logged_in()
        before, states = self.counts(), self.order_states()
        for rule in cus_rules():
            path = fill(rule, self.ids)
            for method in ['GET', 'POST', 'PUT', 'DELETE', 'PATCH',
                    'TRACE', 'PROPFIND']:
                if method in rule.methods:
                    continue
                response = client.open(
                    path, method=method, data={'csrf_token': csrf})
                self.assertEqual(response.status_code, 405, (method, path))
        self.assertEqual(self.counts(), before)
        self.assertEqual(self.order_states(), states)

    # --- Login, sessions -----------------------------------------------

    def test_brute_force_case_variants(self):
        "Test the login rate limit holds across case variants of an e-mail"
        client = self.client()
        variants = [OTHER, OTHER.upper(), OTHER.title(), ' ' + OTHER,
            OTHER.swapcase(), OTHER[:1].upper() + OTHER[1:],
            OTHER.upper() + ' ']
        with patch('time.sleep'), patch.object(Transaction, 'atexit'):
            statuses = [self.login(client, email=e, password='guess')
                .status_code for e in variants]
            response = self.login(
                client, email=OTHER.upper(),
                password=portal_tests.PASSWORD)
        self.assertEqual(statuses[:6], [401] * 6)
        self.assertEqual(response.status_code, 429)
        self.assertNotIn('cus_portal_session',
            response.headers.get('Set-Cookie', ''))

    def test_brute_force_per_network(self):
        "Test tries over many e-mails from one network are stopped"
        client = self.client()
        config.set('session', 'max_attempt_ip_network', '5')
        try:
            with patch('time.sleep'), patch.object(Transaction, 'atexit'):
                statuses = [self.login(
                        client, email=f'probe{i}@x.example',
                        password='guess').status_code for i in range(7)]
                response = self.login(client)
        finally:
            config.set('session', 'max_attempt_ip_network', '300')
        self.assertEqual(statuses[:6], [401] * 6)
        self.assertEqual(statuses[6], 429)
        self.assertEqual(response.status_code, 429)

    def test_login_does_not_reveal_email(self):
        "Test a wrong password and an unknown e-mail get the same answer"
        client = self.client()
        with patch('time.sleep'), patch.object(Transaction, 'atexit'):
            known = self.login(client, email=PROVIDER, password='guess')
            unknown = self.login(
                client, email='nobody@starachowiczanka.example',
                password='guess')
            # A web user that is no provider's (no portal) neither
            with Transaction().start(DB_NAME, 0) as transaction:
                WebUser = Pool().get('web.user')
                WebUser.create([{'email': 'resident@x.example',
                            'password': portal_tests.PASSWORD}])
                transaction.commit()
            no_portal = self.login(client, email='resident@x.example')
        self.assertEqual(
            {known.status_code, unknown.status_code, no_portal.status_code},
            {401})

        def strip(response, email):
            return response.data.replace(email.encode(), b'').replace(
                re.search(rb'name="csrf_token" value="[0-9a-f]+"',
                    response.data).group(0), b'')
        self.assertEqual(strip(known, PROVIDER),
            strip(unknown, 'nobody@starachowiczanka.example'))
        self.assertEqual(strip(known, PROVIDER),
            strip(no_portal, 'resident@x.example'))

    def test_set_password_token_guessing(self):
        "Test a guessed reset token sets no password"
        client = self.client()
        with Transaction().start(DB_NAME, 0) as transaction:
            WebUser = Pool().get('web.user')
            user = WebUser(self.ids['users'][1])
            user.reset_password_token = 'a' * 32
            user.reset_password_token_expire = (
                dt.datetime.now() + dt.timedelta(hours=1))
            user.save()
            transaction.commit()
        page = client.get(self.url('/portal/set-password'))
        with patch('time.sleep'), patch.object(Transaction, 'atexit'):
            for token in ['', 'a' * 31, 'a' * 33, 'A' * 32, 'b' * 32,
                    "' OR 1=1--", 'a' * 31 + 'b', None]:
                if token is None:
                    # the account of the other provider with its own token
                    token, email = 'a' * 32, PROVIDER
                else:
                    email = OTHER
                response = client.post(self.url('/portal/set-password'),
                    data={'csrf_token': csrf_of(page), 'email': email,
                        'token': token, 'password': 'Zgadniete-1234!',
                        'password2': 'Zgadniete-1234!'})
                self.assertEqual(response.status_code, 400, token)
        # No password was set; the wrong tokens count as failed logins:
        # the account tried 7 times is rate limited.
        with patch('time.sleep'), patch.object(Transaction, 'atexit'):
            response = self.login(
                self.client(), email=PROVIDER, password='Zgadniete-1234!')
            self.assertEqual(response.status_code, 401)
            response = self.login(
                self.client(), email=OTHER, password='Zgadniete-1234!')
            self.assertEqual(response.status_code, 429)
        self.tearDown()
        self.assertEqual(self.login(self.client(), email=OTHER).status_code,
            303)
        with Transaction().start(DB_NAME, 0) as transaction:
            WebUser = Pool().get('web.user')
            user = WebUser(self.ids['users'][1])
            user.reset_password_token = None
            user.reset_password_token_expire = None
            user.save()
            transaction.commit()

    def test_session_fixation(self):
        "Test a planted session cookie is replaced by a new key at login"
        client = self.client()
        planted = 'f' * 64
        client.set_cookie('cus_portal_session', planted,
            path=f'/{DB_NAME}/portal')
        response = self.login(client)
        self.assertEqual(response.status_code, 303)
        key = re.search(r'cus_portal_session=([^;]+)',
            response.headers['Set-Cookie']).group(1)
        self.assertNotEqual(key, planted)
        self.assertGreaterEqual(len(key), 32)
        # Another login gets another key
        again = self.login(self.client())
        self.assertNotEqual(re.search(r'cus_portal_session=([^;]+)',
                again.headers['Set-Cookie']).group(1), key)
        attacker = self.client()
        attacker.set_cookie('cus_portal_session', planted,
            path=f'/{DB_NAME}/portal')
        self.assertEqual(
            attacker.get(self.url('/portal/orders')).status_code, 303)

    def test_session_cookie_flags(self):
        "Test the session and CSRF cookies' flags"
        client = self.client()
        page = client.get(self.url('/portal/login'),
            base_url='https://localhost')
        csrf_cookie = page.headers['Set-Cookie']
        for flag in ['HttpOnly', 'SameSite=Strict', 'Secure',
                f'Path=/{DB_NAME}']:
            self.assertIn(flag, csrf_cookie)
        response = client.post(self.url('/portal/login'), data={
                'email': PROVIDER, 'password': portal_tests.PASSWORD,
                'csrf_token': csrf_of(page)}, base_url='https://localhost')
        self.assertEqual(response.status_code, 303)
        cookie = response.headers['Set-Cookie']
        for flag in ['HttpOnly', 'SameSite=Lax', 'Secure',
                f'Path=/{DB_NAME}/portal']:
            self.assertIn(flag, cookie)
        self.assertNotIn('Expires', cookie)  # a browser session cookie
        # Over plain HTTP (behind no proxy) not Secure, still HttpOnly
        response = self.login(self.client())
        self.assertIn('HttpOnly', response.headers['Set-Cookie'])

    def test_headers_every_route(self):
        "Test every page, redirect, 404 and file forbids caching and framing"
        client, _ = self.logged_in()
        anonymous = self.client()
        for rule in cus_rules():
            path = fill(rule, self.ids)
            responses = []
            if 'GET' in rule.methods:
                responses.append(client.get(path))
                responses.append(anonymous.get(path))
            if 'POST' in rule.methods:
                responses.append(anonymous.post(path, data={}))
            for response in responses:
                if response.status_code in {405, 413}:
                    continue  # trytond's own refusal, before our view
                self.assertEqual(
                    response.headers.get('Cache-Control'), 'no-store',
                    (path, response.status_code))
                if response.status_code in {200, 303, 403, 404}:
                    self.assertEqual(
                        response.headers.get('X-Frame-Options'), 'DENY',
                        (path, response.status_code))
                    self.assertEqual(
                        response.headers.get('X-Content-Type-Options'),
                        'nosniff', path)

    def test_open_redirect(self):
        "Test no parameter nor header can send the browser elsewhere"
        client = self.client()
        evil = ['https://evil.example', '//evil.example', '/\\evil.example',
            'javascript:alert(1)']
        for value in evil:
            params = {'next': value, 'redirect': value, 'url': value,
                'return_to': value}
            page = client.get(self.url('/portal/login'),
                query_string=params)
            response = client.post(self.url('/portal/login'),
                query_string=params, data=dict(params,
                    email=PROVIDER, password=portal_tests.PASSWORD,
                    csrf_token=csrf_of(page)),
                headers={'Referer': value, 'X-Forwarded-Host': 'evil.example'})
            self.assertEqual(response.status_code, 303)
            location = response.headers['Location']
            self.assertEqual(location, f'/{DB_NAME}/portal/')
            home = client.get(self.url('/portal/'))
            response = client.post(self.url('/portal/logout'),
                query_string=params,
                data=dict(params, csrf_token=csrf_of(home)))
            self.assertEqual(response.headers['Location'],
                f'/{DB_NAME}/portal/login?out=1')
            response = self.client().get(self.url('/portal/orders'),
                query_string=params)
            self.assertEqual(response.headers['Location'],
                f'/{DB_NAME}/portal/login')

    def test_error_details_hidden(self):
        "Test an unexpected failure tells nothing of its cause"
        client, _ = self.logged_in()
        with Transaction().start(DB_NAME, 0, readonly=True):
            PortalModel = Pool().get('cus.portal')
        secret = 'no such column: party_party.health_condition /srv/x.py'
        for method, path, client_ in [
                ('catalogue', '/uslugi', self.client()),
                ('orders', '/portal/orders', client)]:
            with patch.object(PortalModel, method,
                    side_effect=RuntimeError(secret)), \
                    self.assertLogs('cus_partners.routes', 'ERROR'):
                response = client_.get(self.url(path))
            self.assertEqual(response.status_code, 500, path)
            self.assertNotIn(b'no such column', response.data)
            self.assertNotIn(b'/srv/', response.data)
            self.assertEqual(response.headers['Cache-Control'], 'no-store')

    # --- Survey, application -------------------------------------------

    def test_survey_token_guessing(self):
        "Test guessed survey links all get the page of an invalid link"
        client = self.client()
        token = self.ids['token']
        self.assertGreaterEqual(len(token), 32)  # 24 random bytes
        invalid = client.get(self.url('/ankieta/' + 'A' * 32))
        self.assertEqual(invalid.status_code, 404)
        for guess in [token[:-1], token[:-1] + ('A' if token[-1] != 'A'
                    else 'B'), token.upper() if token.upper() != token
                else token.lower(), token[:16], 'x', 'a' * 129,
                'a' * 5000, token + '%00', token + '/../',
                '%2e%2e%2f%2e%2e%2f', "'%20OR%201=1--", '*', '%25']:
            response = client.get(self.url('/ankieta/' + guess))
            if '/' in guess or '%2f' in guess:
                # not even the route: trytond's own 404/405
                self.assertIn(response.status_code, {404, 405}, guess)
                self.assertNotIn(b'csrf_token', response.data)
                continue
            self.assertEqual(response.status_code, 404, guess)
            self.assertEqual(response.data, invalid.data, guess)
            response = client.post(self.url('/ankieta/' + guess),
                data={'csrf_token': 'x'})
            self.assertIn(response.status_code, {403, 404}, guess)

    def test_application_mass_assignment(self):
        "Test fields not in the online form are ignored"
        client = self.client()
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            Programme = pool.get('cus.programme')
            programme = Programme.search([], limit=1)[0].id
        page = client.get(self.url('/wniosek'))
        response = client.post(self.url('/wniosek'), data={
                'csrf_token': csrf_of(page),
                'first_name': 'Adam', 'last_name': 'Masowy',
                'pesel': valid_pesel(D(1955, 5, 5), 11),
                'phone': '600 100 200', 'applicant_kind': 'person',
                'description': 'Pomoc', 'consent': '1',
                # what the form does not have
                'state': 'approved', 'client': str(self.ids['secret']),
                'channel': 'paper', 'programme': str(programme),
                'path': 'osl', 'coordinator': '1', 'online_consent': '0',
                'number': 'W/1/HACK', 'application_date': '2000-01-01',
                'id': '1', 'create_uid': '1', 'lines': 'x',
                'client.health_condition': 'x'})
        self.assertEqual(response.status_code, 200, response.data)
        number = re.search(
            rb'id="confirmation">([^<]+)<', response.data).group(1).decode()
        self.assertNotEqual(number, 'W/1/HACK')
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            Application = pool.get('cus.application')
            Party = pool.get('party.party')
            application, = Application.search([('number', '=', number)])
            self.assertEqual(application.state, 'submitted')
            self.assertEqual(application.channel, 'online')
            self.assertEqual(application.path, 'ipus')
            self.assertEqual(application.client.name, 'Adam Masowy')
            self.assertNotEqual(application.client.id, self.ids['secret'])
            self.assertEqual(application.application_date,
                pool.get('ir.date').today())
            self.assertTrue(application.online_consent)
            self.assertEqual(
                Party(self.ids['secret']).health_condition, 'Choroba tajna')


del RouteTestCase
