# This file is part of the CUS back office.
"""Web pages of the partner portal and the public pages

Routes run as root (trytond's web routes do): they authenticate the web
user themselves and go through cus.portal, whose searches are scoped to the
user's provider parties. Every form carries a CSRF token; every value is
escaped by the templates (Genshi); the pages forbid framing and foreign
scripts.
"""
import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import secrets
import urllib.parse
from functools import wraps

from cus_base.format import format_date, format_money, format_quantity
from genshi.template import TemplateLoader
from werkzeug.exceptions import HTTPException

import trytond.config as config
from trytond import backend
from trytond.exceptions import RateLimitException, TrytonException, UserError
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    HTTPStatus, Response, abort, redirect, set_max_request_size, with_pool,
    with_transaction)
from trytond.transaction import Transaction, TransactionError
from trytond.wsgi import app

from .portal import PortalNotFound, PortalRowError

logger = logging.getLogger(__name__)

SESSION_COOKIE = 'cus_portal_session'
CSRF_COOKIE = 'cus_csrf'
MAX_FORM_SIZE = 32 * 1024
MAX_UPLOAD_SIZE = 2 * 1024 * 1024
FIELD_SIZES = {
    'first_name': 100, 'last_name': 100, 'pesel': 20, 'street': 200,
    'postal_code': 10, 'city': 100, 'phone': 40, 'email': 200,
    'representative': 200, 'description': 4000,
    }
_loader = TemplateLoader(
    os.path.join(os.path.dirname(__file__), 'templates'),
    auto_reload=False, max_cache_size=50)


def _(key, **kwargs):
    return gettext('cus_partners.msg_portal_' + key, **kwargs)


def _language(web_user=None):
    if web_user and web_user.party and web_user.party.lang:
        return web_user.party.lang.code
    return config.get('database', 'language', default='en')


def _csrf_for_session(key):
    "A form token bound to the session key (which the page never shows)"
    return hmac.new(
        key.encode(), b'cus-portal-csrf', hashlib.sha256).hexdigest()


def _same(a, b):
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def render(request, template, status=HTTPStatus.OK, cookies=None, **context):
    database = request.view_args['database_name']
    base = '/' + database
    csrf = context.pop('csrf', None)
    new_csrf = None
    if csrf is None:
        # Pages without a session: double-submit cookie.
        csrf = request.cookies.get(CSRF_COOKIE)
        if not csrf or not re.fullmatch(r'[0-9a-f]{64}', csrf):
            csrf = new_csrf = secrets.token_hex(32)
    values = {
        '_': _,
        'base': base,
        'portal': base + '/portal',
        'csrf': csrf,
        'fdate': lambda d: format_date(d) if d else '',
        'fqty': lambda q: format_quantity(q or 0),
        'fmoney': lambda a: format_money(a or 0),
        'request_path': request.path,
        'request_args': request.args,
        'labels': _labels(),
        'fday': _format_day,
        'user': None,
        'flash': None,
        'errors': [],
        }
    values.update(context)
    stream = _loader.load(template).generate(**values)
    body = stream.render('html', doctype='html5', encoding='utf-8')
    response = Response(
        body, status=status, content_type='text/html; charset=utf-8')
    secure = request.scheme == 'https'
    if new_csrf:
        response.set_cookie(
            CSRF_COOKIE, new_csrf, httponly=True, samesite='Strict',
            secure=secure, path=base)
    for name, value, kwargs in (cookies or []):
        if value is None:
            response.delete_cookie(name, path=base + '/portal')
        else:
            response.set_cookie(
                name, value, httponly=True, samesite='Lax', secure=secure,
                path=base + '/portal', **kwargs)
    _secure_headers(response)
    return response


def _labels():
    "The translated states shown by the pages"
    pool = Pool()
    return {
        key: dict(pool.get(model).fields_get(['state'])['state']['selection'])
        for key, model in [
            ('order', 'cus.service.order'),
            ('delivery', 'cus.service.delivery'),
            ('contract', 'cus.contract'),
            ]}


def _format_day(date):
    "A weekday with its date, in the user's language"
    Lang = Pool().get('ir.lang')
    return Lang.get().strftime(date, '%A %d.%m')


def _secure_headers(response):
    response.headers['Content-Security-Policy'] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:;"
        " form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    response.headers['X-Content-Type-Options'] = 'nosniff'
    response.headers['X-Frame-Options'] = 'DENY'
    response.headers['Referrer-Policy'] = 'same-origin'
    response.headers['Cache-Control'] = 'no-store'
    return response


def _portal_path(request):
    return '/' + request.view_args['database_name'] + '/portal'


def _see_other(request, path, **params):
    database = request.view_args['database_name']
    url = '/' + database + path
    if params:
        url += '?' + urllib.parse.urlencode(params)
    return _secure_headers(redirect(url, code=HTTPStatus.SEE_OTHER))


def _forbidden():
    "Refuse a request, with the headers of the pages (no caching)"
    abort(_secure_headers(Response(
                HTTPStatus.FORBIDDEN.phrase, status=HTTPStatus.FORBIDDEN,
                content_type='text/plain; charset=utf-8')))


def _unexpected(request, exception):
    """Refuse a request that failed unexpectedly without telling why

    trytond would answer with the text of the exception (a database
    message, a path): it stays in the log. Raised, so that the transaction
    is rolled back; the errors trytond retries or shows pass through."""
    if isinstance(exception, (HTTPException, TrytonException,
                TransactionError, backend.DatabaseOperationalError)):
        raise exception
    logger.exception("portal request %s %s failed", request.method,
        request.path)
    abort(_secure_headers(Response(
                HTTPStatus.INTERNAL_SERVER_ERROR.phrase,
                status=HTTPStatus.INTERNAL_SERVER_ERROR,
                content_type='text/plain; charset=utf-8')))


def _check_public_csrf(request):
    if not _same(request.form.get('csrf_token'),
            request.cookies.get(CSRF_COOKIE)):
        _forbidden()


def _not_found(request, user=None, csrf=None):
    return render(
        request, 'not_found.html', status=HTTPStatus.NOT_FOUND,
        user=user, csrf=csrf)


class Visitor:
    "The logged-in provider of a portal request"

    def __init__(self, user, key, parties):
        self.user = user
        self.key = key
        self.parties = parties
        self.csrf = _csrf_for_session(key)

    @property
    def name(self):
        return self.user.party.rec_name


def _visitor(request, pool):
    Portal = pool.get('cus.portal')
    WebUser = pool.get('web.user')
    key = request.cookies.get(SESSION_COOKIE)
    if not key or len(key) > 128:
        return None
    user = WebUser.get_user(key)
    if not user or not user.active:
        return None
    parties = Portal.provider_parties(user)
    if not parties:
        return None
    return Visitor(user, key, parties)


def portal_page(func):
    "A page of a logged-in provider; POSTs must carry the session's token"
    @wraps(func)
    def wrapper(request, pool, *args, **kwargs):
        visitor = _visitor(request, pool)
        if visitor is None:
            return _see_other(request, '/portal/login')
        if request.method == 'POST' and not _same(
                request.form.get('csrf_token'), visitor.csrf):
            _forbidden()
        with Transaction().set_context(language=_language(visitor.user)):
            try:
                return func(request, pool, visitor, *args, **kwargs)
            except PortalNotFound:
                return _not_found(request, visitor.user, visitor.csrf)
            except Exception as exception:
                _unexpected(request, exception)
    return wrapper


def page(request, visitor, template, **context):
    return render(
        request, template, user=visitor.user, csrf=visitor.csrf,
        visitor=visitor, **context)


def public_page(func):
    @wraps(func)
    def wrapper(request, pool, *args, **kwargs):
        with Transaction().set_context(language=_language()):
            try:
                return func(request, pool, *args, **kwargs)
            except PortalNotFound:
                return _not_found(request)
            except Exception as exception:
                _unexpected(request, exception)
    return wrapper


# --- Login, logout, password -------------------------------------------

@app.route('/<database_name>/portal/login', methods={'GET', 'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@public_page
def portal_login(request, pool):
    pool = Pool()
    WebUser = pool.get('web.user')
    Portal = pool.get('cus.portal')
    if request.method == 'GET':
        return render(request, 'login.html', email='')
    _check_public_csrf(request)
    email = (request.form.get('email') or '').strip()[:200]
    password = (request.form.get('password') or '')[:200]
    try:
        user = WebUser.authenticate(email, password) if email else None
    except RateLimitException:
        return render(
            request, 'login.html', status=HTTPStatus.TOO_MANY_REQUESTS,
            email=email, errors=[_('login_rate_limited')])
    if not user or not user.active or not Portal.provider_parties(user):
        return render(
            request, 'login.html', status=HTTPStatus.UNAUTHORIZED,
            email=email, errors=[_('login_failed')])
    key = user.new_session()
    WebUser.write([user], {'cus_last_visit': dt.datetime.now()})
    response = _see_other(request, '/portal/')
    response.set_cookie(
        SESSION_COOKIE, key, httponly=True, samesite='Lax',
        secure=request.scheme == 'https', path=_portal_path(request))
    return response


@app.route('/<database_name>/portal/logout', methods={'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@portal_page
def portal_logout(request, pool, visitor):
    Session = pool.get('web.user.session')
    Session.remove(visitor.key)
    response = _see_other(request, '/portal/login', out=1)
    response.delete_cookie(SESSION_COOKIE, path=_portal_path(request))
    return response


@app.route('/<database_name>/portal/reset-password', methods={'GET', 'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@public_page
def portal_reset_password(request, pool):
    WebUser = pool.get('web.user')
    Portal = pool.get('cus.portal')
    if request.method == 'GET':
        return render(request, 'reset_password.html', sent=False)
    _check_public_csrf(request)
    if not Portal.check_rate('reset-password'):
        return render(
            request, 'reset_password.html', sent=False,
            status=HTTPStatus.TOO_MANY_REQUESTS,
            errors=[_('rate_limited')])
    email = (request.form.get('email') or '').strip().lower()[:200]
    users = WebUser.search([('email', '=', email)], limit=1) if email else []
    if users and Portal.provider_parties(users[0]):
        # web_user mails the link of [web] reset_password_url, which points
        # at /<database>/portal/set-password.
        with Transaction().set_context(language=_language(users[0])):
            WebUser.reset_password(users)
    # The same answer whether the address is known or not.
    return render(request, 'reset_password.html', sent=True)


@app.route('/<database_name>/portal/set-password', methods={'GET', 'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@public_page
def portal_set_password(request, pool):
    WebUser = pool.get('web.user')
    source = request.form if request.method == 'POST' else request.args
    email = (source.get('email') or '')[:200]
    token = (source.get('token') or '')[:200]
    if request.method == 'GET':
        return render(
            request, 'set_password.html', email=email, token=token)
    _check_public_csrf(request)
    password = request.form.get('password') or ''
    if password != (request.form.get('password2') or ''):
        return render(
            request, 'set_password.html', email=email, token=token,
            errors=[_('password_mismatch')])
    try:
        done = WebUser.set_password_token(email, token, password)
    except UserError as exception:
        Transaction().rollback()
        return render(
            request, 'set_password.html', email=email, token=token,
            errors=[exception.message])
    if not done:
        return render(
            request, 'set_password.html', email=email, token=token,
            status=HTTPStatus.BAD_REQUEST, errors=[_('token_invalid')])
    return _see_other(request, '/portal/login', reset=1)


# --- Provider pages ----------------------------------------------------

@app.route('/<database_name>/portal/', methods={'GET'})
@with_pool
@with_transaction()
@portal_page
def portal_home(request, pool, visitor):
    Portal = pool.get('cus.portal')
    orders = Portal.orders(visitor.parties, open_only=True)
    changes = Portal.changes(visitor.parties)
    deviations = Portal.deviations(visitor.parties, limit=5)
    rejected = Portal.deliveries(visitor.parties, state='rejected', limit=5)
    return page(
        request, visitor, 'home.html', orders=orders, changes=changes,
        deviations=deviations, rejected=rejected,
        remaining=Portal.remaining(orders))


@app.route('/<database_name>/portal/orders', methods={'GET'})
@with_pool
@with_transaction()
@portal_page
def portal_orders(request, pool, visitor):
    Portal = pool.get('cus.portal')
    orders = Portal.orders(visitor.parties)
    return page(
        request, visitor, 'orders.html', orders=orders,
        remaining=Portal.remaining(orders))


@app.route('/<database_name>/portal/orders/<int:order_id>',
    methods={'GET'})
@with_pool
@with_transaction()
@portal_page
def portal_order(request, pool, visitor, order_id):
    Portal = pool.get('cus.portal')
    order = Portal.get_order(visitor.parties, order_id)
    return _order_page(request, pool, visitor, order,
        saved=request.args.get('saved', type=int))


@app.route('/<database_name>/portal/orders/<int:order_id>/acknowledge',
    methods={'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@portal_page
def portal_order_acknowledge(request, pool, visitor, order_id):
    pool.get('cus.portal').acknowledge(visitor.parties, order_id)
    return _see_other(request, f'/portal/orders/{order_id}')


@app.route('/<database_name>/portal/orders/<int:order_id>/accept',
    methods={'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@portal_page
def portal_order_accept(request, pool, visitor, order_id):
    pool.get('cus.portal').accept(visitor.parties, order_id)
    return _see_other(request, f'/portal/orders/{order_id}')


@app.route('/<database_name>/portal/orders/<int:order_id>/deliveries',
    methods={'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@portal_page
def portal_order_report(request, pool, visitor, order_id):
    Portal = pool.get('cus.portal')
    order = Portal.get_order(visitor.parties, order_id)
    form = {k: (request.form.get(k) or '')[:500]
        for k in ['date', 'quantity', 'duration', 'notes']}
    deliveries, errors = Portal.report(
        visitor.user, visitor.parties, [dict(form, line=1, order=order)])
    if errors:
        Transaction().rollback()
        return _order_page(request, pool, visitor, order, errors, form)
    return _see_other(
        request, f'/portal/orders/{order.id}', saved=len(deliveries))


def _order_page(request, pool, visitor, order, errors=(), form=None,
        saved=None):
    "The page of an order; with errors, the refused report kept in the form"
    Portal = pool.get('cus.portal')
    return page(
        request, visitor, 'order.html',
        status=HTTPStatus.BAD_REQUEST if errors else HTTPStatus.OK,
        order=order, address=Portal.service_address(order),
        remaining=Portal.remaining([order])[order.id],
        deliveries=Portal.deliveries(visitor.parties, order=order),
        changes=sorted(order.changes, key=lambda c: (c.date, c.id),
            reverse=True),
        saved=saved, errors=[m for _, m in errors], form=form or {},
        today=pool.get('ir.date').today())


def _week_start(order, value, today):
    start = None
    if value:
        try:
            start = dt.date.fromisoformat(value)
        except ValueError:
            start = None
    if start is None:
        start = min(max(today, order.start_date), order.end_date)
    return start - dt.timedelta(days=start.weekday())


@app.route('/<database_name>/portal/orders/<int:order_id>/week',
    methods={'GET', 'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@portal_page
def portal_order_week(request, pool, visitor, order_id):
    "A week of deliveries in one form: the quickest report on a phone"
    Portal = pool.get('cus.portal')
    Date = pool.get('ir.date')
    today = Date.today()
    order = Portal.get_order(visitor.parties, order_id)
    source = request.form if request.method == 'POST' else request.args
    start = _week_start(order, source.get('start'), today)
    days = [start + dt.timedelta(days=i) for i in range(7)]
    form, errors = {}, []
    if request.method == 'POST':
        rows = []
        for day in days:
            quantity = (request.form.get(f'q-{day.isoformat()}') or '')[:20]
            duration = (request.form.get(f'd-{day.isoformat()}') or '')[:20]
            form[day] = (quantity, duration)
            if quantity.strip() or duration.strip():
                rows.append({
                        'line': format_date(day), 'order': order,
                        'date': day.isoformat(), 'quantity': quantity,
                        'duration': duration})
        if not rows:
            errors = [_('week_empty')]
        else:
            deliveries, row_errors = Portal.report(
                visitor.user, visitor.parties, rows)
            if not row_errors:
                return _see_other(
                    request, f'/portal/orders/{order.id}',
                    saved=len(deliveries))
            Transaction().rollback()
            errors = [f'{line}: {message}' for line, message in row_errors]
    return page(
        request, visitor, 'week.html',
        status=HTTPStatus.BAD_REQUEST if errors else HTTPStatus.OK,
        order=order, days=days, form=form, errors=errors, today=today,
        previous=(start - dt.timedelta(days=7)).isoformat(),
        next=(start + dt.timedelta(days=7)).isoformat(),
        remaining=Portal.remaining([order])[order.id])


@app.route('/<database_name>/portal/deliveries', methods={'GET'})
@with_pool
@with_transaction()
@portal_page
def portal_deliveries(request, pool, visitor):
    Portal = pool.get('cus.portal')
    state = request.args.get('state')
    if state not in {'reported', 'confirmed', 'rejected'}:
        state = None
    return page(
        request, visitor, 'deliveries.html', state=state,
        deliveries=Portal.deliveries(visitor.parties, state=state))


@app.route('/<database_name>/portal/upload', methods={'GET', 'POST'})
@set_max_request_size(MAX_UPLOAD_SIZE)
@with_pool
@with_transaction()
@portal_page
def portal_upload(request, pool, visitor):
    "Many deliveries from a CSV file: all of them or none"
    Portal = pool.get('cus.portal')
    if request.method == 'GET':
        return page(request, visitor, 'upload.html', saved=None)
    upload = request.files.get('file')
    if upload:
        # trytond runs this function again when it retries the transaction
        # (a lock taken, a serialization failure): read the file again.
        upload.stream.seek(0)
    data = upload.read(MAX_UPLOAD_SIZE + 1) if upload else b''
    filename = (upload.filename or '')[:100] if upload else ''
    errors = []
    if not data:
        errors = [(0, _('upload_missing'))]
    else:
        try:
            rows = Portal.parse_csv(data)
        except PortalRowError as exception:
            errors = [(exception.line, exception.message)]
        else:
            deliveries, errors = Portal.report(
                visitor.user, visitor.parties, rows, upload=filename)
            if not errors:
                return page(
                    request, visitor, 'upload.html', saved=len(deliveries),
                    filename=filename)
    Transaction().rollback()
    return page(
        request, visitor, 'upload.html', status=HTTPStatus.BAD_REQUEST,
        saved=None, filename=filename, row_errors=errors)


def _csv_cell(value):
    "A text cell a spreadsheet cannot take for a formula (CSV injection)"
    value = (value or '').replace(';', ',').replace('\r', ' ').replace(
        '\n', ' ')
    if value[:1] in {'=', '+', '-', '@', '\t'}:
        value = "'" + value
    return value


@app.route('/<database_name>/portal/upload/wzor.csv', methods={'GET'})
@with_pool
@with_transaction()
@portal_page
def portal_upload_template(request, pool, visitor):
    "A CSV with a line per open order: the provider fills the quantities"
    Portal = pool.get('cus.portal')
    today = pool.get('ir.date').today().strftime('%d.%m.%Y')
    lines = ['zlecenie;data;ilosc;czas;uwagi']
    for order in Portal.orders(visitor.parties, open_only=True):
        lines.append(f'{_csv_cell(order.number)};{today};;;')
    response = Response(
        ('\r\n'.join(lines) + '\r\n').encode('utf-8-sig'),
        content_type='text/csv; charset=utf-8')
    response.headers['Content-Disposition'] = (
        'attachment; filename="realizacje.csv"')
    return _secure_headers(response)


@app.route('/<database_name>/portal/contracts', methods={'GET'})
@with_pool
@with_transaction()
@portal_page
def portal_contracts(request, pool, visitor):
    Portal = pool.get('cus.portal')
    return page(
        request, visitor, 'contracts.html',
        contracts=Portal.contracts(visitor.parties))


@app.route('/<database_name>/portal/contracts/<int:contract_id>',
    methods={'GET'})
@with_pool
@with_transaction()
@portal_page
def portal_contract(request, pool, visitor, contract_id):
    Portal = pool.get('cus.portal')
    return page(
        request, visitor, 'contract.html',
        contract=Portal.contract(visitor.parties, contract_id))


@app.route('/<database_name>/portal/alerts', methods={'GET'})
@with_pool
@with_transaction()
@portal_page
def portal_alerts(request, pool, visitor):
    Portal = pool.get('cus.portal')
    return page(
        request, visitor, 'alerts.html',
        deviations=Portal.deviations(visitor.parties),
        rejected=Portal.deliveries(visitor.parties, state='rejected'),
        changes=Portal.changes(visitor.parties))


# --- Public pages ------------------------------------------------------

def _int_arg(request, name):
    value = request.args.get(name, '')
    return int(value) if value.isdigit() and len(value) < 10 else None


@app.route('/<database_name>/uslugi', methods={'GET'})
@with_pool
@with_transaction()
@public_page
def public_catalogue(request, pool):
    Portal = pool.get('cus.portal')
    TargetGroup = pool.get('cus.target.group')
    Area = pool.get('cus.service.area')
    target_group = _int_arg(request, 'grupa')
    area = _int_arg(request, 'obszar')
    services = Portal.catalogue(target_group=target_group, area=area)
    all_services = Portal.catalogue()
    groups = sorted({g for s in all_services for g in s.target_groups},
        key=lambda g: g.name)
    areas = sorted({a for s in all_services for a in s.areas},
        key=lambda a: a.name)
    return render(
        request, 'catalogue.html', services=services, groups=groups,
        areas=areas, target_group=target_group, area=area,
        providers={s.id: Portal.public_providers(s) for s in services},
        fee=_fee_labels(pool), days=_day_labels(pool))


def _selection_labels(pool, model, field):
    Model = pool.get(model)
    return dict(Model.fields_get([field])[field]['selection'])


def _fee_labels(pool):
    return _selection_labels(pool, 'cus.service', 'fee_type')


def _day_labels(pool):
    return _selection_labels(pool, 'cus.service', 'availability_days')


@app.route('/<database_name>/wniosek', methods={'GET', 'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@public_page
def public_application(request, pool):
    "The online application: a submitted cus.application for coordinators"
    Portal = pool.get('cus.portal')
    services = Portal.catalogue()
    kinds = _selection_labels(pool, 'cus.application', 'applicant_kind')
    context = {
        'services': services, 'kinds': kinds,
        'legal_basis': _('legal_basis'),
        }
    if request.method == 'GET':
        chosen = _int_arg(request, 'usluga')
        return render(
            request, 'application.html', form={
                'services': [chosen] if chosen else [],
                'applicant_kind': 'person'},
            **context)
    _check_public_csrf(request)
    form = {k: (request.form.get(k) or '').strip()[:size]
        for k, size in FIELD_SIZES.items()}
    form['applicant_kind'] = request.form.get('applicant_kind', 'person')
    form['consent'] = request.form.get('consent') == '1'
    form['declaration'] = request.form.get('declaration') == '1'
    offered = {s.id for s in services}
    form['services'] = [int(v) for v in request.form.getlist('services')[:50]
        if v.isdigit() and len(v) < 10 and int(v) in offered]
    errors = _check_application(Portal, form, kinds)
    if not errors and not Portal.check_rate('application'):
        return render(
            request, 'application.html', form=form,
            status=HTTPStatus.TOO_MANY_REQUESTS,
            errors=[_('rate_limited')], **context)
    if errors:
        return render(
            request, 'application.html', form=form,
            status=HTTPStatus.BAD_REQUEST, errors=errors, **context)
    try:
        application = Portal.submit_application(form)
    except UserError as exception:
        Transaction().rollback()
        return render(
            request, 'application.html', form=form,
            status=HTTPStatus.BAD_REQUEST, errors=[exception.message],
            **context)
    return render(
        request, 'application_done.html', number=application.number,
        deadline=application.ipus_deadline)


def _check_application(Portal, form, kinds):
    errors = []
    if not form['first_name'] or not form['last_name']:
        errors.append(_('application_name_required'))
    if not form['pesel']:
        errors.append(_('application_pesel_required'))
    else:
        message = Portal.check_pesel(form['pesel'])
        if message:
            errors.append(message)
    if form['applicant_kind'] not in kinds:
        errors.append(_('application_kind_invalid'))
    elif form['applicant_kind'] != 'person' and not form['representative']:
        errors.append(_('application_representative_required'))
    if not form['phone'] and not form['email']:
        errors.append(_('application_contact_required'))
    if form['email'] and not re.fullmatch(
            r'[^@\s<>"]+@[^@\s<>"]+\.[^@\s<>"]+', form['email']):
        errors.append(_('application_email_invalid'))
    if not form['services'] and not form['description']:
        errors.append(_('application_request_required'))
    if not form['consent']:
        errors.append(_('application_consent_required'))
    return errors
