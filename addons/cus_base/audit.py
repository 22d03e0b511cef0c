# This file is part of the CUS back office.
"""The audit trail of the personal data: who read the sensitive fields of
which record (cus.audit.access) and, with the changes Tryton already logs in
ir.model.log, the history of a client or a record (cus.audit.trail).

A model declares its sensitive fields by inheriting AuditReadMixin and
listing them in ``_audit_fields``; other modules extend the set in
``__setup__``. Only the reads made for a user (RPC calls with access checks)
are logged, internal code and root are not, and a call that reads no
sensitive field logs nothing so that lists stay fast."""
import datetime as dt

from sql import Literal, Null, Union

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access


class AuditAccessError(AccessError):
    pass


KINDS = [
    ('read', "Read"),
    ('print', "Print"),
    ('export', "Export"),
    ]


def _field_names(fields_names):
    "The fields of the model itself in a list of (possibly dotted) names"
    return {n.split('.', 1)[0].split(':', 1)[0] for n in fields_names}


class AuditReadMixin:
    "Log the reads of the sensitive fields made by users"
    __slots__ = ()
    # The fields whose reading is logged; extend in __setup__
    _audit_fields = frozenset()
    # The Many2One to the client concerned ('id' when it is the record)
    _audit_client_field = 'client'

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        transaction = Transaction()
        if result and transaction.check_access:
            names = cls._audit_fields & _field_names(fields_names)
            if names:
                Access = Pool().get('cus.audit.access')
                Access.log_access(
                    cls, [r['id'] for r in result], names, 'read')
        return result

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        result = super().export_data(records, fields_names, header=header)
        if records and Transaction().check_access:
            names = cls._audit_export_paths(fields_names)
            if names:
                Access = Pool().get('cus.audit.access')
                Access.log_access(
                    cls, list(map(int, records)), names, 'export')
        return result

    @classmethod
    def _audit_export_paths(cls, fields_names):
        "The exported paths that end on or go through a sensitive field"
        pool = Pool()
        paths = set()
        for path in fields_names:
            Model = cls
            for name in path.split('/'):
                name = name.split('.', 1)[0]
                if name in getattr(Model, '_audit_fields', ()):
                    paths.add(path)
                    break
                field = Model._fields.get(name)
                target = getattr(field, 'model_name', None)
                if not target:
                    break
                Model = pool.get(target)
        return paths

    @classmethod
    def audit_clients(cls, ids):
        "The client concerned by each record: {id: party id or None}"
        if cls._audit_client_field == 'id':
            return {i: i for i in ids}
        table = cls.__table__()
        column = getattr(table, cls._audit_client_field)
        cursor = Transaction().connection.cursor()
        clients = {}
        for sub_ids in _slices(ids):
            cursor.execute(*table.select(
                    table.id, column, where=table.id.in_(list(sub_ids))))
            clients.update(cursor)
        return clients


def _readable_models():
    """The models the user may read: the clients drop a Reference column
    whose selection holds a model the user cannot read"""
    pool = Pool()
    Model = pool.get('ir.model')
    ModelAccess = pool.get('ir.model.access')
    models = Model.get_name_items()
    if Transaction().check_access:
        access = ModelAccess.get_access([m for m, _ in models])
        models = [(m, n) for m, n in models if access[m]['read']]
    return models


def _slices(ids):
    return grouped_slice(ids, backend.MAX_QUERY_PARAMS)


class AuditAccess(ModelSQL, ModelView):
    "Access to Personal Data"
    __name__ = 'cus.audit.access'
    __string__ = "Access to Personal Data"
    _order_name = 'date'

    date = fields.Timestamp("Date", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    kind_string = kind.translated('kind')
    record = fields.Reference(
        "Record", selection='get_models', readonly=True)
    client = fields.Many2One(
        'party.party', "Client", readonly=True, ondelete='RESTRICT')
    field_names = fields.Char("Field Names", readonly=True)
    field_labels = fields.Function(
        fields.Char("Fields"), 'get_field_labels')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_indexes.update({
                Index(table,
                    (table.client, Index.Range()),
                    (table.date, Index.Range(order='DESC'))),
                Index(table, (table.record, Index.Equality())),
                Index(table, (table.date, Index.Range(order='DESC'))),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def get_models(cls):
        return _readable_models()

    @classmethod
    def get_field_labels(cls, records, name):
        Field = Pool().get('ir.model.field')
        labels = {}
        for record in records:
            model = str(record.record or '').split(',', 1)[0]
            names = (record.field_names or '').split(',')
            labels[record.id] = ', '.join(
                Field.get_name(model, n) if model else n
                for n in names if n)
        return labels

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        # The trail is append-only, whoever asks (log_access inserts in SQL)
        if mode in {'create', 'write', 'delete'}:
            raise AuditAccessError(gettext('cus_base.msg_audit_append_only'))

    @classmethod
    def log_access(cls, Model, ids, field_names, kind):
        """Record that the user read field_names of the records ids of Model,
        with one INSERT; in a transaction of its own when the user's one is
        read-only (RPC reads), so the trail is kept even then."""
        transaction = Transaction()
        with without_check_access():
            clients = Model.audit_clients(ids)
        now = dt.datetime.now()
        user = transaction.user
        names = ','.join(sorted(field_names))
        if transaction.readonly:
            with transaction.new_transaction() as new:
                cls._insert(
                    new.connection.cursor(), Model, ids, clients, kind,
                    names, user, now)
        else:
            cls._insert(
                transaction.connection.cursor(), Model, ids, clients, kind,
                names, user, now)

    @classmethod
    def _insert(cls, cursor, Model, ids, clients, kind, names, user, now):
        table = cls.__table__()
        if backend.name == 'postgresql':
            # Two arrays as parameters: the statement stays small and is
            # built in constant time whatever the number of records
            cursor.execute(
                'INSERT INTO "%s" ("date", "user", "kind", "record", '
                '"client", "field_names", "create_uid", "create_date") '
                'SELECT %%s, %%s, %%s, %%s::VARCHAR || r.id::VARCHAR, '
                'r.client, %%s, %%s, %%s '
                'FROM UNNEST(%%s::INTEGER[], %%s::INTEGER[]) AS r(id, client)'
                % cls._table,
                (now, user, kind, Model.__name__ + ',', names, user, now,
                    list(ids), [clients.get(i) for i in ids]))
            return
        columns = [
            table.date, table.user, table.kind, table.record, table.client,
            table.field_names, table.create_uid, table.create_date]
        rows = [[
                now, user, kind, '%s,%s' % (Model.__name__, i),
                clients.get(i), names, user, now] for i in ids]
        for sub_rows in grouped_slice(
                rows, backend.MAX_QUERY_PARAMS // len(columns)):
            cursor.execute(*table.insert(columns, list(sub_rows)))


class AuditTrail(ModelSQL, ModelView):
    "History of Access and Changes"
    __name__ = 'cus.audit.trail'
    __string__ = "History of Access and Changes"

    date = fields.Timestamp("Date", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    event = fields.Selection(KINDS + [
            ('write', "Modified"),
            ('delete', "Deleted"),
            ('button', "Clicked on"),
            ('wizard', "Launched"),
            ('transition', "Transitioned to"),
            ], "Event", readonly=True)
    record = fields.Reference(
        "Record", selection='get_models', readonly=True)
    client = fields.Many2One('party.party', "Client", readonly=True)
    details = fields.Function(fields.Char("Details"), 'get_details')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def get_models(cls):
        return _readable_models()

    @classmethod
    def table_query(cls):
        pool = Pool()
        Access = pool.get('cus.audit.access')
        Log = pool.get('ir.model.log')
        access = Access.__table__()
        log = Log.__table__()
        # Even ids are reads, odd ids changes, so both keep their own id
        reads = access.select(
            (access.id * 2).as_('id'),
            access.create_uid.as_('create_uid'),
            access.create_date.as_('create_date'),
            access.write_uid.as_('write_uid'),
            access.write_date.as_('write_date'),
            access.date.as_('date'),
            access.user.as_('user'),
            access.kind.as_('event'),
            access.record.as_('record'),
            access.client.as_('client'),
            )
        # The changes have no client: the relate of a client also matches
        # the changes of its party record by the record
        changes = log.select(
            (log.id * 2 + 1).as_('id'),
            log.create_uid.as_('create_uid'),
            log.create_date.as_('create_date'),
            log.write_uid.as_('write_uid'),
            log.write_date.as_('write_date'),
            log.create_date.as_('date'),
            log.user.as_('user'),
            log.event.as_('event'),
            log.resource.as_('record'),
            Literal(None).as_('client'),
            where=log.resource != Null)
        return Union(reads, changes, all_=True)

    @classmethod
    def get_details(cls, records, name):
        pool = Pool()
        Access = pool.get('cus.audit.access')
        Log = pool.get('ir.model.log')
        details = {}
        access_ids = {r.id // 2: r.id for r in records if r.id % 2 == 0}
        log_ids = {r.id // 2: r.id for r in records if r.id % 2 == 1}
        with without_check_access():
            for access in Access.browse(list(access_ids)):
                details[access_ids[access.id]] = access.field_labels
            for log in Log.browse(list(log_ids)):
                details[log_ids[log.id]] = log.action
        return details


class Party(AuditReadMixin, metaclass=PoolMeta):
    __name__ = 'party.party'
    # Client data and identifiers are kept with their history
    _history = True
    _audit_client_field = 'id'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._audit_fields = cls._audit_fields | {
            'pesel', 'identifiers', 'birth_date', 'health_condition',
            'disability_degree', 'disability_description', 'problems',
            'household_members', 'priority_groups',
            }


class PartyIdentifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'
    _history = True
