# This file is part of the CUS back office.
"""The partner portal and the public pages, through trytond's WSGI app

Every isolation refusal is tried: another provider's order, contract,
delivery and client, by id in the URL and by forged form fields."""
import datetime as dt
import re
from decimal import Decimal
from unittest.mock import patch

from cus_base.tests.tools import valid_pesel

import trytond.config as config
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, RouteTestCase, activate_module)
from trytond.transaction import Transaction

from .test_contract import PartnersFixture

D = dt.date
PASSWORD = 'Tajne-Haslo-2023!'


def csrf_of(response):
    "The CSRF token of the first form of a page"
    match = re.search(
        rb'name="csrf_token" value="([0-9a-f]+)"', response.data)
    assert match, response.data[:2000]
    return match.group(1).decode()


class PortalTestCase(RouteTestCase):
    "Test the partner portal and the public pages"
    module = 'cus_partners'

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')
        super().setUpClass()

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Party = pool.get('party.party')
        Order = pool.get('cus.service.order')
        WebUser = pool.get('web.user')
        fixture = PartnersFixture()
        fx = fixture._fixture()
        plan = fixture._plan(fx)
        care, taxi = fixture._orders(fx, plan)
        Order.accept([care])

        # The other provider has its own contract, client and order.
        other = fx['other_provider']
        contract = fixture._contract(
            fx, other, [(fx['care'], Decimal('50'), 500, Decimal('20'))])
        secret, = Party.create([{
                    'name': "Zofia Tajemnicza",
                    'cus_client': True,
                    'client_category': 'resident',
                    'pesel': valid_pesel(D(1940, 2, 3), 2),
                    'health_condition': "Choroba tajna",
                    'addresses': [('create', [{
                                    'street': "ul. Ukryta 1",
                                    'city': "Starachowice"}])],
                    }])
        fx['client'] = secret
        other_plan = fixture._plan(fx, lines=[{
                    'service': fx['care'].id, 'provider': other.id,
                    'start_date': D(2021, 4, 1), 'end_date': D(2021, 12, 31),
                    'per_week': 2, 'quantity': 78}])
        other_order, = fixture._orders(fx, other_plan)
        fixture._deliver(fx, other_order, [D(2021, 4, 6)])

        users = WebUser.create([{
                    'email': 'biuro@starachowiczanka.example',
                    'password': PASSWORD,
                    'party': fx['provider'].id,
                    }, {
                    'email': 'fundacja@pomocna.example',
                    'password': PASSWORD,
                    'party': other.id,
                    }])
        cls.ids = {
            'care': care.id, 'taxi': taxi.id, 'care_number': care.number,
            'taxi_number': taxi.number, 'other_order': other_order.id,
            'other_number': other_order.number, 'contract': fx['contract'].id,
            'other_contract': contract.id, 'client': plan.client.id,
            'secret': secret.id, 'users': [u.id for u in users],
            'care_service': fx['care'].id,
            }
        cls.secret_pesel = secret.pesel

    def url(self, path):
        return f'/{DB_NAME}{path}'

    def login(self, client, email='biuro@starachowiczanka.example',
            password=PASSWORD):
        page = client.get(self.url('/portal/login'))
        self.assertEqual(page.status_code, 200)
        return client.post(self.url('/portal/login'), data={
                'email': email, 'password': password,
                'csrf_token': csrf_of(page)})

    def logged_in(self, email='biuro@starachowiczanka.example'):
        client = self.client()
        response = self.login(client, email)
        self.assertEqual(response.status_code, 303, response.data)
        home = client.get(self.url('/portal/'))
        self.assertEqual(home.status_code, 200)
        return client, csrf_of(home)

    def count_deliveries(self, **domain):
        with Transaction().start(DB_NAME, 0, readonly=True):
            Delivery = Pool().get('cus.service.delivery')
            return Delivery.search(
                [(k, '=', v) for k, v in domain.items()], count=True)

    def test_pages_need_login(self):
        "Test the provider pages send an anonymous visitor to the login"
        client = self.client()
        for path in ['/portal/', '/portal/orders',
                f'/portal/orders/{self.ids["care"]}', '/portal/deliveries',
                '/portal/upload', '/portal/contracts', '/portal/alerts']:
            response = client.get(self.url(path))
            self.assertEqual(response.status_code, 303, path)
            self.assertTrue(
                response.headers['Location'].endswith('/portal/login'))
        # A forged session cookie is no session
        client.set_cookie(
            'cus_portal_session', 'f' * 64, path=f'/{DB_NAME}/portal')
        self.assertEqual(
            client.get(self.url('/portal/orders')).status_code, 303)

    def test_login_refused(self):
        "Test a wrong password or a non-provider is refused"
        client = self.client()
        response = self.login(client, password='wrong')
        self.assertEqual(response.status_code, 401)
        self.assertIn(b'Wrong e-mail or password', response.data)
        self.assertNotIn('cus_portal_session', response.headers.get(
                'Set-Cookie', ''))
        # Without the token of the login page, no login at all
        response = client.post(self.url('/portal/login'), data={
                'email': 'biuro@starachowiczanka.example',
                'password': PASSWORD})
        self.assertEqual(response.status_code, 403)

    def test_login_rate_limited(self):
        "Test brute force on a login is stopped"
        client = self.client()
        with patch('time.sleep'), \
                patch.object(Transaction, 'atexit'):
            for _ in range(6):
                response = self.login(
                    client, email='fundacja@pomocna.example',
                    password='guess')
                self.assertEqual(response.status_code, 401)
            response = self.login(
                client, email='fundacja@pomocna.example', password=PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertIn(b'Too many failed attempts', response.data)
        with Transaction().start(DB_NAME, 0):
            Attempt = Pool().get('web.user.authenticate.attempt')
            Attempt.delete(Attempt.search([]))

    def test_orders_are_scoped(self):
        "Test a provider sees its orders and never the other provider's"
        client, _ = self.logged_in()
        page = client.get(self.url('/portal/orders'))
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.ids['care_number'].encode(), page.data)
        self.assertIn(self.ids['taxi_number'].encode(), page.data)
        self.assertNotIn(self.ids['other_number'].encode(), page.data)
        self.assertNotIn('Zofia Tajemnicza'.encode(), page.data)

        order = client.get(self.url(f'/portal/orders/{self.ids["care"]}'))
        self.assertEqual(order.status_code, 200)
        self.assertIn(self.ids['care_number'].encode(), order.data)
        # Only the client's name and the service address: no PESEL
        with Transaction().start(DB_NAME, 0, readonly=True):
            client_party = Pool().get('party.party')(self.ids['client'])
            pesel = client_party.pesel
        self.assertNotIn(pesel.encode(), order.data)
        for header, value in [
                ('X-Frame-Options', 'DENY'),
                ('X-Content-Type-Options', 'nosniff'),
                ('Cache-Control', 'no-store')]:
            self.assertEqual(order.headers[header], value)
        self.assertIn("frame-ancestors 'none'",
            order.headers['Content-Security-Policy'])

    def test_other_provider_by_url(self):
        "Test every page of another provider's records answers not found"
        client, csrf = self.logged_in()
        other = self.ids['other_order']
        for path in [f'/portal/orders/{other}',
                f'/portal/orders/{other}/week',
                f'/portal/contracts/{self.ids["other_contract"]}',
                '/portal/orders/999999', '/portal/contracts/999999']:
            response = client.get(self.url(path))
            self.assertEqual(response.status_code, 404, path)
            self.assertNotIn('Zofia'.encode(), response.data)
        before = self.count_deliveries(order=other)
        for path, data in [
                (f'/portal/orders/{other}/deliveries', {
                        'date': '2021-04-07', 'quantity': '1'}),
                (f'/portal/orders/{other}/week', {
                        'start': '2021-04-05', 'q-2021-04-07': '1'}),
                (f'/portal/orders/{other}/acknowledge', {}),
                (f'/portal/orders/{other}/accept', {}),
                ]:
            response = client.post(
                self.url(path), data=dict(data, csrf_token=csrf))
            self.assertEqual(response.status_code, 404, path)
        self.assertEqual(self.count_deliveries(order=other), before)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Order = Pool().get('cus.service.order')
            self.assertEqual(Order(other).state, 'sent')

    def test_other_provider_lists(self):
        "Test the lists never show the other provider's records"
        client, _ = self.logged_in()
        for path in ['/portal/', '/portal/deliveries', '/portal/contracts',
                '/portal/alerts', '/portal/upload/wzor.csv']:
            response = client.get(self.url(path))
            self.assertEqual(response.status_code, 200, path)
            self.assertNotIn(b'Zofia', response.data, path)
            self.assertNotIn(
                self.ids['other_number'].encode(), response.data, path)
        contracts = client.get(self.url('/portal/contracts'))
        self.assertIn(f'/portal/contracts/{self.ids["contract"]}'.encode(),
            contracts.data)
        self.assertNotIn(
            f'/portal/contracts/{self.ids["other_contract"]}"'.encode(),
            contracts.data)
        # The other provider sees its delivery, the first one does not
        other, _ = self.logged_in('fundacja@pomocna.example')
        deliveries = other.get(self.url('/portal/deliveries'))
        self.assertIn(b'Zofia Tajemnicza', deliveries.data)
        self.assertNotIn(self.ids['care_number'].encode(), deliveries.data)

    def test_forged_fields(self):
        "Test forged form fields cannot reach another order or client"
        client, csrf = self.logged_in()
        care = self.ids['care']
        before = self.count_deliveries(client=self.ids['secret'])
        response = client.post(
            self.url(f'/portal/orders/{care}/deliveries'), data={
                'csrf_token': csrf, 'date': '2021-04-08', 'quantity': '1',
                'order': str(self.ids['other_order']),
                'client': str(self.ids['secret']),
                'provider': '1', 'service': '1', 'state': 'confirmed'})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            self.count_deliveries(client=self.ids['secret']), before)
        with Transaction().start(DB_NAME, 0):
            Delivery = Pool().get('cus.service.delivery')
            delivery, = Delivery.search([
                    ('order', '=', care), ('date', '=', D(2021, 4, 8))])
            self.assertEqual(delivery.client.id, self.ids['client'])
            self.assertEqual(delivery.state, 'reported')
            self.assertEqual(delivery.web_user.id, self.ids['users'][0])
            Delivery.delete([delivery])
        # A CSV naming the other provider's order is refused as unknown
        response = client.post(self.url('/portal/upload'), data={
                'csrf_token': csrf,
                'file': (self._csv([
                            f'{self.ids["care_number"]};2021-04-09;1',
                            f'{self.ids["other_number"]};2021-04-09;1']),
                    'realizacje.csv')},
            content_type='multipart/form-data')
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            f'The order {self.ids["other_number"]} is not one of your '
            'orders'.encode(), response.data)
        self.assertEqual(
            self.count_deliveries(client=self.ids['secret']), before)
        self.assertEqual(self.count_deliveries(order=care), 0)

    def test_csrf_required(self):
        "Test a form without the session's token changes nothing"
        client, csrf = self.logged_in()
        care = self.ids['care']
        for token in [None, 'a' * 64, csrf[:-1] + ('0' if csrf[-1] != '0'
                    else '1')]:
            data = {'date': '2021-04-08', 'quantity': '1'}
            if token:
                data['csrf_token'] = token
            response = client.post(
                self.url(f'/portal/orders/{care}/deliveries'), data=data)
            self.assertEqual(response.status_code, 403)
        self.assertEqual(self.count_deliveries(order=care), 0)
        # The token of one provider's session is not valid in another's
        other, _ = self.logged_in('fundacja@pomocna.example')
        response = other.post(self.url(
                f'/portal/orders/{self.ids["other_order"]}/deliveries'),
            data={'csrf_token': csrf, 'date': '2021-04-08', 'quantity': '1'})
        self.assertEqual(response.status_code, 403)

    def test_report_delivery(self):
        "Test a provider reports a delivery and a wrong one is refused"
        client, csrf = self.logged_in()
        care = self.ids['care']
        url = self.url(f'/portal/orders/{care}/deliveries')
        response = client.post(url, data={
                'csrf_token': csrf, 'date': '12.04.2021', 'quantity': '1,5',
                'duration': '1,5', 'notes': 'Zakupy i sprzątanie'})
        self.assertEqual(response.status_code, 303)
        page = client.get(response.headers['Location'])
        self.assertIn(b'Deliveries recorded: 1.', page.data)
        self.assertIn('Zakupy i sprzątanie'.encode(), page.data)
        for data, message in [
                ({'date': '2021-03-31', 'quantity': '1'},
                    'outside the period of the order'),
                ({'date': '2099-01-01', 'quantity': '1'},
                    'is in the future'),
                ({'date': 'wczoraj', 'quantity': '1'}, 'is not a date'),
                ({'date': '2021-04-13', 'quantity': '-2'},
                    'is not a positive number'),
                ({'date': '2021-04-13', 'quantity': '1000'},
                    'above what remains of the order'),
                ]:
            response = client.post(url, data=dict(data, csrf_token=csrf))
            self.assertEqual(response.status_code, 400, data)
            self.assertIn(message.encode(), response.data, data)
        self.assertEqual(self.count_deliveries(order=care), 1)
        with Transaction().start(DB_NAME, 0):
            Delivery = Pool().get('cus.service.delivery')
            delivery, = Delivery.search([('order', '=', care)])
            self.assertEqual(
                (delivery.quantity, delivery.duration), (1.5, 1.5))
            Delivery.delete([delivery])

    def test_week(self):
        "Test a week of deliveries is reported in one form, all or none"
        client, csrf = self.logged_in()
        care = self.ids['care']
        url = self.url(f'/portal/orders/{care}/week')
        page = client.get(url + '?start=2021-04-07')
        self.assertEqual(page.status_code, 200)
        # The week starts on Monday; days outside the order have no field
        self.assertIn(b'name="q-2021-04-05"', page.data)
        self.assertIn(b'name="q-2021-04-11"', page.data)
        before = client.get(url + '?start=2021-03-29')
        self.assertNotIn(b'name="q-2021-03-31"', before.data)
        self.assertIn(b'name="q-2021-04-01"', before.data)

        data = {'csrf_token': csrf, 'start': '2021-04-05'}
        for day in range(5, 10):
            data[f'q-2021-04-{day:02d}'] = '1'
        data['q-2021-04-08'] = 'x'
        response = client.post(url, data=data)
        self.assertEqual(response.status_code, 400)
        self.assertIn(b'is not a positive number', response.data)
        self.assertEqual(self.count_deliveries(order=care), 0)

        data['q-2021-04-08'] = '1,5'
        response = client.post(url, data=data)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.count_deliveries(order=care), 5)
        with Transaction().start(DB_NAME, 0):
            Delivery = Pool().get('cus.service.delivery')
            deliveries = Delivery.search([('order', '=', care)])
            self.assertEqual(sum(d.quantity for d in deliveries), 5.5)
            Delivery.delete(deliveries)

    def _csv(self, rows, header='zlecenie;data;ilosc;czas;uwagi',
            encoding='utf-8'):
        import io
        return io.BytesIO(
            ('\r\n'.join([header] + rows) + '\r\n').encode(encoding))

    def upload(self, client, csrf, data, name='realizacje.csv'):
        return client.post(self.url('/portal/upload'), data={
                'csrf_token': csrf, 'file': (data, name)},
            content_type='multipart/form-data')

    def test_upload_all_or_none(self):
        "Test a CSV with a bad row records nothing and names the row"
        client, csrf = self.logged_in()
        care, taxi = self.ids['care_number'], self.ids['taxi_number']
        rows = [
            f'{care};2021-04-06;1;2;',
            f'{care};07.04.2021;1,5;;wizyta',
            f'{taxi};2021-07-06;1;;',
            f'{care};2021-13-01;1;;',  # line 5: no such date
            f'ZL/9999/9999;2021-04-08;1;;',  # line 6: unknown order
            f'{taxi};2021-04-08;1;;',  # line 7: before the taxi order
            f'{care};2021-04-09;abc;;',  # line 8: not a quantity
            f'{care};2021-04-09;1;;;;;',  # line 9: too many columns
            f'{taxi};2021-07-07;6;;',  # line 10: 1 + 6 above the 6 ordered
            ]
        response = self.upload(client, csrf, self._csv(rows))
        self.assertEqual(response.status_code, 400)
        self.assertIn(b'Nothing was recorded', response.data)
        errors = dict(re.findall(
                rb'<td class="num">(\d+)</td><td>([^<]*)</td>',
                response.data))
        self.assertEqual(sorted(int(k) for k in errors), [5, 6, 7, 8, 9, 10])
        self.assertIn(b'is not a date', errors[b'5'])
        self.assertIn(b'ZL/9999/9999 is not one of your orders', errors[b'6'])
        self.assertIn(b'outside the period of the order', errors[b'7'])
        self.assertIn(b'is not a positive number', errors[b'8'])
        self.assertIn(b'more columns than the header', errors[b'9'])
        self.assertIn(b'above what remains of the order', errors[b'10'])
        self.assertEqual(self.count_deliveries(order=self.ids['care']), 0)
        self.assertEqual(self.count_deliveries(order=self.ids['taxi']), 0)

        # The same file without its bad rows, in Windows-1250, is recorded
        response = self.upload(
            client, csrf, self._csv(rows[:3], encoding='cp1250'))
        self.assertEqual(response.status_code, 200, response.data)
        self.assertIn(b'realizacje.csv: 3.', response.data)
        with Transaction().start(DB_NAME, 0):
            Delivery = Pool().get('cus.service.delivery')
            deliveries = Delivery.search([
                    ('order', 'in', [self.ids['care'], self.ids['taxi']])])
            self.assertEqual(len(deliveries), 3)
            self.assertEqual({d.portal_upload for d in deliveries},
                {'realizacje.csv'})
            self.assertEqual({d.notes for d in deliveries}, {None, 'wizyta'})
            Delivery.delete(deliveries)

    def test_upload_refused_files(self):
        "Test malformed and oversized uploads are refused"
        client, csrf = self.logged_in()
        for data, message in [
                (self._csv([], header='order,date'), b'must name the columns'),
                (self._csv([]), b'holds no delivery'),
                (__import__('io').BytesIO(b'\x81\x00\xff' * 10),
                    b'neither UTF-8 nor Windows-1250'),
                ]:
            response = self.upload(client, csrf, data)
            self.assertEqual(response.status_code, 400)
            self.assertIn(message, response.data)
        big = __import__('io').BytesIO(b'x' * (3 * 1024 * 1024))
        response = self.upload(client, csrf, big)
        self.assertEqual(response.status_code, 413)

    def test_escaping(self):
        "Test what a staff member or a provider typed is shown escaped"
        with Transaction().start(DB_NAME, 0) as transaction:
            Order = Pool().get('cus.service.order')
            order = Order(self.ids['taxi'])
            order.notes = None
            Order.write([order], {'schedule': '<script>alert(1)</script>'})
            transaction.commit()
        client, _ = self.logged_in()
        page = client.get(self.url(f'/portal/orders/{self.ids["taxi"]}'))
        self.assertNotIn(b'<script>alert(1)</script>', page.data)
        self.assertIn(b'&lt;script&gt;alert(1)&lt;/script&gt;', page.data)

    def test_accept_and_acknowledge(self):
        "Test a provider accepts an order and acknowledges its changes"
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Order = pool.get('cus.service.order')
            Change = pool.get('cus.service.order.change')
            Change.create([{
                        'order': self.ids['taxi'], 'date': D(2021, 6, 20),
                        'description': "Przejazdy od lipca w czwartki"}])
            Order.write([Order(self.ids['taxi'])], {'changed': True})
            transaction.commit()
        client, csrf = self.logged_in()
        home = client.get(self.url('/portal/'))
        self.assertIn(b'Przejazdy od lipca w czwartki', home.data)
        taxi = self.ids['taxi']
        response = client.post(
            self.url(f'/portal/orders/{taxi}/accept'),
            data={'csrf_token': csrf})
        self.assertEqual(response.status_code, 303)
        response = client.post(
            self.url(f'/portal/orders/{taxi}/acknowledge'),
            data={'csrf_token': csrf})
        self.assertEqual(response.status_code, 303)
        with Transaction().start(DB_NAME, 0) as transaction:
            order = Order(taxi)
            self.assertEqual(order.state, 'accepted')
            self.assertFalse(order.changed)
            self.assertTrue(all(c.acknowledged for c in order.changes))
            Order.write([order], {'state': 'sent'})
            transaction.commit()
        home = client.get(self.url('/portal/'))
        self.assertNotIn(b'Przejazdy od lipca w czwartki', home.data)

    def test_logout_and_expiry(self):
        "Test a session ends on logout and when it expires"
        client, csrf = self.logged_in()
        response = client.post(
            self.url('/portal/logout'), data={'csrf_token': csrf})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            client.get(self.url('/portal/orders')).status_code, 303)

        client, _ = self.logged_in()
        with Transaction().start(DB_NAME, 0) as transaction:
            Session = Pool().get('web.user.session')
            table = Session.__table__()
            cursor = transaction.connection.cursor()
            cursor.execute(*table.update(
                    [table.create_date, table.write_date],
                    [dt.datetime(2000, 1, 1), None]))
            transaction.commit()
        self.assertEqual(
            client.get(self.url('/portal/orders')).status_code, 303)

    def test_password_reset(self):
        "Test a provider resets a forgotten password by e-mail"
        client = self.client()
        page = client.get(self.url('/portal/reset-password'))
        with patch('trytond.modules.web_user.user.send_message_transactional'
                ) as send:
            response = client.post(self.url('/portal/reset-password'), data={
                    'csrf_token': csrf_of(page),
                    'email': 'fundacja@pomocna.example'})
            self.assertEqual(response.status_code, 200)
            self.assertEqual(send.call_count, 1)
            # An unknown address gets the same answer and no e-mail
            unknown = client.post(self.url('/portal/reset-password'), data={
                    'csrf_token': csrf_of(page), 'email': 'nobody@x.example'})
            self.assertEqual(unknown.data, response.data)
            self.assertEqual(send.call_count, 1)
        with Transaction().start(DB_NAME, 0, readonly=True):
            WebUser = Pool().get('web.user')
            user = WebUser(self.ids['users'][1])
            token = user.reset_password_token
        self.assertTrue(token)
        page = client.get(self.url(
                f'/portal/set-password?email=fundacja@pomocna.example'
                f'&token={token}'))
        response = client.post(self.url('/portal/set-password'), data={
                'csrf_token': csrf_of(page),
                'email': 'fundacja@pomocna.example', 'token': token,
                'password': 'Nowe-Haslo-2024!', 'password2': 'Nowe-Haslo-2024!'})
        self.assertEqual(response.status_code, 303)
        response = self.login(
            self.client(), 'fundacja@pomocna.example', 'Nowe-Haslo-2024!')
        self.assertEqual(response.status_code, 303)
        with Transaction().start(DB_NAME, 0) as transaction:
            user = WebUser(self.ids['users'][1])
            user.password = PASSWORD
            user.save()
            transaction.commit()

    # --- Public pages --------------------------------------------------

    def test_catalogue(self):
        "Test the public catalogue lists the running programme's services"
        client = self.client()
        page = client.get(self.url('/uslugi'))
        self.assertEqual(page.status_code, 200)
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            ProgrammeLine = pool.get('cus.programme.line')
            Service = pool.get('cus.service')
            lines = ProgrammeLine.search([
                    ('programme.state', '=', 'running')])
            offered = {l.service for l in lines}
            not_offered = Service.search([
                    ('id', 'not in', [s.id for s in offered])])
            care = Service(self.ids['care_service'])
            groups = list(care.target_groups)
            names = [s.name for s in offered]
            hidden = [s.name for s in not_offered]
        self.assertTrue(names)
        for name in names:
            self.assertIn(name.encode(), page.data)
        for name in hidden:
            self.assertNotIn(f'<h3>{name}</h3>'.encode(), page.data)
        # The provider with an active contract is shown
        self.assertIn('Starachowiczanka'.encode(), page.data)
        if groups:
            filtered = client.get(self.url(f'/uslugi?grupa={groups[0].id}'))
            self.assertIn(care.name.encode(), filtered.data)
        none = client.get(self.url('/uslugi?grupa=999999'))
        self.assertIn(b'Services found: 0', none.data)
        # Junk in the filters is ignored, not an error
        self.assertEqual(
            client.get(self.url('/uslugi?grupa=1%27%20OR%201=1')).status_code,
            200)

    def _application_form(self, client, **values):
        page = client.get(self.url('/wniosek'))
        self.assertEqual(page.status_code, 200)
        data = {
            'csrf_token': csrf_of(page),
            'first_name': 'Jan', 'last_name': 'Nowak',
            'pesel': valid_pesel(D(1950, 6, 15), 7),
            'street': 'ul. Polna 3', 'postal_code': '27-200',
            'city': 'Starachowice', 'phone': '600 100 200',
            'applicant_kind': 'person',
            'services': str(self.ids['care_service']),
            'description': 'Potrzebuję pomocy w zakupach',
            'consent': '1', 'declaration': '1',
            }
        data.update(values)
        return client.post(self.url('/wniosek'), data=data)

    def test_online_application(self):
        "Test a resident applies online and the coordinators get it"
        client = self.client()
        response = self._application_form(client)
        self.assertEqual(response.status_code, 200, response.data)
        number = re.search(
            rb'id="confirmation">([^<]+)<', response.data).group(1).decode()
        with Transaction().start(DB_NAME, 0) as transaction:
            Application = Pool().get('cus.application')
            application, = Application.search([('number', '=', number)])
            self.assertEqual(application.state, 'submitted')
            self.assertEqual(application.channel, 'online')
            self.assertEqual(application.client.name, 'Jan Nowak')
            self.assertTrue(application.client.cus_client)
            self.assertEqual(
                [l.service.id for l in application.lines],
                [self.ids['care_service']])
            self.assertTrue(application.online_consent)
            self.assertIn('600 100 200', application.online_data)
            self.assertEqual(
                application.application_date,
                Pool().get('ir.date').today())
            transaction.commit()

    def test_online_application_existing_client(self):
        "Test the public form never overwrites an existing client"
        client = self.client()
        response = self._application_form(
            client, first_name='Ktoś', last_name='Obcy',
            pesel=self.secret_pesel, street='ul. Fałszywa 9')
        self.assertEqual(response.status_code, 200, response.data)
        number = re.search(
            rb'id="confirmation">([^<]+)<', response.data).group(1).decode()
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            Application = pool.get('cus.application')
            Party = pool.get('party.party')
            application, = Application.search([('number', '=', number)])
            secret = Party(self.ids['secret'])
            self.assertEqual(application.client, secret)
            self.assertEqual(secret.name, 'Zofia Tajemnicza')
            self.assertEqual(secret.health_condition, 'Choroba tajna')
            self.assertEqual(
                [a.street for a in secret.addresses], ['ul. Ukryta 1'])
            self.assertIn('Ktoś Obcy', application.online_data)
            self.assertIn('ul. Fałszywa 9', application.online_data)
        # The confirmation does not tell the PESEL was known
        self.assertNotIn(b'Zofia', response.data)

    def test_online_application_refused(self):
        "Test the public form's validation, CSRF and size limits"
        client = self.client()
        count = self._applications()
        for values, message in [
                ({'pesel': '12345678901'}, b'PESEL'),
                ({'pesel': ''}, b'Give the PESEL number'),
                ({'consent': ''}, b'Agree to the processing'),
                ({'first_name': ''}, b'Give the first name'),
                ({'phone': '', 'email': ''}, b'Give a phone number'),
                ({'email': 'x@'}, b'e-mail address is not valid'),
                ({'applicant_kind': 'carer'}, b'de-facto carer who applies'),
                ({'applicant_kind': 'king'}, b'Choose who applies'),
                ({'services': '999999', 'description': ''},
                    b'Choose at least one service'),
                ]:
            response = self._application_form(client, **values)
            self.assertEqual(response.status_code, 400, values)
            self.assertIn(message, response.data, values)
        response = self._application_form(client, csrf_token='0' * 64)
        self.assertEqual(response.status_code, 403)
        response = client.post(self.url('/wniosek'), data={
                'description': 'x' * (64 * 1024)})
        self.assertEqual(response.status_code, 413)
        self.assertEqual(self._applications(), count)
        # The legal basis of the processing is shown on the form
        page = client.get(self.url('/wniosek'))
        self.assertIn(b'art. 9(2)', page.data)

    def test_online_application_rate_limited(self):
        "Test a flood of applications from one network is stopped"
        with Transaction().start(DB_NAME, 0):
            Attempt = Pool().get('cus.portal.attempt')
            Attempt.delete(Attempt.search([]))
        client = self.client()
        count = self._applications()
        if not config._config.has_section('cus'):
            config._config.add_section('cus')
        config.set('cus', 'public_max_per_network', '2')
        try:
            statuses = []
            for i in range(3):
                response = self._application_form(
                    client, pesel=valid_pesel(D(1960, 1, 1 + i), 3))
                statuses.append(response.status_code)
        finally:
            config.set('cus', 'public_max_per_network', '20')
        self.assertEqual(statuses, [200, 200, 429])
        self.assertEqual(self._applications(), count + 2)
        with Transaction().start(DB_NAME, 0):
            Attempt = Pool().get('cus.portal.attempt')
            Attempt.delete(Attempt.search([]))

    def _applications(self):
        with Transaction().start(DB_NAME, 0, readonly=True):
            Application = Pool().get('cus.application')
            return Application.search([], count=True)


del RouteTestCase
