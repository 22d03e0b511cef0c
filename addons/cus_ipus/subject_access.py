# This file is part of the CUS back office.
"""The sections of cus_ipus in the personal data export (art. 15 GDPR):
the person's applications, needs assessments, plans (every version) and
their services, deliveries, monitoring contacts, complaints, questionnaire
answers and enquiries; one search per model."""
from cus_base.subject_access import records_section

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def subject_access_sections(cls, party):
        pool = Pool()
        sections = super().subject_access_sections(party)

        def section(message, model, domain, names, order=None):
            Model = pool.get(model)
            sections.append(records_section(
                    gettext('cus_ipus.' + message), Model,
                    Model.search(domain, order=order), names))

        section('msg_subject_access_applications', 'cus.application',
            [('client', '=', party.id)], [
                'number', 'application_date', 'applicant_kind',
                'representative', 'channel', 'path', 'programme', 'state',
                'description', 'declaration_discount', 'discount_basis',
                'online_data', 'online_consent', 'online_consent_at',
                'refusal_reason', 'referred_to', 'referral_reason',
                'decision_date'])
        section('msg_subject_access_application_lines',
            'cus.application.line', [('application.client', '=', party.id)],
            ['application.number', 'service', 'quantity', 'start_date',
                'end_date', 'notes', 'state'])
        section('msg_subject_access_assessments', 'cus.needs.assessment',
            [('client', '=', party.id)], [
                'date', 'place', 'coordinator', 'name', 'pesel',
                'birth_date', 'address', 'phone', 'occupation',
                'employment_situation', 'marital_status', 'family_size',
                'disability_degree', 'disability', 'health', 'problems',
                'needs', 'readiness', 'readiness_notes', 'feasibility',
                'signed_date', 'state'])
        section('msg_subject_access_assessment_lines',
            'cus.needs.assessment.line',
            [('assessment.client', '=', party.id)],
            ['assessment.date', 'kind', 'service', 'description',
                'quantity', 'frequency'])
        section('msg_subject_access_plans', 'cus.ipus',
            [('client', '=', party.id)], [
                'number', 'version', 'state', 'coordinator', 'diagnosis_date',
                'drawn_up_date', 'valid_from', 'valid_to', 'needs',
                'expected_effects', 'check_frequency', 'check_notes',
                'approved_date', 'update_reason', 'update_date',
                'summary_date', 'course_and_results', 'outcome',
                'osl_directions'],
            order=[('number', 'ASC'), ('version', 'ASC')])
        section('msg_subject_access_plan_lines', 'cus.ipus.line',
            [('plan.client', '=', party.id)], [
                'plan.number', 'plan.version', 'service', 'provider',
                'start_date', 'end_date', 'quantity', 'schedule', 'scope',
                'place', 'state'])
        section('msg_subject_access_deliveries', 'cus.service.delivery',
            [('client', '=', party.id)], [
                'date', 'service', 'provider', 'quantity', 'duration',
                'notes', 'rejection_reason', 'state'],
            order=[('date', 'ASC'), ('id', 'ASC')])
        section('msg_subject_access_monitoring', 'cus.ipus.monitoring',
            [('plan.client', '=', party.id)], [
                'date', 'plan.number', 'kind', 'contact_with', 'provider',
                'findings', 'satisfaction', 'action', 'user'])
        section('msg_subject_access_complaints', 'cus.complaint',
            [('person', '=', party.id)], [
                'number', 'kind', 'received_date', 'subject', 'description',
                'service', 'provider', 'answer', 'answer_date', 'state'])
        section('msg_subject_access_surveys', 'cus.survey.answer',
            [('response.client', '=', party.id)], [
                'response.survey', 'response.sent_date',
                'response.answered_date', 'question', 'scale', 'choice',
                'text'])
        section('msg_subject_access_enquiries', 'cus.enquiry',
            [('client', '=', party.id)], [
                'date', 'channel', 'topic', 'person_name', 'services',
                'information', 'referred_to'])
        return sections
