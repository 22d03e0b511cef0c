# This file is part of the CUS back office.
"""The register of processing activities (art. 30 GDPR)

The activities (purpose, categories, legal basis, recipients, retention,
measures) are records kept by the data protection officer; the register
document adds what the configuration says of each of them: the models it
covers, the groups that may read and write them (model and field access),
whether they keep history and whose reads are audited."""
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, sequence_ordered, fields)
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .xlsx import Column, XlsxReport, field_labels


class ProcessingActivity(
        DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    "Processing Activity"
    __name__ = 'cus.processing.activity'
    __string__ = "Processing Activity"

    name = fields.Char("Name", required=True, translate=True)
    purpose = fields.Text("Purpose", required=True, translate=True)
    data_subjects = fields.Text(
        "Categories of Data Subjects", required=True, translate=True)
    data_categories = fields.Text(
        "Categories of Personal Data", required=True, translate=True)
    special_categories = fields.Boolean(
        "Special Categories (Art. 9)",
        help="Health, disability or other data of art. 9 GDPR.")
    legal_basis = fields.Text("Legal Basis", required=True, translate=True)
    recipients = fields.Text(
        "Categories of Recipients", translate=True)
    transfers = fields.Text(
        "Transfers to Third Countries", translate=True,
        help="Transfers outside the European Economic Area, if any.")
    retention = fields.Text(
        "Retention", translate=True,
        help="How long the data are kept and from when.")
    retention_rule = fields.Many2One(
        'cus.retention.rule', "Retention Rule", ondelete='RESTRICT',
        help="The rule that removes the data at the end of the period.")
    measures = fields.Text(
        "Technical and Organisational Measures", translate=True)
    models = fields.Many2Many(
        'cus.processing.activity-ir.model', 'activity', 'model', "Models",
        help="The records in which the data of this activity are kept.")

    @classmethod
    def default_special_categories(cls):
        return False

    @classmethod
    def access_summary(cls, activities):
        """What the configuration says of the models of each activity:
        [(activity, model name, model label, read groups, write groups,
        restricted fields with their readers, history, read audit)]"""
        pool = Pool()
        Access = pool.get('ir.model.access')
        FieldAccess = pool.get('ir.model.field.access')
        Group = pool.get('res.group')
        Field = pool.get('ir.model.field')
        models = {m.name for a in activities for m in a.models}
        # Records without access rows of their own follow their parent's
        # (__access__), as ir.model.access does
        parents = {}
        todo = set(models)
        while todo:
            name = todo.pop()
            Model = pool.get(name)
            for field_name in getattr(Model, '__access__', ()):
                target = Model._fields[field_name].get_target().__name__
                parents.setdefault(name, []).append(target)
                if target not in models:
                    models.add(target)
                    todo.add(target)
        models = sorted(models)
        if not models:
            return []
        cursor = Transaction().connection.cursor()
        access = Access.__table__()
        field_access = FieldAccess.__table__()
        read, write = defaultdict(set), defaultdict(set)
        with_rows = set()
        cursor.execute(*access.select(
                access.model, access.group, access.perm_read,
                access.perm_write,
                where=access.model.in_(models) & (access.active == True)))
        for model, group, perm_read, perm_write in cursor:
            with_rows.add(model)
            # A row without group applies to every user
            if perm_read:
                read[model].add(group)
            if perm_write:
                write[model].add(group)

        def effective(model, groups):
            if model in with_rows:
                return groups[model]
            if model in parents:
                result = set()
                for parent in parents[model]:
                    result |= effective(parent, groups)
                return result
            # No access rule: every user
            return {None}

        restricted = defaultdict(lambda: defaultdict(set))
        cursor.execute(*field_access.select(
                field_access.model, field_access.field, field_access.group,
                field_access.perm_read,
                where=field_access.model.in_(models)
                & (field_access.active == True)))
        for model, field, group, perm_read in cursor:
            readers = restricted[model][field]
            if perm_read:
                readers.add(group)
        group_ids = {g for groups in (read, write) for s in groups.values()
            for g in s if g}
        group_ids |= {g for fields_ in restricted.values()
            for s in fields_.values() for g in s if g}
        with without_check_access():
            names = {g.id: g.name for g in Group.browse(sorted(group_ids))}
        everybody = gettext('cus_base.msg_processing_all_users')
        nobody = gettext('cus_base.msg_processing_nobody')

        def group_names(groups, allowed=None):
            if None in groups:
                if allowed is not None:
                    return group_names(allowed)
                return everybody
            if allowed is not None and None not in allowed:
                groups = groups & allowed
            return ', '.join(sorted(names[g] for g in groups))

        summary = []
        for activity in activities:
            for model in sorted(activity.models, key=lambda m: m.name):
                Model = pool.get(model.name)
                model_read = effective(model.name, read)
                model_write = effective(model.name, write)
                fields_ = []
                for field, readers in sorted(
                        restricted.get(model.name, {}).items()):
                    fields_.append('%s: %s' % (
                            Field.get_name(model.name, field),
                            group_names(readers, model_read) or nobody))
                summary.append((
                        activity, model.name, model.string,
                        group_names(model_read) or nobody,
                        group_names(model_write) or nobody,
                        '; '.join(fields_),
                        bool(getattr(Model, '_history', False)),
                        bool(getattr(Model, '_audit_fields', None)),
                        ))
        return summary


class ProcessingActivityModel(ModelSQL):
    "Processing Activity - Model"
    __name__ = 'cus.processing.activity-ir.model'
    __string__ = "Processing Activity - Model"
    activity = fields.Many2One(
        'cus.processing.activity', "Activity", required=True,
        ondelete='CASCADE')
    model = fields.Many2One(
        'ir.model', "Model", required=True, ondelete='CASCADE')


def _message(name, **variables):
    return gettext('cus_base.msg_processing_' + name, **variables)


class ProcessingRegister(XlsxReport):
    "Register of processing activities"
    __name__ = 'cus_base.report_processing_register'

    @classmethod
    def _get_records(cls, ids, model, data):
        Activity = Pool().get('cus.processing.activity')
        # The register lists every activity, whatever is selected
        return Activity.search([])

    @classmethod
    def write_workbook(cls, book, activities, data):
        cls.write_activities(book, activities)
        cls.write_access(book, activities)

    @classmethod
    def controller(cls):
        "The controller: the company, with its address"
        Company = Pool().get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is None or company_id < 0:
            return ''
        party = Company(company_id).party
        address = party.address_get()
        lines = [party.rec_name]
        if address and address.full_address:
            lines.append(' '.join(address.full_address.split()))
        return ', '.join(lines)

    @classmethod
    def write_activities(cls, book, activities):
        labels = field_labels('cus.processing.activity', [
                'name', 'purpose', 'data_subjects', 'data_categories',
                'special_categories', 'legal_basis', 'recipients',
                'transfers', 'retention', 'retention_rule', 'measures',
                'models'])
        rule_labels = field_labels('cus.retention.rule', ['period_years'])
        sheet = book.sheet(_message('sheet_register'), [
                Column(_message('controller'), width=30),
                Column(labels['name'], width=30),
                Column(labels['purpose'], width=40),
                Column(labels['data_subjects'], width=30),
                Column(labels['data_categories'], width=40),
                Column(labels['special_categories'], width=10),
                Column(labels['legal_basis'], width=40),
                Column(labels['recipients'], width=30),
                Column(labels['transfers'], width=20),
                Column(labels['retention'], width=30),
                Column(labels['retention_rule'], width=30),
                Column(labels['measures'], width=40),
                Column(labels['models'], width=40),
                ])
        controller = cls.controller()
        yes, no = _message('yes'), _message('no')
        for activity in activities:
            rule = activity.retention_rule
            sheet.write_row([
                    controller,
                    activity.name,
                    activity.purpose,
                    activity.data_subjects,
                    activity.data_categories,
                    yes if activity.special_categories else no,
                    activity.legal_basis,
                    activity.recipients,
                    activity.transfers,
                    activity.retention,
                    ('%s: %s %s (%s)' % (
                            rule.kind_string, rule_labels['period_years'],
                            rule.period_years, rule.legal_reference or '')
                        if rule else None),
                    activity.measures,
                    ', '.join(sorted(m.string for m in activity.models)),
                    ])

    @classmethod
    def write_access(cls, book, activities):
        Activity = Pool().get('cus.processing.activity')
        sheet = book.sheet(_message('sheet_access'), [
                Column(_message('activity'), width=30),
                Column(_message('model'), width=30),
                Column(_message('read_groups'), width=40),
                Column(_message('write_groups'), width=40),
                Column(_message('restricted_fields'), width=60),
                Column(_message('history'), width=10),
                Column(_message('read_audit'), width=10),
                ])
        yes, no = _message('yes'), _message('no')
        for (activity, _, model_string, read, write, restricted, history,
                audit) in Activity.access_summary(activities):
            sheet.write_row([
                    activity.name, model_string, read, write, restricted,
                    yes if history else no, yes if audit else no])
