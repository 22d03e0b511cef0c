# This file is part of the CUS back office.
"""Retention rules and the anonymisation of expired records

Each rule gives, for one kind of record, how many years it is kept after
the event that starts the count and what happens then (anonymised or
deleted). A daily cron (and the "Run Now" button) finds the expired records
of every active rule in SQL and treats them; each run is logged.

The anonymisation of a person reuses the list of the party erase wizard
(`party.erase.to_erase`, extended by every module) so that one list says
what personal data each module holds; it is applied to a batch of parties
at once and keeps what the statistics read: the sex, the client category,
the former MOPS flag, the birth year and month (the age bands), the city of
the addresses, and every count, date, quantity, service and state of the
cases.
"""
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Cast, Column, Null
from sql.aggregate import Count
from sql.functions import DateTrunc, Substring
from sql.operators import Concat, Or

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, convert_from, fields)
from trytond.model.exceptions import ValidationError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

# A party id that no party has: the erase list is asked for it once and its
# domains are then rewritten for a batch of parties.
_BATCH_PARTY = -424242
# Kept when a person is anonymised for retention (an erasure on request
# clears them): what the indicators, the programme report and the
# evaluator's extract group the persons by.
RETENTION_KEEP = {
    'party.address': {'city', 'country', 'subdivision'},
    }


class RetentionValidationError(ValidationError):
    pass


def _batch_domain(domain, ids):
    """The domain with the leaves on the marker party (_BATCH_PARTY) made
    on the ids of the batch"""
    if isinstance(domain, (list, tuple)):
        if (len(domain) == 3 and isinstance(domain[0], str)
                and domain[1] == '=' and domain[2] == _BATCH_PARTY):
            return (domain[0], 'in', ids)
        return [_batch_domain(d, ids) for d in domain]
    return domain


class RetentionRule(DeactivableMixin, ModelSQL, ModelView):
    "How long a kind of record is kept and what happens then"
    __name__ = 'cus.retention.rule'
    __string__ = "Retention Rule"

    kind = fields.Selection([
            ('pomost_logs', "Imports from Pomost (Files and Lines)"),
            ('audit_access', "Access Register (Reads of Personal Data)"),
            ], "Kind of Records", required=True, sort=False)
    kind_string = kind.translated('kind')
    period_years = fields.Integer(
        "Years Kept", required=True,
        domain=[('period_years', '>=', 0)],
        help="How many years the records are kept after the start event.")
    start_event = fields.Char(
        "Counted From",
        help="The event from which the period is counted.")
    action = fields.Selection([
            ('anonymise', "Anonymise"),
            ('delete', "Delete"),
            ], "Action", required=True, sort=False,
        help="Anonymised records stay in the statistics without the "
        "personal data; deleted records disappear.")
    legal_reference = fields.Char(
        "Legal Reference",
        help="The archival category or the act that sets the period.")
    runs = fields.One2Many(
        'cus.retention.run', 'rule', "Runs", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('kind_unique', Unique(t, t.kind),
                'cus_base.msg_retention_kind_unique'),
            ]
        cls._order = [('kind', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'run_now': {
                    'invisible': ~Eval('active', True),
                    'icon': 'tryton-launch',
                    'depends': ['active'],
                    },
                })

    @classmethod
    def default_action(cls):
        return 'anonymise'

    @classmethod
    def anonymise_only_kinds(cls):
        """The kinds whose records the statistics count: they may only be
        anonymised, never deleted"""
        return set()

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        only = cls.anonymise_only_kinds()
        for rule in rules:
            if rule.kind in only and rule.action != 'anonymise':
                raise RetentionValidationError(gettext(
                        'cus_base.msg_retention_anonymise_only',
                        kind=rule.kind_string))

    def get_rec_name(self, name):
        return self.kind_string

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if 'like' in operator and isinstance(value, str):
            # The name is the label of the kind (in the user's language).
            pattern = value.strip('%').lower()
            selection = cls.fields_get(['kind'])['kind']['selection']
            kinds = [k for k, l in selection if pattern in str(l).lower()]
            return [('kind', 'not in' if 'not' in operator else 'in', kinds)]
        return [('kind', operator, value)]

    def expiry_date(self, today=None):
        "Records whose start event is before this date are expired"
        if today is None:
            today = Pool().get('ir.date').today()
        return today - relativedelta(years=self.period_years)

    @classmethod
    @ModelView.button
    def run_now(cls, rules):
        cls.apply(rules)

    @classmethod
    def run_cron(cls):
        cls.apply(cls.search([]))

    @classmethod
    def apply(cls, rules):
        "Treat the expired records of the rules and log each run"
        pool = Pool()
        Run = pool.get('cus.retention.run')
        transaction = Transaction()
        runs = []
        for rule in rules:
            if not rule.active:
                continue
            records, persons = getattr(rule, 'apply_' + rule.kind)(
                rule.expiry_date())
            runs.append(Run(
                    rule=rule, kind=rule.kind,
                    action=rule.action, expired_before=rule.expiry_date(),
                    records=records, persons=persons,
                    user=transaction.user))
        Run.save(runs)
        return runs

    def apply_pomost_logs(self, before):
        "Delete or empty the Pomost imports older than the period"
        pool = Pool()
        Log = pool.get('cus.pomost.import.log')
        log = Log.__table__()
        cursor = Transaction().connection.cursor()
        limit = dt.datetime.combine(before, dt.time())
        if self.action == 'delete':
            cursor.execute(*log.select(
                    log.id, where=log.create_date < limit))
            ids = [i for i, in cursor]
            Log.delete(Log.browse(ids))
            return len(ids), 0
        # The file holds the names and PESEL numbers of the clients; the
        # counts of the import stay.
        where = (log.create_date < limit) & (log.file != Null)
        cursor.execute(*log.select(log.id, where=where))
        ids = [i for i, in cursor]
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*log.update(
                    [log.file], [None],
                    where=SQL_OPERATORS['in'](log.id, list(sub_ids))))
        return len(ids), 0

    def apply_audit_access(self, before):
        """Delete the reads older than the period, or anonymise them: the
        user, the kind and the date stay (how much was read, by whom), the
        person and the record read go"""
        pool = Pool()
        access = pool.get('cus.audit.access').__table__()
        cursor = Transaction().connection.cursor()
        # The register is append-only through the ORM; only this rule
        # removes rows, in SQL.
        where = access.date < dt.datetime.combine(before, dt.time())
        if self.action != 'delete':
            where &= (access.client != Null) | (access.record != Null)
        cursor.execute(*access.select(Count(access.id), where=where))
        records, = cursor.fetchone()
        if records:
            if self.action == 'delete':
                cursor.execute(*access.delete(where=where))
            else:
                cursor.execute(*access.update(
                        [access.client, access.record], [Null, Null],
                        where=where))
        return records, 0


class RetentionRun(ModelSQL, ModelView):
    "One application of a retention rule"
    __name__ = 'cus.retention.run'
    __string__ = "Retention Run"

    date = fields.Timestamp("Date", readonly=True)
    rule = fields.Many2One(
        'cus.retention.rule', "Rule", readonly=True, ondelete='SET NULL')
    kind = fields.Selection(
        'get_kinds', "Kind of Records", readonly=True)
    action = fields.Selection([
            ('anonymise', "Anonymise"),
            ('delete', "Delete"),
            ], "Action", readonly=True)
    expired_before = fields.Date(
        "Expired Before", readonly=True,
        help="The records whose start event is before this day were "
        "expired.")
    records = fields.Integer(
        "Records", readonly=True, help="The records anonymised or deleted.")
    persons = fields.Integer(
        "Persons", readonly=True, help="The persons anonymised.")
    user = fields.Many2One('res.user', "User", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return dt.datetime.now()

    @classmethod
    def get_kinds(cls):
        Rule = Pool().get('cus.retention.rule')
        return Rule.fields_get(['kind'])['kind']['selection']


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    anonymised_on = fields.Date(
        "Anonymised On", readonly=True,
        states={'invisible': ~Eval('anonymised_on')},
        help="The retention period of the person's records ended: the "
        "personal data were removed, the statistics kept.")

    @classmethod
    def retention_activity_queries(cls):
        """Queries of (party, date) pairs: the events of the persons'
        records from which retention is counted; a person is anonymised
        only when all of them are before the expiry date"""
        return []

    @classmethod
    def retention_anonymise(cls, party_ids):
        """Anonymise the persons for the end of retention, keeping what the
        statistics read; return the ids of the persons anonymised (those
        already anonymised are skipped)"""
        pool = Pool()
        Erase = pool.get('party.erase', type='wizard')
        Date = pool.get('ir.date')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        party = cls.__table__()
        ids = []
        for sub_ids in grouped_slice(party_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*party.select(party.id,
                    where=SQL_OPERATORS['in'](party.id, list(sub_ids))
                    & (party.anonymised_on == Null)))
            ids.extend(i for i, in cursor)
        if not ids:
            return []
        # to_erase does not use the wizard's state: an instance without a
        # session is enough to ask for the list.
        to_erase = Erase.__new__(Erase).to_erase(_BATCH_PARTY)
        resources = Erase.get_resources()
        name = gettext('cus_base.msg_retention_anonymised_name')
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS // 2):
            sub_ids = list(sub_ids)
            for Model, domain, resource, columns, values in to_erase:
                domain = _batch_domain(domain, sub_ids)
                keep = RETENTION_KEEP.get(Model.__name__, set())
                pairs = [(c, v) for c, v in zip(columns, values)
                    if c not in keep]
                if 'active' in Model._fields and Model is not cls:
                    records = Model.search(domain)
                    if records:
                        Model.write(records, {'active': False})
                tables, where = Model.search_domain(domain, active_test=False)
                from_ = convert_from(None, tables, type_='INNER')
                table, _ = tables[None]
                query = from_.select(table.id, where=where)
                if pairs:
                    model_tables = [Model.__table__()]
                    if Model._history:
                        model_tables.append(Model.__table_history__())
                    for table in model_tables:
                        sql_columns, sql_values, changed = [], [], []
                        always = False
                        for column, value in pairs:
                            column_ = Column(table, column)
                            if Model is cls:
                                value = cls._retention_value(
                                    column_, column, value, name)
                            if callable(value):
                                value = value(column_)
                            sql_columns.append(column_)
                            sql_values.append(value)
                            if value is None:
                                changed.append(column_ != Null)
                            elif isinstance(value, (str, int)):
                                changed.append(
                                    (column_ != value) | (column_ == Null))
                            else:
                                # an expression of the column
                                always = True
                        where = table.id.in_(query)
                        if changed and not always:
                            # Rows already empty are not rewritten: most
                            # deliveries have no notes.
                            where &= Or(changed)
                        cursor.execute(*table.update(
                                sql_columns, sql_values, where=where))
                if resource:
                    for Resource in resources:
                        model_tables = [Resource.__table__()]
                        if Resource._history:
                            model_tables.append(Resource.__table_history__())
                        for table in model_tables:
                            cursor.execute(*table.delete(
                                    where=table.resource.like(
                                        Model.__name__ + ',%')
                                    & Resource.resource.sql_id(
                                        table.resource, Model).in_(query)))
            cursor.execute(*party.update(
                    [party.anonymised_on, party.active],
                    [Date.today(), False],
                    where=SQL_OPERATORS['in'](party.id, sub_ids)))
        transaction.counter += 1
        cls._clear_cache_after_sql()
        return ids

    @classmethod
    def _retention_value(cls, column, name, value, anonymous_name):
        "The value a party column gets at the end of retention"
        if name == 'name':
            return anonymous_name
        if name == 'birth_date':
            # The year and the month stay for the age bands.
            if backend.name == 'sqlite':
                return Concat(Substring(column, 1, 8), '01')
            return Cast(DateTrunc('month', column), 'DATE')
        return value

    @classmethod
    def _clear_cache_after_sql(cls):
        Transaction().cache.clear()


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('cus.retention.rule|run_cron', "Apply the Retention Rules"))
