# This file is part of the CUS back office.
"Helpers that the tests of all CUS modules share"

from contextlib import contextmanager

from stdnum.pl import pesel as stdnum_pesel

from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

def valid_pesel(birth_date, serial=123, female=False):
    "Return a valid PESEL for the birth date (serial 0-999)"
    month = birth_date.month + {
        18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[birth_date.year // 100]
    sex_digit = (serial % 5) * 2 + (0 if female else 1)
    body = '%02d%02d%02d%03d%d' % (
        birth_date.year % 100, month, birth_date.day, serial % 1000,
        sex_digit)
    return body + stdnum_pesel.calc_check_digit(body)

def create_service(name="Taksówka dla seniora", **values):
    pool = Pool()
    Service = pool.get('cus.service')
    ModelData = pool.get('ir.model.data')
    values.setdefault('unit', ModelData.get_id('cus_base', 'uom_ride'))
    service, = Service.create([dict(name=name, **values)])
    return service

def create_user(login, group_xml_ids):
    "Create a user in the groups given by their cus_base XML ids"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    groups = [ModelData.get_id('cus_base', x) for x in group_xml_ids]
    user, = User.create([{
                'name': login.title(),
                'login': login,
                'groups': [('add', groups)],
                }])
    return user

@contextmanager
def rolled_back_on_error():
    """Undo what the block wrote if it raises, as the failed request of a
    user would be, so that a test can go on in the same transaction"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    cursor.execute('SAVEPOINT cus_test')
    try:
        yield
    except Exception:
        cursor.execute('ROLLBACK TO SAVEPOINT cus_test')
        transaction.cache.clear()
        raise
    else:
        cursor.execute('RELEASE SAVEPOINT cus_test')


__all__ = [
    'valid_pesel', 'create_service', 'create_user', 'rolled_back_on_error']


@contextmanager
def as_user(user):
    "Work as the user through RPC: the user's preferences and access checks"
    User = Pool().get('res.user')
    with Transaction().set_user(user.id):
        with Transaction().set_context(
                User.get_preferences(context_only=True)), check_access():
            yield
