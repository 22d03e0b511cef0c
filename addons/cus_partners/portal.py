# This file is part of the CUS back office.
"""What the partner portal and the public pages may read and do

The web routes (routes.py) run as root, so these class methods are the
security of the portal: every search is scoped to the provider parties of
the logged-in web user, and a record of another provider is reported as
not found (it does not exist for the caller).
"""
import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

from cus_base.format import format_quantity

import trytond.config as config
from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext
from trytond.model import Model, ModelSQL, fields
from trytond.pool import Pool, PoolMeta
from trytond.res.user import LoginAttempt
from trytond.transaction import Transaction

from .order import DELIVERY_STATES

# The orders a provider sees: sent to it and after (drafts are the CUS's).
PORTAL_ORDER_STATES = DELIVERY_STATES + ['cancelled']
# The orders a provider may report deliveries for.
REPORTABLE_ORDER_STATES = ['sent', 'accepted']
# Upload bounds: a month of daily visits of a large provider fits easily.
MAX_UPLOAD_ROWS = 5000
MAX_NOTES = 500
DATE_FORMATS = ['%Y-%m-%d', '%d.%m.%Y', '%d-%m-%Y', '%d/%m/%Y']
# Ids beyond a database integer are no record (SQLite cannot even bind them).
MAX_ID = 2 ** 31 - 1
# Columns of the delivery CSV, in Polish as the providers' spreadsheets.
CSV_COLUMNS = {
    'zlecenie': 'order',
    'data': 'date',
    'ilosc': 'quantity',
    'ilość': 'quantity',
    'czas': 'duration',
    'uwagi': 'notes',
    }


class PortalNotFound(Exception):
    "The record does not exist for the caller (or at all)"


class PortalRowError(Exception):
    "A row of a delivery report that cannot be recorded"

    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


def _msg(name, **kwargs):
    return gettext('cus_partners.' + name, **kwargs)


def parse_date(value):
    value = (value or '').strip()
    for format_ in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, format_).date()
        except ValueError:
            continue
    return None


def parse_quantity(value):
    "A positive decimal number, with a comma or a point"
    value = (value or '').strip().replace('\xa0', '').replace(' ', '')
    if not value:
        return None
    try:
        number = Decimal(value.replace(',', '.'))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return float(number)


def decode_upload(data):
    "The text of an uploaded CSV: UTF-8 (with or without BOM) or cp1250"
    for encoding in ['utf-8-sig', 'cp1250']:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    cus_last_visit = fields.Timestamp(
        "Last Portal Visit", readonly=True,
        help="When the provider last logged into the portal.")


class ServiceDelivery(metaclass=PoolMeta):
    __name__ = 'cus.service.delivery'

    web_user = fields.Many2One(
        'web.user', "Reported by Web User", readonly=True,
        ondelete='RESTRICT',
        help="The provider's portal user who reported the delivery.")
    portal_upload = fields.Char(
        "Portal Upload", readonly=True,
        help="The file the delivery was uploaded with.")


class PortalAttempt(LoginAttempt):
    "Rate limit of the public forms"
    __name__ = 'cus.portal.attempt'
    __string__ = "Public Form Attempt"
    _table = None  # Needed to reset LoginAttempt._table


class Portal(Model):
    "Partner portal and public pages"
    __name__ = 'cus.portal'
    __string__ = "Partner Portal"

    # --- Providers -------------------------------------------------------

    @classmethod
    def provider_parties(cls, web_user):
        "The provider parties a web user acts for (none: no portal)"
        parties = [web_user.party] + list(web_user.secondary_parties or [])
        return [p.id for p in parties if p and p.cus_provider and p.active]

    @classmethod
    def _order_domain(cls, parties):
        return [
            ('contract_line.contract.provider', 'in', parties),
            ('state', 'in', PORTAL_ORDER_STATES),
            ]

    @classmethod
    def orders(cls, parties, open_only=False):
        Order = Pool().get('cus.service.order')
        domain = cls._order_domain(parties)
        if open_only:
            domain.append(('state', 'in', REPORTABLE_ORDER_STATES))
        return Order.search(domain, order=[
                ('changed', 'DESC'), ('start_date', 'DESC'), ('id', 'DESC')])

    @classmethod
    def get_order(cls, parties, order_id):
        Order = Pool().get('cus.service.order')
        if not 0 < order_id <= MAX_ID:
            raise PortalNotFound
        orders = Order.search(
            [('id', '=', order_id)] + cls._order_domain(parties), limit=1)
        if not orders:
            raise PortalNotFound
        return orders[0]

    @classmethod
    def find_order(cls, parties, number):
        Order = Pool().get('cus.service.order')
        orders = Order.search(
            [('number', '=', number)] + cls._order_domain(parties), limit=1)
        return orders[0] if orders else None

    @classmethod
    def service_address(cls, order):
        "Where the provider goes: the place of the order or the client's"
        if order.place:
            return order.place
        address = order.client.address_get()
        if address:
            return ', '.join(
                l.strip() for l in address.full_address.splitlines()
                if l.strip())
        return ''

    @classmethod
    def remaining(cls, orders):
        "Units of each order still to deliver (reported ones count)"
        return {
            o.id: max(o.quantity - (o.delivered_quantity or 0)
                - (o.reported_quantity or 0), 0)
            for o in orders}

    @classmethod
    def acknowledge(cls, parties, order_id):
        Order = Pool().get('cus.service.order')
        order = cls.get_order(parties, order_id)
        Order.acknowledge([order])

    @classmethod
    def accept(cls, parties, order_id):
        Order = Pool().get('cus.service.order')
        order = cls.get_order(parties, order_id)
        if order.state == 'sent':
            Order.accept([order])

    @classmethod
    def deliveries(cls, parties, order=None, state=None, limit=500):
        Delivery = Pool().get('cus.service.delivery')
        domain = [('provider', 'in', parties)]
        if order:
            domain.append(('order', '=', order.id))
        if state:
            domain.append(('state', '=', state))
        return Delivery.search(
            domain, order=[('date', 'DESC'), ('id', 'DESC')], limit=limit)

    @classmethod
    def contracts(cls, parties):
        Contract = Pool().get('cus.contract')
        return Contract.search([
                ('provider', 'in', parties),
                ('state', 'in', ['active', 'closed', 'terminated']),
                ], order=[('start_date', 'DESC'), ('id', 'DESC')])

    @classmethod
    def contract(cls, parties, contract_id):
        Contract = Pool().get('cus.contract')
        if not 0 < contract_id <= MAX_ID:
            raise PortalNotFound
        contracts = Contract.search([
                ('id', '=', contract_id),
                ('provider', 'in', parties),
                ('state', 'in', ['active', 'closed', 'terminated']),
                ], limit=1)
        if not contracts:
            raise PortalNotFound
        return contracts[0]

    @classmethod
    def deviations(cls, parties, limit=200):
        Deviation = Pool().get('cus.service.order.deviation')
        return Deviation.search([
                ('order.contract_line.contract.provider', 'in', parties),
                ('order.state', 'in', PORTAL_ORDER_STATES),
                ], limit=limit)

    @classmethod
    def changes(cls, parties, only_new=True):
        Change = Pool().get('cus.service.order.change')
        domain = [
            ('order.contract_line.contract.provider', 'in', parties),
            ('order.state', 'in', PORTAL_ORDER_STATES),
            ]
        if only_new:
            domain.append(('acknowledged', '=', False))
        return Change.search(domain, order=[('date', 'DESC'), ('id', 'DESC')])

    # --- Reporting deliveries -------------------------------------------

    @classmethod
    def parse_csv(cls, data):
        """Rows of an uploaded CSV as dicts with their line numbers

        Raises PortalRowError for a file that cannot be read at all."""
        text = decode_upload(data)
        if text is None:
            raise PortalRowError(0, _msg('msg_portal_csv_encoding'))
        lines = text.splitlines()
        if not lines or not lines[0].strip():
            raise PortalRowError(1, _msg('msg_portal_csv_empty'))
        header = lines[0]
        delimiter = ';' if header.count(';') >= header.count(',') else ','
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            columns = [c.strip().lower() for c in next(reader)]
        except csv.Error:
            raise PortalRowError(1, _msg('msg_portal_csv_header'))
        names = [CSV_COLUMNS.get(c) for c in columns]
        missing = {'order', 'date', 'quantity'} - set(names)
        if missing:
            raise PortalRowError(1, _msg('msg_portal_csv_header'))
        rows = []
        try:
            for row in reader:
                line = reader.line_num
                if not any(c.strip() for c in row):
                    continue
                if len(rows) >= MAX_UPLOAD_ROWS:
                    raise PortalRowError(line, _msg(
                            'msg_portal_csv_too_many', limit=MAX_UPLOAD_ROWS))
                # A quoted cell over several lines (an unclosed quote)
                # would swallow the next lines into one row's notes.
                if any('\n' in c or '\r' in c for c in row):
                    rows.append({'line': line, 'malformed': 'multiline'})
                    continue
                if len(row) > len(names):
                    rows.append({'line': line, 'malformed': True})
                    continue
                values = {'line': line}
                for name, value in zip(names, row):
                    if name:
                        values[name] = value.strip()
                rows.append(values)
        except csv.Error:
            raise PortalRowError(reader.line_num, _msg('msg_portal_csv_malformed'))
        if not rows:
            raise PortalRowError(1, _msg('msg_portal_csv_empty'))
        return rows

    @classmethod
    def check_rows(cls, parties, rows, today=None):
        """Check reported rows as a whole

        A row is a dict with its line (number or label), order (an order
        record or its number), date and quantity as text, and optional
        duration and notes. Returns the deliveries' values and the errors as
        (line, message); the values must be recorded only without errors."""
        Date = Pool().get('ir.date')
        if today is None:
            today = Date.today()
        errors, checked = [], []
        orders = {}
        for row in rows:
            line = row['line']
            if row.get('malformed'):
                errors.append((line, _msg(
                            'msg_portal_row_multiline'
                            if row['malformed'] == 'multiline'
                            else 'msg_portal_row_malformed')))
                continue
            order = row.get('order')
            if isinstance(order, str):
                number = order
                if number not in orders:
                    orders[number] = (
                        cls.find_order(parties, number)
                        if number else None)
                order = orders[number]
                if order is None:
                    errors.append((line, _msg(
                                'msg_portal_row_unknown_order',
                                order=number or '-')))
                    continue
            date = parse_date(row.get('date'))
            quantity = parse_quantity(row.get('quantity'))
            duration = parse_quantity(row.get('duration'))
            notes = (row.get('notes') or '').strip()
            if date is None:
                errors.append((line, _msg(
                            'msg_portal_row_date', value=row.get('date') or '')))
                continue
            if quantity is None or quantity <= 0:
                errors.append((line, _msg(
                            'msg_portal_row_quantity',
                            value=row.get('quantity') or '')))
                continue
            if row.get('duration') and (duration is None or duration <= 0):
                errors.append((line, _msg(
                            'msg_portal_row_duration',
                            value=row.get('duration'))))
                continue
            if len(notes) > MAX_NOTES:
                errors.append((line, _msg(
                            'msg_portal_row_notes', limit=MAX_NOTES)))
                continue
            if order.state not in REPORTABLE_ORDER_STATES:
                errors.append((line, _msg(
                            'msg_portal_row_order_state', order=order.number)))
                continue
            if date > today:
                errors.append((line, _msg(
                            'msg_portal_row_future',
                            date=date.strftime('%d.%m.%Y'))))
                continue
            if not (order.start_date <= date <= order.end_date):
                errors.append((line, _msg(
                            'msg_portal_row_period',
                            date=date.strftime('%d.%m.%Y'),
                            order=order.number,
                            start=order.start_date.strftime('%d.%m.%Y'),
                            end=order.end_date.strftime('%d.%m.%Y'))))
                continue
            checked.append((line, order, date, quantity, duration, notes))

        # Quantities against what remains of each order, over the whole file.
        remaining = cls.remaining({c[1] for c in checked})
        values = []
        for line, order, date, quantity, duration, notes in checked:
            if quantity > remaining[order.id] + 1e-6:
                errors.append((line, _msg(
                            'msg_portal_row_remaining',
                            order=order.number,
                            quantity=format_quantity(quantity),
                            remaining=format_quantity(
                                max(remaining[order.id], 0)))))
                continue
            remaining[order.id] -= quantity
            value = {
                'order': order.id,
                'client': order.client.id,
                'service': order.service.id,
                'provider': order.provider.id,
                'date': date,
                'quantity': quantity,
                'duration': duration,
                'notes': notes or None,
                }
            if order.ipus_line:
                value['line'] = order.ipus_line.id
            else:
                value['application_line'] = order.application_line.id
            values.append((line, value))
        errors.sort(key=lambda e: (
                e[0] if isinstance(e[0], int) else 0, str(e[0])))
        return values, errors

    @classmethod
    def record(cls, web_user, values, upload=None):
        """Create the checked deliveries, one by one so that a refusal of
        the models names its row; the caller rolls back on any error."""
        Delivery = Pool().get('cus.service.delivery')
        deliveries, errors = [], []
        for line, value in values:
            value = dict(value, web_user=web_user.id, portal_upload=upload)
            try:
                # A portal user cannot answer a warning: it is an error here.
                with Transaction().set_context(_skip_warnings=False):
                    deliveries.extend(Delivery.create([value]))
            except (UserError, UserWarning) as exception:
                errors.append((line, exception.message))
                break
        return deliveries, errors

    @classmethod
    def report(cls, web_user, parties, rows, upload=None):
        "Check and record rows: all of them, or none and the errors"
        Order = Pool().get('cus.service.order')
        values, errors = cls.check_rows(parties, rows)
        if errors:
            return [], errors
        # Two uploads for one order at once would both fit what remains:
        # the lock restarts the request with the orders locked from its
        # start, after the other upload, whose deliveries it then counts.
        Order.lock(list({v['order'] for _, v in values}))
        return cls.record(web_user, values, upload=upload)

    # --- Public pages ----------------------------------------------------

    @classmethod
    def catalogue(cls, target_group=None, area=None):
        "The services of the running programmes, with public data only"
        pool = Pool()
        Service = pool.get('cus.service')
        ProgrammeLine = pool.get('cus.programme.line')
        lines = ProgrammeLine.search([('programme.state', '=', 'running')])
        domain = [('id', 'in', list({l.service.id for l in lines}))]
        if target_group:
            domain.append(('target_groups', '=', target_group))
        if area:
            domain.append(('areas', '=', area))
        return Service.search(domain, order=[('name', 'ASC'), ('id', 'ASC')])

    @classmethod
    def catalogue_service(cls, service_id):
        services = [s for s in cls.catalogue() if s.id == service_id]
        if not services:
            raise PortalNotFound
        return services[0]

    @classmethod
    def public_providers(cls, service):
        "The providers shown for a service: active contracts or offers"
        Contract = Pool().get('cus.contract')
        contracts = Contract.search([
                ('state', '=', 'active'),
                ('lines.service', '=', service.id),
                ])
        providers = {c.provider for c in contracts}
        providers.update(service.providers or [])
        return sorted(providers, key=lambda p: p.name or '')

    @classmethod
    def check_rate(cls, key):
        "Refuse a flood of public requests from one network"
        Attempt = Pool().get('cus.portal.attempt')
        limit = config.getint('cus', 'public_max_per_network', default=20)
        if Attempt.count_ip() >= limit:
            return False
        Attempt.add(key)
        return True

    @classmethod
    def check_pesel(cls, code):
        "The Polish message of what is wrong with a PESEL, or None"
        Identifier = Pool().get('party.identifier')
        identifier = Identifier(type='pl_pesel', code=code)
        try:
            identifier.check_code()
        except UserError as exception:
            return exception.message

    @classmethod
    def submit_application(cls, form):
        """Create a submitted online application from the public form

        form: dict of checked strings (first_name, last_name, pesel, street,
        postal_code, city, phone, email, applicant_kind, representative,
        description) and services (ids). An existing client found by PESEL
        is never changed: what was typed is kept on the application for the
        coordinator to verify."""
        pool = Pool()
        Party = pool.get('party.party')
        Application = pool.get('cus.application')
        Programme = pool.get('cus.programme')
        Date = pool.get('ir.date')
        pesel = re.sub(r'\s', '', form['pesel'])
        today = Date.today()
        clients = Party.search([('pesel', '=', pesel)], limit=1)
        name = f"{form['first_name']} {form['last_name']}".strip()
        if clients:
            client, = clients
            if not client.cus_client:
                # A party known otherwise (a provider's contact): it becomes
                # a client; nothing it held is changed.
                Party.write([client], {
                        'cus_client': True,
                        'client_category': (
                            client.client_category or 'resident'),
                        })
        else:
            contacts = []
            if form.get('phone'):
                contacts.append({'type': 'phone', 'value': form['phone']})
            if form.get('email'):
                contacts.append({'type': 'email', 'value': form['email']})
            client, = Party.create([{
                        'name': name,
                        'cus_client': True,
                        # The coordinator confirms the category (Pomost).
                        'client_category': 'resident',
                        'identifiers': [('create', [{
                                        'type': 'pl_pesel', 'code': pesel}])],
                        'addresses': [('create', [{
                                        'street': form.get('street') or None,
                                        'postal_code': (
                                            form.get('postal_code') or None),
                                        'city': form.get('city') or None,
                                        }])],
                        'contact_mechanisms': [('create', contacts)],
                        }])
        representative = None
        if form['applicant_kind'] != 'person':
            representative, = Party.create([{
                        'name': form['representative'],
                        }])
        services = form.get('services') or []
        programmes = Programme.search([('state', '=', 'running')])
        submitted = '\n'.join(
            f'{label}: {value}' for label, value in [
                (_msg('msg_portal_label_name'), name),
                ('PESEL', pesel),
                (_msg('msg_portal_label_address'), ', '.join(filter(None, [
                                form.get('street'), form.get('postal_code'),
                                form.get('city')]))),
                (_msg('msg_portal_label_phone'), form.get('phone')),
                (_msg('msg_portal_label_email'), form.get('email')),
                ] if value)
        application, = Application.create([{
                    'client': client.id,
                    'applicant_kind': form['applicant_kind'],
                    'representative': (
                        representative.id if representative else None),
                    'application_date': today,
                    'channel': 'online',
                    'path': 'ipus',
                    'programme': (
                        programmes[0].id if len(programmes) == 1 else None),
                    'description': form.get('description') or None,
                    'declaration_conditions': bool(form.get('declaration')),
                    'online_data': submitted,
                    'online_consent': True,
                    'online_consent_at': dt.datetime.now(),
                    'lines': [('create', [{
                                    'service': s,
                                    'quantity': 1,
                                    } for s in services])],
                    }])
        Application.submit([application])
        return application

