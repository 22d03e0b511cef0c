# This file is part of the CUS back office.
"""The Polish printouts of cus_ipus: the needs diagnosis, the individual plan
laid out as annex 2 of the Starachowice model and the service card.

The texts are Polish in the templates; the helpers (those of
cus_base.format and the ones below) format the values the way Polish forms
write them (dates dd.mm.yyyy, "1 234,50 zł") and give the selection labels in
Polish where the Polish translation is loaded."""
import calendar

from cus_base.format import (  # noqa: F401 (NBSP for the tests)
    NBSP, format_date, format_money, format_number)
from cus_base.service import WEEKDAYS

from trytond.modules.company.company import CompanyReport
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

LANGUAGE = 'pl'
DOTS = '……………………'


def format_time(value):
    "A time as H:MM"
    return f'{value.hour}:{value.minute:02d}' if value else ''


def format_period(start, end):
    """A period of service as the annex writes it: "04-12.2021" for whole
    months of one year, otherwise "01.04.2021–15.12.2021"."""
    if not start or not end:
        return format_date(start or end)
    whole_months = (start.day == 1
        and end.day == calendar.monthrange(end.year, end.month)[1])
    if whole_months and start.year == end.year:
        if start.month == end.month:
            return f'{end.month:02d}.{end.year}'
        return f'{start.month:02d}-{end.month:02d}.{end.year}'
    if whole_months:
        return f'{start.month:02d}.{start.year}–{end.month:02d}.{end.year}'
    return f'{format_date(start)}–{format_date(end)}'


def text_lines(value):
    "The lines of a text, one paragraph each on the printout"
    if not value:
        return []
    return [l.strip() for l in value.splitlines() if l.strip()]


def one_line_address(party):
    "The party's first address on one line (skipping empty ones)"
    if not party:
        return ''
    addresses = [party.address_get()] + list(party.addresses)
    for address in filter(None, addresses):
        if text_lines(address.full_address):
            return ', '.join(text_lines(address.full_address))
    return ''


def selection_label(record, name):
    """The label of the value of a selection (or multiselection) field, in
    the language the record was read in"""
    if not record:
        return ''
    Model = record.__class__
    label = Model._fields[name].translated(name).__get__(record, Model)
    if isinstance(label, (list, tuple)):
        return ', '.join(label)
    return label or ''


def contact(party):
    "Phone and e-mail of a party on one line"
    if not party:
        return ''
    values = []
    if party.phone:
        values.append('tel. ' + party.phone)
    if party.email:
        values.append('e-mail: ' + party.email)
    return ', '.join(values)


def availability(service):
    """The days and hours a service is available, on one line; the days in
    the week's order, three or more in a row as a range"""
    parts = []
    if service.availability_days:
        Service = service.__class__
        field = Service._fields['availability_days']
        week = [day for day, _ in WEEKDAYS]
        days = sorted(service.availability_days, key=week.index)
        labels = dict(zip(
                service.availability_days,
                field.translated('availability_days').__get__(
                    service, Service)))
        indexes = [week.index(d) for d in days]
        if len(days) >= 3 and indexes == list(
                range(indexes[0], indexes[-1] + 1)):
            parts.append(f'{labels[days[0]]}–{labels[days[-1]]}')
        else:
            parts.append(', '.join(labels[d] for d in days))
    if service.availability_from or service.availability_to:
        parts.append('godz. %s–%s' % (
                format_time(service.availability_from),
                format_time(service.availability_to)))
    if service.availability_note:
        parts.append(service.availability_note)
    return ', '.join(parts)


class PolishReportMixin:
    "Adds the Polish formatting helpers to the report context"

    @classmethod
    def _get_records(cls, ids, model, data):
        records = super()._get_records(ids, model, data)
        pool = Pool()
        Lang = pool.get('ir.lang')
        # The documents are Polish: read the labels in Polish when the
        # language is there, whatever the user's interface language.
        if Lang.search([
                    ('code', '=', LANGUAGE),
                    ('translatable', '=', True),
                    ], limit=1):
            for record in records:
                record.set_lang(LANGUAGE)
        return records

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context.update({
                'date': format_date,
                'time': format_time,
                'period': format_period,
                'number': format_number,
                'money': format_money,
                'lines': text_lines,
                'address': one_line_address,
                'label': selection_label,
                'contact': contact,
                'dots': DOTS,
                })
        return context


class NeedsAssessmentReport(PolishReportMixin, Report):
    "Indywidualna Diagnoza Potrzeb"
    __name__ = 'cus_ipus.report_needs_assessment'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        company_id = Transaction().context.get('company')
        context['company'] = (
            Company(company_id) if company_id is not None and company_id >= 0
            else None)
        return context


class IpusReport(PolishReportMixin, CompanyReport):
    "Indywidualny Plan Usług Społecznych (annex 2)"
    __name__ = 'cus_ipus.report_ipus'


class ServiceCardReport(PolishReportMixin, CompanyReport):
    "Karta Usług"
    __name__ = 'cus_ipus.report_service_card'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['availability'] = availability
        return context

