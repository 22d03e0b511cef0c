# This file is part of the CUS back office.
"""The data subject's right of access (GDPR art. 15)

`party.party.subject_access_sections(party)` returns the sections of the
export: every module that holds data about persons extends it in its own
`subject_access.py` and appends its sections. A section is a title, the
column labels and the rows (one per record, values in column order). The
rows come from one search (or one SQL query) per model, never from walking
the records one by one.

The report "Personal Data Export (art. 15 GDPR)" lays the sections out in an
ODT document; it may be printed by the director, the organiser and the data
protection officer (the groups of its action) and each print is logged.
"""
import datetime as dt
from collections import namedtuple
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

from .format import format_date, format_number

Section = namedtuple('Section', ['title', 'labels', 'rows'])


def format_value(value):
    "A value as the export writes it"
    if value is None or value == '' or value == []:
        return ''
    if isinstance(value, bool):
        return gettext('cus_base.msg_subject_access_yes' if value
            else 'cus_base.msg_subject_access_no')
    if isinstance(value, dt.datetime):
        return value.strftime('%d.%m.%Y %H:%M')
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, (Decimal, float)):
        return format_number(value)
    return str(value)


def records_section(title, Model, records, names):
    """A section of records of Model: the field names (a dotted name reads
    a related field: 'plan.number') labelled by the string of their last
    field in the user's language; the selections by their labels, the
    booleans by yes or no, the relations by their names"""
    pool = Pool()
    definitions = {}

    def definition(Current, name):
        "The field definition as the client gets it (translated)"
        key = (Current.__name__, name)
        if key not in definitions:
            definition = Current.fields_get([name])[name]
            selection = definition.get('selection')
            if isinstance(selection, str):
                selection = getattr(Current, selection)()
            definition['selection'] = dict(selection or [])
            definitions[key] = definition
        return definitions[key]

    labels = []
    for name in names:
        Current, label = Model, name
        for part in name.split('.'):
            label = definition(Current, part)['string']
            target = getattr(Current._fields[part], 'model_name', None)
            Current = pool.get(target) if target else None
        labels.append(label)
    rows = []
    for record in records:
        row = []
        for name in names:
            value, Current = record, Model
            for part in name.split('.'):
                if value is None:
                    break
                field = Current._fields[part]
                value = getattr(value, part)
                if isinstance(field, fields.Selection):
                    value = definition(Current, part)['selection'].get(
                        value, value)
                    break
                if isinstance(field, fields.Boolean):
                    value = bool(value)
                    break
                target = getattr(field, 'model_name', None)
                Current = pool.get(target) if target else None
            if isinstance(value, (list, tuple)):
                value = ', '.join(v.rec_name for v in value)
            elif hasattr(value, 'rec_name'):
                value = value.rec_name
            row.append(format_value(value))
        rows.append(row)
    return Section(title, labels, rows)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def subject_access_sections(cls, party):
        "The sections of the export of everything held about the party"
        pool = Pool()
        Identifier = pool.get('party.identifier')
        Address = pool.get('party.address')
        Contact = pool.get('party.contact_mechanism')
        Relation = pool.get('party.relation.all')
        Consent = pool.get('cus.client.consent')
        Log = pool.get('ir.model.log')
        sections = [
            records_section(
                gettext('cus_base.msg_subject_access_client'), cls, [party], [
                    'name', 'code', 'pesel', 'birth_date', 'sex',
                    'marital_status', 'occupation', 'employment_situation',
                    'household_size', 'client_category', 'former_ops_client',
                    'priority_groups', 'disability_degree',
                    'disability_description', 'health_condition', 'problems',
                    'processing_basis', 'special_processing_basis',
                    'anonymised_on', 'create_date']),
            records_section(
                gettext('cus_base.msg_subject_access_identifiers'),
                Identifier, Identifier.search([('party', '=', party.id)]),
                ['type', 'code']),
            records_section(
                gettext('cus_base.msg_subject_access_addresses'),
                Address, Address.search([('party', '=', party.id)]),
                ['full_address', 'active']),
            records_section(
                gettext('cus_base.msg_subject_access_contacts'),
                Contact, Contact.search([('party', '=', party.id)]),
                ['type', 'value', 'name', 'comment']),
            records_section(
                gettext('cus_base.msg_subject_access_relations'),
                Relation, Relation.search([('from_', '=', party.id)]),
                ['type', 'to', 'start_date', 'end_date']),
            records_section(
                gettext('cus_base.msg_subject_access_consents'),
                Consent, Consent.search([('client', '=', party.id)]),
                ['purpose', 'purpose_other', 'legal_basis', 'given_on',
                    'channel', 'withdrawn_on', 'note']),
            ]
        # The audit trail of the reads and changes of the person's data,
        # when the module that keeps it is there.
        models = dict(pool.iterobject())
        for name, message in [
                ('cus.audit.access', 'cus_base.msg_subject_access_reads'),
                ('cus.audit.trail', 'cus_base.msg_subject_access_trail'),
                ]:
            if name not in models:
                continue
            Audit = pool.get(name)
            person = 'client' if 'client' in Audit._fields else 'party'
            sections.append(records_section(
                    gettext(message), Audit,
                    Audit.search([(person, '=', party.id)],
                        order=[('date', 'DESC')]),
                    [f for f in ['date', 'user', 'kind', 'event', 'model',
                            'record', 'field_labels', 'fields', 'details']
                        if f in Audit._fields]))
        sections.append(records_section(
                gettext('cus_base.msg_subject_access_changes'),
                Log, Log.search([('resource', '=', str(party))],
                    order=[('create_date', 'DESC')]),
                ['create_date', 'user', 'event', 'target']))
        return sections


class SubjectAccessReport(Report):
    __name__ = 'cus_base.report_subject_access'

    @classmethod
    def execute(cls, ids, data):
        pool = Pool()
        Party = pool.get('party.party')
        Access = pool.get('cus.audit.access')
        result = super().execute(ids, data)
        # An export of personal data is itself a processing to account for:
        # in the changes log and in the access register. Reports run in
        # read-only transactions: the log is written in one of its own.
        transaction = Transaction()
        if transaction.readonly:
            with transaction.new_transaction() as new:
                Party.log(Party.browse(ids), 'wizard',
                    'cus_base.report_subject_access')
        else:
            Party.log(
                Party.browse(ids), 'wizard', 'cus_base.report_subject_access')
        if ids and Transaction().user:
            Access.log_access(
                Party, list(map(int, ids)), Party._audit_fields, 'export')
        return result

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Party = pool.get('party.party')
        User = pool.get('res.user')
        context = super().get_context(records, header, data)
        with without_check_access():
            context['exports'] = [
                (Party(r.id), Party.subject_access_sections(Party(r.id)))
                for r in records]
        context['made_by'] = User(Transaction().user).rec_name
        context['made_on'] = dt.datetime.now().strftime('%d.%m.%Y %H:%M')
        return context
