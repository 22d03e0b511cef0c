# This file is part of the CUS back office.
"""The Programme of Social Services of Starachowice (seed 000).

The goals and results are those of Schema 1 (digest §5.2), the lines those
of the Programme table "Cel szczegółowy 1" (digest §3.2): seniors get
services #1, 2, 3, 4, 5, 8, 10, 11, 12, 13, persons and families in crisis
#6, 7, 8, 9, 11, 12, 13. The seed gives no split of the financial plan by
service: the planned persons, quantities and prices below are demo values
chosen so that each group adds up exactly to the plan (digest §6.1):
seniors 1 087 960,00 zł, families in crisis and people leaving foster care
331 320,00 zł, 01.04.2021 – 30.04.2023.
"""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

NAME = "Program Usług Społecznych w Starachowicach na lata 2021–2023"
START_DATE = dt.date(2021, 4, 1)
END_DATE = dt.date(2023, 4, 30)
SENIORS_AMOUNT = Decimal('1087960.00')
CRISIS_AMOUNT = Decimal('331320.00')

MAIN_GOAL = "Wzrost jakości życia mieszkańców Starachowic."
GOALS = """\
1. Zwiększenie dostępu do usług społecznych dla różnych grup mieszkańców \
Starachowic.
2. Zapewnienie wysokiej jakości usług społecznych.
3. Rozwój współpracy międzysektorowej."""
RESULTS = """\
Cel operacyjny 1:
- Poszerzenie oferty usług społecznych.
- Zwiększenie wolumenu istniejących usług.
Cel operacyjny 2:
- Wprowadzenie minimalnych standardów świadczenia usług społecznych.
- Wdrożenie systemu monitoringu i ewaluacji usług społecznych.
Cel operacyjny 3:
- Zwiększenie udziału podmiotów ekonomii społecznej w realizacji usług \
społecznych.
- Utworzenie lokalnej sieci usługodawców."""
QUALIFICATION = """\
Z usług Programu mogą korzystać mieszkańcy Gminy Starachowice należący do \
grup docelowych Programu (seniorzy, osoby z niepełnosprawnościami, osoby \
i rodziny w kryzysie, osoby opuszczające pieczę zastępczą; animacje \
społeczności lokalnej – wszyscy mieszkańcy).
Usługi są dostępne na zasadzie powszechności: bez wywiadu środowiskowego \
i bez decyzji administracyjnej.
Wniosek składa osoba zainteresowana, jej przedstawiciel ustawowy lub \
opiekun faktyczny. Wnioskiem jest podpisana Indywidualna Diagnoza Potrzeb.
Koordynator sporządza Indywidualny Plan Usług Społecznych w terminie \
do 30 dni od złożenia wniosku, na okres nie dłuższy niż 1 rok. \
Kwalifikacja odbywa się w ramach dostępnych limitów usług."""
FEES = """\
Wszystkie usługi realizowane w ramach pilotażu i objęte wnioskiem \
o dofinansowanie są bezpłatne dla uczestników."""
DISCOUNTS = """\
Program nie przewiduje opłat za usługi, a więc nie przewiduje ulg \
w opłatach."""
DOCUMENTATION = """\
Spełnianie warunków kwalifikowania uczestnik potwierdza oświadczeniami \
dołączonymi do Indywidualnej Diagnozy Potrzeb (miejsce zamieszkania, \
przynależność do grupy docelowej). Orzeczenie o niepełnosprawności lub \
inne dokumenty przedstawia się do wglądu, gdy są potrzebne do \
zakwalifikowania do usługi."""
PERSONAL_DATA = """\
Imię i nazwisko, PESEL, data urodzenia, adres zamieszkania, numer \
telefonu; sytuacja rodzinna (liczba osób w rodzinie, stan cywilny); \
zawód i sytuacja na rynku pracy; korzystanie wcześniej z pomocy MOPS.
Dane szczególnych kategorii (art. 9 ust. 1 RODO): stan zdrowia \
i niepełnosprawność – w zakresie niezbędnym do doboru usługi.
Dane, o których mowa w art. 10 RODO, nie są przetwarzane."""

# (service key, planned persons, planned quantity, unit price)
SENIOR_LINES = [
    ('care', 40, 14000, '32.00'),
    ('handyman', 120, 800, '90.00'),
    ('taxi', 100, 1000, '60.00'),
    ('physio', 60, 1200, '120.00'),
    ('flats_seniors', 6, 96, '1500.00'),
    ('broker', 15, 150, '80.00'),
    ('health', 150, 150, '400.00'),
    ('culture', 200, 1200, '45.00'),
    ('sport', 150, 1500, '40.00'),
    ('animation', 300, 566, '60.00'),
    ]
CRISIS_LINES = [
    ('flats_crisis', 5, 72, '1500.00'),
    ('childcare', 12, 2400, '30.00'),
    ('broker', 30, 600, '80.00'),
    ('support_groups', 40, 119, '280.00'),
    ('culture', 60, 400, '45.00'),
    ('sport', 50, 400, '40.00'),
    ('animation', 100, 600, '60.00'),
    ]


def _total(lines):
    return sum(q * Decimal(p) for _, _, q, p in lines)


assert _total(SENIOR_LINES) == SENIORS_AMOUNT
assert _total(CRISIS_LINES) == CRISIS_AMOUNT


def create_programme(services, adopter=None):
    """Create the Starachowice programme, adopt it and set it running

    The workflow is run as the adopter (a res.user id, e.g. the director)
    when given. Return the programme."""
    pool = Pool()
    Programme = pool.get('cus.programme')
    ModelData = pool.get('ir.model.data')

    def group(name):
        return ModelData.get_id('cus_base', 'target_group_' + name)

    lines = []
    for group_name, rows in [
            ('seniors', SENIOR_LINES), ('families_crisis', CRISIS_LINES)]:
        for key, persons, quantity, price in rows:
            lines.append({
                    'sequence': len(lines) + 1,
                    'service': services[key].id,
                    'target_group': group(group_name),
                    'planned_persons': persons,
                    'planned_quantity': quantity,
                    'unit_price': Decimal(price),
                    })
    programme, = Programme.create([{
                'name': NAME,
                'resolution_number': "XXXIV/312/2021 (numer demonstracyjny)",
                'resolution_date': dt.date(2021, 3, 25),
                'start_date': START_DATE,
                'end_date': END_DATE,
                'main_goal': MAIN_GOAL,
                'goals': GOALS,
                'results': RESULTS,
                'target_groups': [('add', [
                            group('seniors'), group('families_crisis'),
                            group('foster_care_leavers')])],
                'predicted_persons': 600,
                'qualification_conditions': QUALIFICATION,
                'fee_rules': FEES,
                'discount_rules': DISCOUNTS,
                'documentation_rules': DOCUMENTATION,
                'personal_data': PERSONAL_DATA,
                'lines': [('create', lines)],
                }])
    with Transaction().set_user(adopter if adopter is not None
            else Transaction().user):
        Programme.adopt([programme])
        Programme.run([programme])
    return Programme(programme.id)
