# This file is part of the CUS back office.
"""The reads and printouts of the needs assessments and the plans in the
audit trail of the personal data (cus_base.audit)"""
from cus_base.audit import AuditReadMixin

from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class NeedsAssessment(AuditReadMixin, metaclass=PoolMeta):
    __name__ = 'cus.needs.assessment'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The content of the diagnosis, not its date, place or state
        cls._audit_fields = cls._audit_fields | {
            'pesel', 'birth_date', 'address', 'phone', 'occupation',
            'employment_situation', 'marital_status', 'family_size',
            'disability_degree', 'disability', 'health', 'problems', 'needs',
            'readiness', 'readiness_notes', 'feasibility', 'lines',
            }


class NeedsAssessmentLine(AuditReadMixin, metaclass=PoolMeta):
    __name__ = 'cus.needs.assessment.line'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._audit_fields = cls._audit_fields | {
            'kind', 'service', 'description', 'quantity', 'frequency'}

    @classmethod
    def audit_clients(cls, ids):
        return _clients_through(cls, 'assessment', 'cus.needs.assessment', ids)


class Ipus(AuditReadMixin, metaclass=PoolMeta):
    __name__ = 'cus.ipus'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._audit_fields = cls._audit_fields | {
            'needs', 'expected_effects', 'check_notes', 'lines',
            'update_reason', 'late_justification', 'course_and_results',
            'outcome', 'osl_directions',
            }


class IpusLine(AuditReadMixin, metaclass=PoolMeta):
    __name__ = 'cus.ipus.line'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._audit_fields = cls._audit_fields | {
            'service', 'scope', 'schedule', 'place', 'quantity',
            'per_week', 'per_month', 'per_year'}

    @classmethod
    def audit_clients(cls, ids):
        return _clients_through(cls, 'plan', 'cus.ipus', ids)


def _clients_through(Model, field, parent, ids):
    "The clients of records whose client is the one of their parent"
    from cus_base.audit import _slices
    Parent = Pool().get(parent)
    table = Model.__table__()
    parent_table = Parent.__table__()
    cursor = Transaction().connection.cursor()
    clients = {}
    for sub_ids in _slices(ids):
        cursor.execute(*table.join(parent_table,
                condition=getattr(table, field) == parent_table.id
                ).select(table.id, parent_table.client,
                where=table.id.in_(list(sub_ids))))
        clients.update(cursor)
    return clients


class PrintAuditMixin:
    "Log the printing of the documents of clients"
    __slots__ = ()

    @classmethod
    def execute(cls, ids, data):
        result = super().execute(ids, data)
        if ids and Transaction().check_access:
            pool = Pool()
            Access = pool.get('cus.audit.access')
            Model = pool.get(cls._audit_model)
            Access.log_access(
                Model, list(map(int, ids)), Model._audit_fields, 'print')
        return result


class NeedsAssessmentReport(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'cus_ipus.report_needs_assessment'
    _audit_model = 'cus.needs.assessment'


class IpusReport(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'cus_ipus.report_ipus'
    _audit_model = 'cus.ipus'


class ServiceCardReport(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'cus_ipus.report_service_card'
    _audit_model = 'cus.ipus'
