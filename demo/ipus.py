# This file is part of the CUS back office.
"""The centre at work: enquiries, applications, plans, deliveries, monitoring.

The demo shows the CUS of Starachowice as it stood at the end of January
2023 (NOW), 22 months into its Programme of Social Services (01.04.2021 –
30.04.2023): about 25 enquiries, 60 applications on the three paths (some
refused, referred or still submitted), the needs assessments of the plan
path, 35 individual plans in every state (the sample plan of annex 2 of
seed 000 among them, and two plans updated to a second version), the
deliveries of the granted services and the coordinators' monitoring
contacts.

Everything goes through the workflow of cus_ipus (submit, qualify, refuse,
refer, sign, approve, run, update, close, cancel, confirm, reject), run as
the user of the role that does it in the centre: the coordinators for the
applications, assessments, deliveries and closing, the director or the
organiser for the approvals. The workflow stamps its decisions with the
real date; the demo then writes the date of the story (decision, signature,
approval, update) on the records, as the module's own tests do. All plan,
delivery and monitoring dates fall within the programme and up to NOW.

Deterministic: one random.Random(SEED) drives every choice. The load
scales down with the number of clients (a few are enough for the tests of
the logins), keeping the cases in the order of CASES.
"""
import datetime as dt
import math
import random
import re
from collections import defaultdict
from contextlib import contextmanager

from dateutil.relativedelta import relativedelta

from trytond.pool import Pool
from trytond.transaction import Transaction

from cus_ipus.ipus import max_quantity

from . import catalogue, programme

SEED = 2023
START = programme.START_DATE
END = programme.END_DATE
# The present of the demo: deliveries, contacts and decisions stop here.
NOW = dt.date(2023, 1, 31)
D = dt.date

# Days without contact after which a running plan is overdue (the default
# of cus.configuration: at least once a quarter).
MONITORING_INTERVAL = 92


def plural(n, one, few, many):
    "The Polish noun form for the number n"
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def gender(text, client):
    "The text for the client: [male form|female form] picks one"
    female = getattr(client, 'sex', None) == 'female'
    return re.sub(r'\[([^|\]]*)\|([^\]]*)\]',
        lambda m: m.group(2 if female else 1), text) if text else text


def workday(date):
    "The date, or the Monday after when it falls on a weekend"
    while date.weekday() >= 5:
        date += dt.timedelta(days=1)
    return date


def months_later(date, months):
    "The last day of a period of months starting on date"
    return date + relativedelta(months=months, days=-1)


# The sample plan of annex 2 (seed 000): scope and place as printed there.
ANNEX_SCOPES = {
    'care': "Pomoc w zaspokajaniu codziennych potrzeb życiowych. Opieka "
    "higieniczna.",
    'taxi': "Kurs z miejsca zamieszkania do miejsca docelowego oraz kurs "
    "z miejsca docelowego do miejsca zamieszkania w ciągu jednego dnia",
    'handyman': "Drobne naprawy, konserwacje – bez zakupu materiałów",
    }
ANNEX_PLACES = {
    'care': "Miejsce zamieszkania",
    'taxi': "Teren miasta Starachowice",
    'handyman': "Miejsce zamieszkania",
    }


def schedule(key, n):
    """The schedule fields of a plan line and the text printed on the plan

    n is the amount of the schedule: hours or visits a week, rides or
    sessions a month, visits a year."""
    if key == 'care':
        return {'per_week': n}, (
            f"{n} {plural(n, 'godzina', 'godziny', 'godzin')} tygodniowo")
    if key == 'taxi':
        return {'per_month': n, 'per_year': 6}, (
            f"{n} {plural(n, 'przejazd', 'przejazdy', 'przejazdów')} "
            "w miesiącu, max. 6 przejazdów w roku")
    if key == 'handyman':
        return {'per_year': n, 'unit_duration': 2}, (
            f"{n} {plural(n, 'usługa', 'usługi', 'usług')} w roku "
            "po max 2 godziny")
    if key == 'physio':
        return {'per_week': n}, (
            f"{n} {plural(n, 'wizyta', 'wizyty', 'wizyt')} w tygodniu")
    if key in {'flats_seniors', 'flats_crisis'}:
        return {'per_month': 1}, (
            "Pobyt całodobowy: 1 miejsce w mieszkaniu chronionym przez "
            "cały okres")
    if key == 'childcare':
        return {'per_week': n}, f"do {n} godzin tygodniowo"
    if key == 'broker':
        return {'per_month': n}, (
            f"{n} {plural(n, 'spotkanie', 'spotkania', 'spotkań')} "
            "z brokerem w miesiącu")
    if key == 'support_groups':
        return {'per_month': n}, (
            f"{n} {plural(n, 'spotkanie', 'spotkania', 'spotkań')} grupy "
            "w miesiącu (wtorek lub czwartek, 16:00–18:00)")
    if key == 'culture':
        return {'per_month': n}, (
            f"{n} {plural(n, 'wydarzenie', 'wydarzenia', 'wydarzeń')} "
            "kulturalne w miesiącu")
    if key == 'sport':
        return {'per_week': n}, (
            "zajęcia raz w tygodniu" if n == 1
            else f"zajęcia {n} razy w tygodniu")
    if key == 'health':
        return {'per_year': 1}, (
            "1 pakiet badań profilaktycznych i konsultacji")
    raise KeyError(key)


# Hours are delivered as one batch a week; other units one by one.
HOUR_SERVICES = {'care', 'childcare'}

# Lines of the bundles: (service, amount of the schedule, start in months
# after the plan start, months of the line or None for the whole plan)
SENIOR_BUNDLES = {
    'care6_taxi': [('care', 6, 0, None), ('taxi', 2, 0, None)],
    'care4_handyman': [('care', 4, 0, None), ('handyman', 4, 0, None)],
    'care6': [('care', 6, 0, None)],
    'care3_physio': [('care', 3, 0, None), ('physio', 1, 0, 3)],
    'taxi_handyman': [('taxi', 2, 0, None), ('handyman', 4, 0, None)],
    'care5_taxi_handyman': [
        ('care', 5, 0, None), ('taxi', 1, 0, None),
        ('handyman', 2, 0, None)],
    'flat_culture': [('flats_seniors', 1, 0, None), ('culture', 1, 1, None)],
    'handyman_sport_culture': [
        ('handyman', 4, 0, None), ('sport', 1, 0, None),
        ('culture', 1, 0, None)],
    'care6_physio_health': [
        ('care', 6, 0, None), ('physio', 2, 0, 2), ('health', 1, 0, 2)],
    }
CRISIS_BUNDLES = {
    'flat_broker_groups': [
        ('flats_crisis', 1, 0, None), ('broker', 2, 0, None),
        ('support_groups', 2, 0, None)],
    'childcare_broker': [('childcare', 10, 0, None), ('broker', 2, 0, None)],
    'groups_culture_sport': [
        ('support_groups', 2, 0, None), ('culture', 1, 0, None),
        ('sport', 1, 0, None)],
    'flat_childcare': [
        ('flats_crisis', 1, 0, None), ('childcare', 8, 1, None)],
    }
BUNDLES = {**SENIOR_BUNDLES, **CRISIS_BUNDLES}
# For want of a parent of a child under 3, the plan goes without childcare
TODDLER_FALLBACK = {
    'childcare_broker': 'flat_broker_groups',
    'flat_childcare': 'groups_culture_sport',
    }

NEEDS = {
    'care': "Pomoc w codziennych czynnościach (zakupy, przygotowanie "
    "posiłków, sprzątanie) i w higienie osobistej.",
    'taxi': "Dojazd do lekarzy specjalistów i na rehabilitację – brak "
    "możliwości samodzielnego korzystania z komunikacji miejskiej.",
    'handyman': "Drobne naprawy w mieszkaniu (cieknący kran, gniazdka, "
    "drzwi szafek, karnisze).",
    'physio': "Usprawnianie ruchowe w domu po okresie unieruchomienia.",
    'flats_seniors': "Bezpieczne miejsce zamieszkania ze wsparciem – "
    "samodzielne mieszkanie przestało być bezpieczne.",
    'culture': "Kontakt z innymi ludźmi, udział w życiu kulturalnym miasta.",
    'sport': "Aktywność ruchowa dostosowana do wieku i stanu zdrowia.",
    'health': "Badania profilaktyczne i konsultacje specjalistyczne.",
    'flats_crisis': "Bezpieczne schronienie i wsparcie "
    "w usamodzielnieniu.",
    'broker': "Znalezienie stałego zatrudnienia.",
    'support_groups': "Wsparcie psychologiczne i kontakt z osobami "
    "w podobnej sytuacji.",
    'childcare': "Opieka nad małym dzieckiem na czas szukania pracy, "
    "szkoleń i spraw urzędowych.",
    }
EFFECTS = {
    'senior': [
        "[Klient pozostaje|Klientka pozostaje] w swoim mieszkaniu "
        "i funkcjonuje bezpiecznie w dotychczasowym środowisku; regularnie "
        "dociera do lekarzy.",
        "Poprawa samodzielności w codziennych czynnościach, utrzymanie "
        "kontaktów społecznych, ograniczenie poczucia osamotnienia.",
        "[Klient bezpiecznie mieszka sam|Klientka bezpiecznie mieszka sama], "
        "ma zapewnioną pomoc w domu i kontakt z innymi ludźmi.",
        ],
    'family': [
        "Rodzina ma bezpieczne warunki mieszkaniowe, [klient podejmuje|"
        "klientka podejmuje] zatrudnienie i usamodzielnia się.",
        "Wzmocnienie kompetencji rodzicielskich i poczucia sprawczości, "
        "podjęcie pracy lub szkolenia zawodowego.",
        ],
    'leaver': [
        "Usamodzielnienie po opuszczeniu pieczy zastępczej: własne "
        "mieszkanie, stała praca, sieć wsparcia.",
        ],
    }
CHECK_NOTES = {
    'quarterly': "Kontakt telefoniczny z [klientem|klientką] co najmniej "
    "raz na kwartał, wizyta w miejscu zamieszkania co pół roku, rozmowa "
    "z realizatorem usługi; ankieta satysfakcji (skala 1–5).",
    'monthly': "Kontakt z [klientem|klientką] co miesiąc (telefon lub "
    "spotkanie w CUS), rozmowa z realizatorem; ankieta satysfakcji (skala "
    "1–5).",
    }
USED_SERVICES = {
    'senior': [
        "Opieka pielęgniarki środowiskowej (NFZ)",
        "Pomoc sąsiedzka – zakupy raz w tygodniu",
        "Zasiłek pielęgnacyjny",
        "Klub Seniora przy parafii",
        ],
    'crisis': [
        "Zasiłek okresowy z MOPS",
        "Świadczenie wychowawcze 500+",
        "Pomoc asystenta rodziny",
        "Rejestracja w Powiatowym Urzędzie Pracy",
        ],
    }
COURSES = {
    'achieved': "Usługi realizowano zgodnie z harmonogramem, bez "
    "dłuższych przerw. [Klient jest zadowolony|Klientka jest zadowolona] "
    "z realizatorów usług; w trakcie planu poprawiła się [jego|jej] "
    "samodzielność. Cele planu osiągnięte – dalsze wsparcie nie jest "
    "potrzebne.",
    'partly': "Usługi realizowano z przerwami (pobyt w szpitalu, "
    "choroba opiekunki). Część celów osiągnięto: [klient|klientka] "
    "bezpiecznie mieszka w domu, ale nadal potrzebuje dowozu do lekarzy. "
    "Zalecono złożenie nowego wniosku w razie potrzeby.",
    'not_achieved': "[Klient korzystał|Klientka korzystała] z usług "
    "nieregularnie, [odwoływał|odwoływała] spotkania. Nie udało się "
    "osiągnąć zaplanowanych zmian; przekazano informację o innych formach "
    "wsparcia.",
    'resigned': "[Klient zrezygnował|Klientka zrezygnowała] z usług po "
    "kilku miesiącach – pomoc w domu [zapewnia mu|zapewnia jej] córka, "
    "która wróciła do Starachowic. Rezygnacja złożona na piśmie.",
    'other': "[Klient przeprowadził|Klientka przeprowadziła] się do syna "
    "w Kielcach; plan zakończono przed terminem. Przekazano informację "
    "o usługach w miejscu nowego zamieszkania.",
    }

# Findings of the contacts: (kind, care only?, text)
FINDINGS = [
    ('phone', False, "Usługi realizowane zgodnie z harmonogramem; "
        "[klient zadowolony|klientka zadowolona]."),
    ('phone', False, "Bez zmian w sytuacji [klienta|klientki]; usługi "
        "realizowane zgodnie z harmonogramem."),
    ('phone', True, "[Klient zadowolony|Klientka zadowolona] z usług, "
        "opiekunka przychodzi punktualnie."),
    ('phone', True, "[Klient chwali|Klientka chwali] opiekunkę, prosi "
        "o zmianę godziny wizyt na wcześniejszą."),
    ('visit', False, "Wizyta w domu: mieszkanie zadbane, [klient|klientka] "
        "dobrze się czuje, plan realizowany."),
    ('visit', False, "Wizyta w domu: [klient samotny, chętnie "
        "skorzystałby|klientka samotna, chętnie skorzystałaby] z zajęć "
        "w Klubie Seniora."),
    ('visit', True, "Wizyta w domu: pogorszenie sprawności ruchowej, "
        "[klient|klientka] porusza się z balkonikiem; opiekunka pomaga "
        "przy kąpieli."),
    ('provider', False, "Realizator potwierdza realizację usług zgodnie "
        "z kartą usług."),
    ('provider', True, "Realizator zgłasza trudności z dostępem do "
        "[klienta|klientki] (nie otwiera drzwi) – ustalono kontakt "
        "telefoniczny przed wizytą."),
    ('quality', False, "Kontrola jakości: standard spełniony, karta usług "
        "wypełniona i podpisana."),
    ('quality', True, "Kontrola jakości: dwie wizyty rozpoczęte "
        "z opóźnieniem ponad 15 minut – odchylenie w granicach "
        "dopuszczalnych."),
    ('satisfaction', False, "Ankieta satysfakcji: [klient|klientka] ocenia "
        "usługi wysoko."),
    ('satisfaction', True, "Ankieta satysfakcji: [klient zadowolony|"
        "klientka zadowolona], zgłasza potrzebę dłuższych wizyt "
        "opiekunki."),
    ]
# Findings when the client is not satisfied (satisfaction 2 or 3)
COMPLAINTS = [
    (False, "[Klient skarży|Klientka skarży] się na częste zmiany terminów "
        "przez realizatora."),
    (True, "[Klient zgłasza|Klientka zgłasza], że opiekunka dwa razy "
        "spóźniła się o godzinę."),
    ]
ACTIONS = [
    None, None, None,
    "Następny kontakt za miesiąc.",
    "Zaproponowano udział w zajęciach Klubu Seniora (informacja dla OSL).",
    ]

# Rejected deliveries: (services or None for any, reason)
REJECTIONS = [
    (None, "Usługa nie została wykonana – [klient przebywał|klientka "
        "przebywała] w tym czasie w szpitalu (informacja od rodziny)."),
    (None, "Brak podpisu [klienta|klientki] na karcie usług; realizator "
        "nie potwierdził wykonania."),
    (None, "[Klient odwołał|Klientka odwołała] usługę dzień wcześniej – "
        "zgłoszenie realizatora niezgodne z ewidencją CUS."),
    ({'care', 'childcare'}, "Liczba godzin niezgodna z kartą czasu pracy "
        "opiekunki."),
    ({'care', 'handyman', 'physio'}, "Wizyta nie odbyła się – nikt nie "
        "otworzył drzwi, brak kontaktu telefonicznego."),
    ]
LATE_JUSTIFICATION = (
    "[Klient przebywał|Klientka przebywała] w szpitalu od 27.06 do "
    "25.07.2022 (udar); "
    "diagnozę potrzeb dokończono w domu po [jego|jej] powrocie, "
    "w porozumieniu "
    "z córką. Plan sporządzono niezwłocznie po zakończeniu diagnozy.")

# The plans: kind of client, final state, bundle, dates and the story.
# Ordered by importance: with few clients the first cases are kept.
CASES = [
    {
        'key': 'annex', 'group': 'senior', 'state': 'closed',
        'coordinator': 0, 'approver': 'dyrektor',
        'application': D(2021, 4, 1), 'channel': 'office',
        'drawn_up': D(2021, 4, 2), 'approved': D(2021, 4, 6),
        'valid': (D(2021, 4, 7), D(2021, 12, 31)),
        'lines': [
            ('care', 6, D(2021, 4, 7), D(2021, 12, 31)),
            ('taxi', 2, D(2021, 7, 1), D(2021, 12, 31)),
            ('handyman', 4, D(2021, 5, 4), D(2021, 12, 31)),
            ],
        'outcome': 'achieved', 'summary': D(2022, 1, 12),
        },
    {
        'key': 'update_care', 'group': 'senior', 'state': 'running',
        'coordinator': 1, 'approver': 'dyrektor', 'channel': 'home_visit',
        'application': D(2022, 3, 14), 'drawn_up': D(2022, 3, 28),
        'approved': D(2022, 3, 30),
        'valid': (D(2022, 4, 4), D(2023, 3, 31)),
        'lines': [('care', 4, D(2022, 4, 4), D(2023, 3, 31))],
        'update': {
            'date': D(2022, 10, 17), 'approved': D(2022, 10, 19),
            'approver': 'organizator',
            'reason': "Upadek w domu 3.10.2022 (złamanie nadgarstka): "
            "[klient potrzebuje|klientka potrzebuje] 6 godzin opieki "
            "tygodniowo zamiast 4 "
            "i dowozu na rehabilitację do przychodni.",
            'change': {'care': 6},
            'add': [('taxi', 2, D(2022, 10, 24), D(2023, 3, 31))],
            },
        },
    {
        'key': 'update_senior', 'group': 'senior', 'state': 'running',
        'coordinator': 2, 'approver': 'organizator', 'channel': 'office',
        'application': D(2022, 4, 19), 'drawn_up': D(2022, 5, 4),
        'approved': D(2022, 5, 6),
        'valid': (D(2022, 5, 9), D(2023, 4, 30)),
        'lines': [
            ('taxi', 1, D(2022, 5, 9), D(2023, 4, 30)),
            ('handyman', 2, D(2022, 5, 9), D(2023, 4, 30)),
            ],
        'update': {
            'date': D(2022, 11, 14), 'approved': D(2022, 11, 16),
            'approver': 'dyrektor',
            'reason': "Po pobycie w szpitalu (zapalenie płuc, 10.2022) "
            "[klient potrzebuje|klientka potrzebuje] pomocy w codziennych "
            "czynnościach "
            "i częstszych dojazdów do lekarzy specjalistów.",
            'change': {'taxi': 2},
            'add': [('care', 3, D(2022, 11, 21), D(2023, 4, 30))],
            },
        },
    {
        'key': 'late', 'group': 'senior', 'state': 'running',
        'bundle': 'care6_taxi', 'coordinator': 0, 'approver': 'dyrektor',
        'channel': 'office', 'application': D(2022, 6, 20),
        'drawn_up': D(2022, 8, 1), 'approved': D(2022, 8, 3),
        'valid': (D(2022, 8, 8), END),
        'late': LATE_JUSTIFICATION,
        },
    {
        'key': 'cancel_approved', 'group': 'senior', 'state': 'cancelled',
        'bundle': 'care4_handyman', 'coordinator': 1,
        'approver': 'organizator', 'application': D(2022, 8, 22),
        'drawn_up': D(2022, 9, 5), 'approved': D(2022, 9, 7),
        'valid': (D(2022, 9, 19), END),
        },
    {
        'key': 'cancel_draft', 'group': 'senior', 'state': 'cancelled',
        'bundle': 'care3_physio', 'coordinator': 2,
        'application': D(2022, 5, 10), 'drawn_up': D(2022, 5, 27),
        'valid': (D(2022, 6, 6), D(2023, 3, 5)),
        },
    {
        'key': 'approved_1', 'group': 'senior', 'state': 'approved',
        'bundle': 'care6', 'coordinator': 0, 'approver': 'organizator',
        'application': D(2023, 1, 3), 'drawn_up': D(2023, 1, 20),
        'approved': D(2023, 1, 25), 'valid': (D(2023, 2, 1), END),
        },
    {
        'key': 'approved_2', 'group': 'crisis', 'state': 'approved',
        'bundle': 'childcare_broker', 'coordinator': 1,
        'approver': 'dyrektor', 'application': D(2023, 1, 5),
        'drawn_up': D(2023, 1, 23), 'approved': D(2023, 1, 27),
        'valid': (D(2023, 2, 6), END),
        },
    {
        'key': 'draft_1', 'group': 'senior', 'state': 'draft',
        'bundle': 'care4_handyman', 'coordinator': 2,
        'application': D(2023, 1, 9), 'drawn_up': D(2023, 1, 26),
        'valid': (D(2023, 2, 13), END),
        },
    {
        'key': 'draft_2', 'group': 'senior', 'state': 'draft',
        'bundle': 'taxi_handyman', 'coordinator': 0,
        'application': D(2023, 1, 11), 'drawn_up': D(2023, 1, 30),
        'valid': (D(2023, 2, 20), END),
        },
    {
        'key': 'draft_3', 'group': 'crisis', 'state': 'draft',
        'bundle': 'groups_culture_sport', 'coordinator': 1,
        'application': D(2023, 1, 13), 'drawn_up': D(2023, 1, 27),
        'valid': (D(2023, 2, 13), END),
        },
    ]
# Closed plans: (group, bundle, valid from, months, outcome)
CLOSED = [
    ('senior', 'care5_taxi_handyman', D(2021, 5, 10), 9, 'partly'),
    ('senior', 'care4_handyman', D(2021, 6, 14), 6, 'achieved'),
    ('crisis', 'flat_broker_groups', D(2021, 8, 2), 12, 'achieved'),
    ('senior', 'care6_physio_health', D(2021, 9, 13), 9, 'resigned'),
    ('senior', 'care6_taxi', D(2021, 10, 18), 12, 'other'),
    ('crisis', 'groups_culture_sport', D(2021, 11, 15), 6, 'not_achieved'),
    ('senior', 'taxi_handyman', D(2022, 1, 10), 12, 'achieved'),
    ]
# Running plans: (group, bundle, valid from, months, overdue monitoring)
RUNNING = [
    ('senior', 'care6_taxi', D(2022, 2, 7), 12, False),
    ('senior', 'care4_handyman', D(2022, 3, 7), 12, True),
    ('crisis', 'flat_broker_groups', D(2022, 3, 21), 12, False),
    ('senior', 'flat_culture', D(2022, 4, 11), 12, False),
    ('senior', 'care6', D(2022, 5, 16), 12, True),
    ('senior', 'handyman_sport_culture', D(2022, 6, 13), 12, False),
    ('crisis', 'childcare_broker', D(2022, 6, 27), 9, True),
    ('senior', 'care3_physio', D(2022, 7, 18), 9, False),
    ('senior', 'care6_physio_health', D(2022, 8, 22), 9, False),
    ('crisis', 'flat_childcare', D(2022, 9, 12), 9, False),
    ('senior', 'care5_taxi_handyman', D(2022, 10, 10), 6, False),
    ('senior', 'care6_taxi', D(2022, 11, 7), 6, False),
    ('crisis', 'groups_culture_sport', D(2022, 11, 28), 5, False),
    ('senior', 'taxi_handyman', D(2022, 12, 12), 6, False),
    ('senior', 'care4_handyman', D(2023, 1, 9), 4, False),
    ]

# Applications without a plan: (path, group, state, date, [(service,
# quantity, start offset in days, days or None)], text)
OTHER_APPLICATIONS = [
    # One-off services
    ('one_off', 'senior', 'qualified', D(2021, 6, 8),
        [('equipment', 1, 3, None, "Łóżko rehabilitacyjne z materacem "
                "przeciwodleżynowym")], None),
    ('one_off', 'senior', 'qualified', D(2021, 9, 20),
        [('health', 1, 7, 60, None)], None),
    ('one_off', 'senior', 'qualified', D(2021, 12, 6),
        [('equipment', 1, 2, None, "Balkonik (chodzik) czterokołowy")],
        None),
    ('one_off', 'senior', 'qualified', D(2022, 3, 2),
        [('culture', 2, 10, 30, "Koncert z okazji Dnia Kobiet")], None),
    ('one_off', 'senior', 'qualified', D(2022, 6, 15),
        [('equipment', 1, 3, None, "Wózek inwalidzki")], None),
    ('one_off', 'senior', 'qualified', D(2022, 9, 5),
        [('health', 1, 7, 60, None)], None),
    ('one_off', 'senior', 'qualified', D(2022, 12, 12),
        [('equipment', 1, 2, None, "Koncentrator tlenu")], None),
    ('one_off', 'crisis', 'refused', D(2022, 4, 11),
        [('health', 1, 7, 60, None)],
        "Pakiet programów zdrowotnych jest w Programie przeznaczony dla "
        "seniorów i osób z niepełnosprawnościami; [wnioskodawca|"
        "wnioskodawczyni] nie "
        "należy do tych grup. Poinformowano o programach profilaktycznych "
        "NFZ."),
    ('one_off', 'senior', 'referred', D(2022, 7, 4),
        [('equipment', 1, 3, None, "Zakup wózka inwalidzkiego na "
                "własność")],
        ("Powiatowe Centrum Pomocy Rodzinie w Starachowicach",
            "[Wnioskodawca chce|Wnioskodawczyni chce] kupić wózek na "
            "własność: dofinansowanie "
            "zakupu przedmiotów ortopedycznych ze środków PFRON prowadzi "
            "PCPR. Do czasu decyzji możliwe wypożyczenie wózka w CUS.")),
    ('one_off', 'senior', 'submitted', D(2023, 1, 27),
        [('equipment', 1, 3, None, "Balkonik (chodzik)")], None),
    # Short path (up to 3 months)
    ('short', 'senior', 'qualified', D(2021, 7, 12),
        [('physio', 10, 7, 70, None)], None),
    ('short', 'crisis', 'qualified', D(2021, 10, 4),
        [('childcare', 40, 7, 60, "Na czas rozmów kwalifikacyjnych "
                "i kursu zawodowego")], None),
    ('short', 'senior', 'qualified', D(2022, 2, 14),
        [('physio', 16, 7, 60, None)], None),
    ('short', 'crisis', 'qualified', D(2022, 5, 23),
        [('broker', 6, 7, 85, None)], None),
    ('short', 'crisis', 'qualified', D(2022, 9, 19),
        [('support_groups', 6, 7, 85, None)], None),
    ('short', 'senior', 'qualified', D(2022, 10, 3),
        [('sport', 10, 7, 75, "Zajęcia na basenie MOSiR")], None),
    ('short', 'senior', 'qualified', D(2022, 11, 21),
        [('physio', 8, 7, 60, None)], None),
    ('short', 'senior', 'refused', D(2022, 1, 17),
        [('care', 72, 7, 85, None)],
        "[Klient korzysta|Klientka korzysta] z usług opiekuńczych "
        "przyznanych decyzją "
        "MOPS w tym samym zakresie i wymiarze; Program nie finansuje "
        "drugi raz tej samej usługi."),
    ('short', 'crisis', 'referred', D(2022, 8, 8),
        [('broker', 4, 7, 60, None)],
        ("Powiatowy Urząd Pracy w Starachowicach",
            "[Wnioskodawca szuka|Wnioskodawczyni szuka] finansowanego kursu "
            "zawodowego (operator "
            "wózka widłowego) – to oferta PUP, nie usługa Programu.")),
    ('short', 'senior', 'submitted', D(2023, 1, 26),
        [('physio', 8, 7, 60, None)], None),
    # Plan path, without a plan
    ('ipus', 'senior', 'refused', D(2021, 11, 22),
        [('care', 6, 14, 180, None)],
        "[Wnioskodawca oczekuje|Wnioskodawczyni oczekuje] opieki "
        "całodobowej; Program zapewnia usługi opiekuńcze do 6 godzin "
        "tygodniowo, a [wnioskodawca|wnioskodawczyni] "
        "nie zgadza się na taki wymiar. Poinformowano o możliwości "
        "ubiegania się o miejsce w domu pomocy społecznej."),
    ('ipus', 'crisis', 'refused', D(2022, 10, 24),
        [('flats_crisis', 1, 14, 180, None)],
        "[Wnioskodawca nie złożył|Wnioskodawczyni nie złożyła] oświadczenia "
        "o zamieszkiwaniu na terenie "
        "Gminy Starachowice (warunek Programu) mimo dwukrotnego wezwania."),
    ('ipus', 'senior', 'referred', D(2022, 2, 21),
        [('care', 6, 14, 180, None)],
        ("Dział Pomocy Społecznej CUS – umieszczenie w DPS",
            "Stan zdrowia wymaga opieki całodobowej; skierowanie do domu "
            "pomocy społecznej wymaga decyzji administracyjnej po "
            "wywiadzie środowiskowym.")),
    ('ipus', 'crisis', 'referred', D(2022, 7, 11),
        [('support_groups', 2, 14, 180, None)],
        ("Zespół Interdyscyplinarny ds. Przeciwdziałania Przemocy "
            "w Rodzinie",
            "W czasie diagnozy ujawniono przemoc domową; wszczęto "
            "procedurę „Niebieskiej Karty”. Plan usług zostanie "
            "opracowany po ustabilizowaniu sytuacji rodziny.")),
    ('ipus', 'senior', 'submitted', D(2023, 1, 18),
        [('care', 6, 21, 180, None), ('taxi', 2, 21, 180, None)], None),
    ('ipus', 'senior', 'submitted', D(2023, 1, 24),
        [('handyman', 4, 21, 180, None)], None),
    ('ipus', 'crisis', 'submitted', D(2023, 1, 27),
        [('broker', 2, 21, 180, None), ('support_groups', 2, 21, 180, None)],
        None),
    ]
REQUESTS = {
    'senior': [
        "Proszę o pomoc w domu – [sam|sama] nie daję rady z zakupami "
        "i sprzątaniem, mam problem z dojazdem do lekarza.",
        "Potrzebuję pomocy przy codziennych czynnościach i przy drobnych "
        "naprawach w mieszkaniu.",
        "Po wyjściu ze szpitala nie mogę [sam|sama] wychodzić z domu.",
        ],
    'crisis': [
        "Szukam pracy i potrzebuję opieki nad dzieckiem na ten czas.",
        "Po odejściu od partnera potrzebuję bezpiecznego mieszkania "
        "i wsparcia.",
        "[Opuściłem|Opuściłam] rodzinę zastępczą, nie mam mieszkania ani "
        "pracy.",
        ],
    }

# Enquiries: (channel, topic, services, information, referred to)
ENQUIRIES = [
    ('phone', 'catalogue', ['care'], "Zasady przyznawania usług "
        "opiekuńczych w Programie; usługi są bezpłatne.", None),
    ('phone', 'procedure', ['taxi'], "Jak złożyć wniosek o taksówkę dla "
        "seniora; limit 2 przejazdy w miesiącu, 6 w roku.", None),
    ('phone', 'fees', [], "Usługi w ramach pilotażu są bezpłatne.", None),
    ('phone', 'other_body', [], "Sprawa dodatku mieszkaniowego – "
        "właściwy jest urząd miasta.", "Urząd Miejski w Starachowicach"),
    ('information_point', 'catalogue', ['handyman', 'taxi'],
        "Katalog usług dla seniorów, ulotka Programu.", None),
    ('information_point', 'procedure', ['care'], "Wydano formularz "
        "Indywidualnej Diagnozy Potrzeb; termin sporządzenia planu do 30 "
        "dni.", None),
    ('phone', 'catalogue', ['childcare'], "Opieka nad dziećmi do lat 3 "
        "(ul. Radomska 2), zapisy z jednodniowym wyprzedzeniem.", None),
    ('information_point', 'other_body', [], "Orzeczenie o stopniu "
        "niepełnosprawności wydaje powiatowy zespół.",
        "Powiatowy Zespół do Spraw Orzekania o Niepełnosprawności"),
    ('phone', 'case', ['care'], "Informacja o stanie sprawy – plan w "
        "przygotowaniu.", None),
    ('information_point', 'catalogue', ['sport', 'culture'],
        "Zajęcia MOSiR i wydarzenia SCK dla seniorów.", None),
    ('phone', 'catalogue', ['flats_crisis'], "Mieszkanie chronione dla "
        "osób w kryzysie – przyjęcie w ciągu 24 godzin w sytuacji "
        "zagrożenia.", None),
    ('information_point', 'other', [], "Pytanie o wolontariat na rzecz "
        "seniorów – przekazano kontakt do Klubu Wolontariusza.", None),
    ('phone', 'other_body', [], "Zasiłek celowy na leki – świadczenie "
        "pomocy społecznej.", "Dział Pomocy Społecznej CUS"),
    ('information_point', 'catalogue', ['physio'], "Mobilny "
        "fizjoterapeuta: wizyty w domu, ścieżka krótka do 3 miesięcy.",
        None),
    ('phone', 'catalogue', ['broker'], "Broker pracy – spotkania "
        "indywidualne po umówieniu terminu.", None),
    ]
PERSONS = [
    "Pani dzwoniąca w sprawie matki", "Sąsiadka seniora",
    "Córka klientki", "Mieszkaniec os. Łazy", "Pan Kazimierz (anonimowo)",
    "Mieszkanka ul. Radomskiej", "Syn seniora", "Osoba anonimowa",
    ]


class Demo:
    "Builds the activity of the centre; see the module docstring"

    def __init__(self, company, logins, providers, services, clients,
            seed=SEED):
        pool = Pool()
        self.rng = random.Random(seed)
        self.company = company
        self.services = services
        self.users = {l.login: l.user for l in logins}
        self.coordinators = [
            self.users[l] for l in ['koordynator', 'koordynator2',
                'koordynator3'] if l in self.users]
        self.provider = {}
        for data in catalogue.SERVICES:
            keys = [k for k in data.get('providers', []) if k != 'cus']
            self.provider[data['key']] = (
                providers[keys[0]] if keys else None)
        self.programme_id = None
        Programme = pool.get('cus.programme')
        programmes = Programme.search([('state', '=', 'running')], limit=1)
        if programmes:
            self.programme_id = programmes[0].id
        self._pick_clients(clients)
        # Delivered units of the yearly quotas: (client, service, year)
        self.yearly = defaultdict(float)
        self.deliveries = []
        self.monitorings = []

    # Clients

    def _pick_clients(self, clients):
        pool = Pool()
        Relation = pool.get('party.relation')
        ModelData = pool.get('ir.model.data')
        seniors, crisis, toddler_parents = [], [], set()
        self.leavers = set()
        for client in sorted(clients, key=lambda c: c.id):
            codes = {g.code for g in client.priority_groups}
            if 'foster_care_leavers' in codes:
                self.leavers.add(client.id)
            if 'seniors' in codes and client.birth_date.year <= 1956:
                seniors.append(client)
            elif (('families_crisis' in codes and client.birth_date.year
                        < 2004) or 'foster_care_leavers' in codes):
                crisis.append(client)
        parent_type = ModelData.get_id('cus_base', 'relation_type_parent')
        spouse_type = ModelData.get_id('cus_base', 'relation_type_spouse')
        ids = [c.id for c in crisis]
        for relation in Relation.search([
                    ('from_', 'in', ids), ('type', '=', parent_type)]):
            if relation.to.birth_date >= D(2019, 6, 1):
                toddler_parents.add(relation.from_.id)
        self.spouse = {}
        for relation in Relation.search([
                    ('from_', 'in', [c.id for c in seniors]),
                    ('type', '=', spouse_type)]):
            self.spouse[relation.from_.id] = relation.to
        self.rng.shuffle(seniors)
        self.rng.shuffle(crisis)
        self.free = {'senior': seniors, 'crisis': crisis}
        self.toddler_parents = toddler_parents
        self.all = {'senior': list(seniors), 'crisis': list(crisis)}
        self.cycle = {'senior': 0, 'crisis': 0}

    def take_client(self, group, toddler=False):
        "A client without a plan yet, or None when there is none left"
        pool = self.free[group]
        for i, client in enumerate(pool):
            if not toddler or client.id in self.toddler_parents:
                return pool.pop(i)
        return None

    def any_client(self, group, toddler=False):
        "A client of the group, plans or not (round robin)"
        clients = self.all[group]
        if toddler:
            clients = [c for c in clients
                if c.id in self.toddler_parents] or clients
        if not clients:
            return None
        client = clients[self.cycle[group] % len(clients)]
        self.cycle[group] += 1
        return client

    # Helpers

    @contextmanager
    def as_user(self, login_or_user, date=None):
        "Run as the user; date is the date the sequences number with"
        user = (self.users.get(login_or_user)
            if isinstance(login_or_user, str) else login_or_user)
        context = {'date': date} if date else {}
        with Transaction().set_user(user.id if user else 0), \
                Transaction().set_context(**context):
            yield

    def coordinator(self, index):
        if not self.coordinators:
            return None
        return self.coordinators[index % len(self.coordinators)]

    def employee(self, user):
        return user.employee if user else None

    def _groups(self, items, key):
        "Consecutive runs of items with the same key, in order"
        runs = []
        for item in items:
            k = key(item)
            if runs and runs[-1][0] == k:
                runs[-1][1].append(item)
            else:
                runs.append((k, [item]))
        return runs

    # Applications

    def plan_cases(self):
        "Expand CASES, CLOSED and RUNNING with clients and dates"
        rng = self.rng
        cases = [dict(c) for c in CASES]
        for i, (group, bundle, start, months, outcome) in enumerate(CLOSED):
            end = months_later(start, months)
            stop = end
            if outcome in {'resigned', 'other'}:
                stop = start + dt.timedelta(days=rng.randint(90, 150))
            cases.append({
                    'key': f'closed_{i}', 'group': group, 'state': 'closed',
                    'bundle': bundle, 'valid': (start, end),
                    'outcome': outcome, 'stop': stop,
                    'summary': workday(stop + dt.timedelta(
                            days=rng.randint(3, 12))),
                    })
        for i, (group, bundle, start, months, overdue) in enumerate(
                RUNNING):
            end = min(months_later(start, months), END)
            cases.append({
                    'key': f'running_{i}', 'group': group,
                    'state': 'running', 'bundle': bundle,
                    'valid': (start, end), 'overdue': overdue,
                    })
        kept = []
        for case in cases:
            toddler = 'childcare' in {
                l[0] for l in BUNDLES.get(case.get('bundle'), [])}
            client = self.take_client(case['group'], toddler)
            if client is None and toddler:
                # No parent of a small child left: a plan without childcare
                case['bundle'] = TODDLER_FALLBACK[case['bundle']]
                client = self.take_client(case['group'])
            if client is None:
                continue
            case['client'] = client
            kept.append(case)
        cases = kept
        for i, case in enumerate(cases):
            start, end = case['valid']
            case.setdefault('coordinator', i % 3)
            case.setdefault('approver', rng.choice(
                    ['organizator', 'organizator', 'dyrektor']))
            case.setdefault('channel', rng.choice(
                    ['office', 'office', 'office', 'home_visit', 'post']))
            if 'approved' not in case:
                case['approved'] = workday(
                    start - dt.timedelta(days=rng.randint(3, 7)))
            if 'drawn_up' not in case:
                case['drawn_up'] = workday(
                    case['approved'] - dt.timedelta(days=rng.randint(2, 5)))
                case['drawn_up'] = min(case['drawn_up'], case['approved'])
            if 'application' not in case:
                case['application'] = workday(
                    case['drawn_up'] - dt.timedelta(days=rng.randint(8, 26)))
            if 'lines' not in case:
                lines = []
                for key, amount, offset, months in BUNDLES[case['bundle']]:
                    line_start = start + relativedelta(months=offset)
                    line_end = (min(months_later(line_start, months), end)
                        if months else end)
                    lines.append((key, amount, line_start, line_end))
                case['lines'] = lines
            case['amounts'] = [(l[0], l[1]) for l in case['lines']]
        return cases

    def create_applications(self, cases):
        """Create, submit and decide the applications; sign the needs
        assessments. Return the applications of the plan cases and the
        others as [(application, spec)]."""
        pool = Pool()
        Application = pool.get('cus.application')
        rng = self.rng
        values, specs = [], []
        for case in cases:
            client = case['client']
            lines = []
            for key, amount, start, end in case['lines']:
                fields_, _ = schedule(key, amount)
                lines.append({
                        'service': self.services[key].id,
                        'quantity': max_quantity(start, end, **{
                                k: v for k, v in fields_.items()
                                if k.startswith('per_')}),
                        'start_date': start,
                        'end_date': end,
                        })
            values.append(self._application_values(
                    client, 'ipus', case['application'], case['channel'],
                    case['group'], lines))
            specs.append(('plan', case))
        for path, group, state, date, lines, text in OTHER_APPLICATIONS:
            client = self.any_client(
                group, toddler=any(l[0] == 'childcare' for l in lines))
            if client is None:
                continue
            app_lines = []
            for key, quantity, offset, days, notes in lines:
                start = date + dt.timedelta(days=offset)
                # Requests end with the programme at the latest
                end = (min(start + dt.timedelta(days=days - 1), END)
                    if days else None)
                if path == 'ipus':
                    fields_, _ = schedule(key, quantity)
                    quantity = max_quantity(start, end, **{
                            k: v for k, v in fields_.items()
                            if k.startswith('per_')})
                app_lines.append({
                        'service': self.services[key].id,
                        'quantity': quantity,
                        'start_date': start,
                        'end_date': end,
                        'notes': notes,
                        })
            value = self._application_values(
                client, path, date, rng.choice(['office', 'office', 'phone',
                        'online', 'home_visit']), group, app_lines)
            if state == 'refused':
                value['refusal_reason'] = gender(text, client)
            elif state == 'referred':
                value['referred_to'] = text[0]
                value['referral_reason'] = gender(text[1], client)
            specs.append(('other', {
                        'path': path, 'state': state, 'date': date,
                        'client': client, 'group': group,
                        'amounts': [(l[0], l[1]) for l in lines]}))
            values.append(value)
        # Filed in the order they arrived
        order = sorted(range(len(values)),
            key=lambda i: values[i]['application_date'])
        values = [values[i] for i in order]
        specs = [specs[i] for i in order]
        applications = Application.create(values)
        for application, (_, spec) in zip(applications, specs):
            spec['application'] = application
            spec.setdefault('coordinator', rng.randrange(3))

        # Submission: numbered in the year of the application
        for year, group in self._groups(
                applications, lambda a: a.application_date.year):
            with self.as_user(self.coordinator(0), D(year, 6, 30)):
                Application.submit(fresh(group))

        self.create_assessments(specs)

        # Decisions by the coordinators, in the order of the applications
        decided = []
        for state, method in [('refused', Application.refuse),
                ('referred', Application.refer)]:
            chosen = [s for k, s in specs
                if k == 'other' and s['state'] == state]
            for user, group in self._groups(chosen,
                    lambda s: self.coordinator(s['coordinator'])):
                with self.as_user(user):
                    method(fresh([s['application'] for s in group]))
            decided.extend(chosen)
        to_qualify = [s for k, s in specs
            if k == 'plan' or s['state'] == 'qualified']
        for user, group in self._groups(to_qualify,
                lambda s: self.coordinator(s['coordinator'])):
            with self.as_user(user):
                Application.qualify(
                    fresh([s['application'] for s in group]))
        decided.extend(to_qualify)
        to_write = []
        for spec in decided:
            application = spec['application']
            date = workday(application.application_date
                + dt.timedelta(days=rng.randint(1, 4)))
            if 'drawn_up' in spec:
                date = min(date, spec['drawn_up'])
            spec['decision'] = date
            to_write.extend([[application], {'decision_date': date}])
        if to_write:
            Application.write(*to_write)
        return ([s for k, s in specs if k == 'plan'],
            [s for k, s in specs if k == 'other'])

    def _application_values(self, client, path, date, channel, group,
            lines):
        rng = self.rng
        value = {
            'client': client.id,
            'application_date': date,
            'channel': channel,
            'path': path,
            'programme': self.programme_id,
            'description': gender(rng.choice(REQUESTS[group]), client),
            'declaration_conditions': True,
            'applicant_kind': 'person',
            'lines': [('create', lines)],
            }
        spouse = self.spouse.get(client.id)
        if spouse and rng.random() < 0.3:
            value['applicant_kind'] = 'carer'
            value['representative'] = spouse.id
        return value

    def create_assessments(self, specs):
        "The needs assessments of the plan path, signed but for one"
        pool = Pool()
        Assessment = pool.get('cus.needs.assessment')
        Line = pool.get('cus.needs.assessment.line')
        rng = self.rng
        assessments, signers = [], []
        for kind, spec in specs:
            application = spec['application']
            if application.path != 'ipus':
                continue
            coordinator = self.coordinator(spec['coordinator'])
            assessment = Assessment(
                application=application, client=application.client,
                coordinator=self.employee(coordinator),
                date=application.application_date,
                place='home' if application.channel == 'home_visit'
                else 'office')
            assessment.on_change_client()
            group = spec.get('group', 'senior')
            amounts = dict(spec['amounts'])
            needs = [NEEDS[k] for k in amounts if k in NEEDS]
            assessment.needs = '\n'.join(needs)
            assessment.readiness = rng.choice(
                ['ready', 'ready', 'acting', 'considering'])
            assessment.feasibility = (
                "Usługi są dostępne w Programie i odpowiadają potrzebom; "
                "realizacja możliwa w ramach limitów.")
            assessment.fee_information_given = True
            lines = [Line(kind='used',
                    description=rng.choice(USED_SERVICES[group]))]
            for app_line in application.lines:
                key = self._key(app_line.service)
                text = schedule(key, amounts[key])[1]
                lines.append(Line(
                        kind='wanted', service=app_line.service,
                        unit=app_line.service.unit,
                        quantity=app_line.quantity, frequency=text))
            assessment.lines = lines
            assessments.append(assessment)
            signers.append(coordinator)
        Assessment.save(assessments)
        # One submitted application waits for the end of its diagnosis
        to_sign = []
        pending = True
        for assessment, user in zip(assessments, signers):
            if (pending and assessment.application.state == 'submitted'
                    and assessment.date >= D(2023, 1, 20)):
                pending = False
                continue
            to_sign.append((assessment, user))
        for user, group in self._groups(to_sign, lambda a: a[1]):
            with self.as_user(user):
                Assessment.sign(fresh([a for a, _ in group]))
        to_write = []
        for assessment, _ in to_sign:
            to_write.extend([[assessment], {'signed_date': assessment.date}])
        if to_write:
            Assessment.write(*to_write)

    # Plans

    def create_plans(self, cases):
        "Draft the plans from their applications as the new_plan button"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Application = pool.get('cus.application')
        rng = self.rng
        plans = []
        for case in cases:
            application = Application(case['application'].id)
            coordinator = self.coordinator(case['coordinator'])
            with self.as_user(coordinator):
                plan = Ipus.from_application(application)
            start, end = case['valid']
            plan.coordinator = self.employee(coordinator)
            plan.drawn_up_date = case['drawn_up']
            plan.valid_from, plan.valid_to = start, end
            client = case['client']
            effects = case['group']
            if effects == 'crisis':
                effects = ('leaver' if client.id in self.leavers
                    else 'family')
            plan.expected_effects = gender(
                rng.choice(EFFECTS[effects]), client)
            plan.check_frequency = (
                'monthly' if case['group'] == 'crisis' else 'quarterly')
            plan.check_notes = gender(
                CHECK_NOTES[plan.check_frequency], client)
            if case.get('late'):
                plan.late_justification = gender(case['late'], client)
            if case['group'] == 'senior' and rng.random() < 0.3:
                plan.osl_directions = gender(
                    "Zaprosić [klienta|klientkę] na spotkania Klubu Seniora "
                    "na [jego|jej] osiedlu; informować o wydarzeniach "
                    "sąsiedzkich.", client)
            for line, (key, amount, line_start, line_end) in zip(
                    plan.lines, case['lines']):
                self._set_line(line, key, amount, line_start, line_end,
                    annex=case['key'] == 'annex')
            plans.append(plan)
            case['plan'] = plan
        Ipus.save(plans)
        return plans

    def _set_line(self, line, key, amount, start, end, annex=False):
        fields_, text = schedule(key, amount)
        line.start_date, line.end_date = start, end
        for name in ['per_week', 'per_month', 'per_year', 'unit_duration']:
            setattr(line, name, fields_.get(name))
        line.quantity = max_quantity(start, end, **{
                k: v for k, v in fields_.items() if k.startswith('per_')})
        line.schedule = text
        line.provider = self.provider.get(key)
        service = self.services[key]
        if annex:
            line.scope = ANNEX_SCOPES[key]
            line.place = ANNEX_PLACES[key]
        else:
            line.scope = service.description
            line.place = service.place

    def approve(self, cases, date_key='approved', approver_key='approver'):
        "Approve the plans in the order of their approval dates"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        cases = sorted(cases, key=lambda c: c[date_key])
        for (login, year), group in self._groups(cases,
                lambda c: (c[approver_key], c[date_key].year)):
            with self.as_user(login, D(year, 6, 30)):
                Ipus.approve(fresh([c['plan'] for c in group]))
        to_write = []
        for case in cases:
            to_write.extend(
                [[case['plan']], {'approved_date': case[date_key]}])
        if to_write:
            Ipus.write(*to_write)

    def run_plans(self, cases):
        Ipus = Pool().get('cus.ipus')
        for user, group in self._groups(cases,
                lambda c: self.coordinator(c['coordinator'])):
            with self.as_user(user):
                Ipus.run(fresh([c['plan'] for c in group]))

    # Deliveries

    def deliver(self, case, plan, since=None, until=None):
        """Report the deliveries of the plan's lines from since to until

        Weekly hours, monthly rides and sessions, visits spread over the
        year; never above the schedule, the yearly quota or the granted
        quantity."""
        until = min(until or NOW, NOW)
        client = plan.client
        user = self.coordinator(case['coordinator'])
        for line in plan.lines:
            if line.state != 'open':
                continue
            key = self._key(line.service)
            # What the line has left, reported or pending here included
            left = line.remaining - sum(
                d['quantity'] for d in self.deliveries
                if d.get('line') == line.id)
            for date, quantity, duration in self._slots(
                    key, line, client, since, until):
                quantity = min(quantity, left)
                if quantity <= 0:
                    break
                left -= quantity
                self.deliveries.append({
                        'line': line.id, 'date': date, 'client': client.id,
                        'service': line.service.id,
                        'provider': (line.provider.id
                            if line.provider else None),
                        'quantity': quantity, 'duration': duration,
                        'reported_by': user.id if user else None,
                        '_user': user,
                        '_client': client,
                        '_key': key,
                        })

    def _key(self, service):
        for key, value in self.services.items():
            if value.id == service.id:
                return key

    def _slots(self, key, line, client, since, until):
        "Dates and quantities of the deliveries of a line"
        rng = self.rng
        start, end = line.start_date, min(line.end_date, until)
        since = since or start
        if end < start:
            return
        per_year = line.per_year
        yearly_key = lambda d: (client.id, key, d.year)  # noqa: E731

        def capped(date, quantity):
            if per_year:
                room = per_year - self.yearly[yearly_key(date)]
                quantity = min(quantity, room)
            if quantity > 0 and per_year:
                self.yearly[yearly_key(date)] += quantity
            return quantity

        if line.per_week:
            block = start
            while block <= end:
                block_end = min(block + dt.timedelta(days=6), line.end_date)
                if block >= since:
                    amount = line.per_week
                    draw = rng.random()
                    if draw < 0.05:
                        amount = 0
                    elif draw < 0.17:
                        amount = max(amount - rng.choice([1, 2]), 0)
                    if key in HOUR_SERVICES:
                        date = min(block + dt.timedelta(
                                days=rng.randint(2, 4)), block_end)
                        if amount and date <= end:
                            yield date, amount, None
                    else:
                        for i in range(int(amount)):
                            date = min(block + dt.timedelta(
                                    days=1 + 2 * i), block_end)
                            if date <= end:
                                yield date, 1, _duration(key, rng)
                block += dt.timedelta(days=7)
        elif line.per_month:
            month = start.replace(day=1)
            while month <= end:
                month_end = month + relativedelta(months=1, days=-1)
                first = max(month, start)
                last = min(month_end, line.end_date)
                if key in {'flats_seniors', 'flats_crisis'}:
                    if last <= end and last >= since and capped(last, 1):
                        yield last, 1, None
                else:
                    amount = int(line.per_month)
                    draw = rng.random()
                    if draw < 0.1:
                        amount = 0
                    elif draw < 0.35 and amount > 1:
                        amount -= 1
                    span = (last - first).days
                    for i in range(amount):
                        date = workday(first + dt.timedelta(
                                days=int(span * (i + 0.5) / amount)))
                        if since <= date <= end and date <= last:
                            if capped(date, 1):
                                yield date, 1, _duration(key, rng)
                month += relativedelta(months=1)
        elif per_year:
            year = start.year
            while year <= line.end_date.year:
                first = max(start, D(year, 1, 1))
                last = min(line.end_date, D(year, 12, 31))
                span = (last - first).days
                # The visits of a part of a year: fewer when it is short
                count = min(int(per_year),
                    max(1, math.ceil(per_year * (span + 1) / 240)))
                for i in range(count):
                    date = workday(first + dt.timedelta(
                            days=int(span * (i + 0.5) / count)))
                    if since <= date <= end and date <= last:
                        if capped(date, 1):
                            yield date, 1, _duration(key, rng)
                year += 1

    def deliver_application(self, spec):
        "The deliveries of a qualified one-off or short application"
        rng = self.rng
        application = spec['application']
        user = self.coordinator(spec['coordinator'])
        for app_line in application.lines:
            if app_line.state != 'granted':
                continue
            key = self._key(app_line.service)
            start = max(app_line.start_date or application.application_date,
                spec['decision'])
            provider = self.provider.get(key)
            quantity = app_line.quantity
            if app_line.end_date is None or quantity == 1:
                slots = [(workday(start + dt.timedelta(
                                days=rng.randint(1, 5))), quantity)]
            else:
                span = (app_line.end_date - start).days
                count = int(quantity)
                if key in HOUR_SERVICES:
                    count = max(1, min(count, math.ceil((span + 1) / 7)))
                shares = [quantity // count] * count
                for i in range(int(quantity - sum(shares))):
                    shares[i] += 1
                slots = [(workday(start + dt.timedelta(
                                days=int(span * (i + 0.3) / count))), share)
                    for i, share in enumerate(shares)]
            for date, share in slots:
                if date > NOW or (
                        app_line.end_date and date > app_line.end_date):
                    continue
                self.deliveries.append({
                        'application_line': app_line.id, 'date': date,
                        'client': application.client.id,
                        'service': app_line.service.id,
                        'provider': provider.id if provider else None,
                        'quantity': share,
                        'duration': _duration(key, rng),
                        'reported_by': user.id if user else None,
                        '_user': user,
                        '_client': application.client,
                        '_key': key,
                        })


    def save_deliveries(self):
        """Create the deliveries and decide them: mostly confirmed, the
        last week's reported, a few rejected with a reason"""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        rng = self.rng
        values = sorted(self.deliveries, key=lambda d: d['date'])
        self.deliveries = []
        if not values:
            return []
        older = [i for i, v in enumerate(values)
            if v['date'] <= NOW - dt.timedelta(days=14)]
        rejected = set(rng.sample(older, min(len(older) // 120 + 1, 8)))
        for i in rejected:
            values[i]['rejection_reason'] = gender(rng.choice(
                    [r for k, r in REJECTIONS
                        if k is None or values[i]['_key'] in k]),
                values[i]['_client'])
        users = [v.pop('_user') for v in values]
        for value in values:
            del value['_client'], value['_key']
        deliveries = Delivery.create(values)
        decided = [(d, u, i in rejected)
            for i, (d, u) in enumerate(zip(deliveries, users))
            if d.date <= NOW - dt.timedelta(days=7)]
        for (user, reject), group in self._groups(
                sorted(decided, key=lambda x: (
                        x[1].id if x[1] else 0, x[2])),
                lambda x: (x[1], x[2])):
            with self.as_user(user):
                if reject:
                    Delivery.reject(fresh([d for d, _, _ in group]))
                else:
                    Delivery.confirm(fresh([d for d, _, _ in group]))
        return deliveries

    # Monitoring

    def monitor(self, case, plan, since, until, overdue=False):
        "The coordinator's contacts, about every two months"
        rng = self.rng
        user = self.coordinator(case['coordinator'])
        until = min(until, NOW)
        date = since + dt.timedelta(days=rng.randint(20, 40))
        count = 0
        providers = [l.provider for l in plan.lines if l.provider]
        care = any(self._key(l.service) in HOUR_SERVICES for l in plan.lines)
        while date <= until:
            if overdue and count >= 1:
                # No contact since the first one: the plan is overdue
                break
            kind = rng.choice(
                ['phone', 'phone', 'visit', 'provider', 'quality',
                    'satisfaction'])
            provider = None
            contact_with = rng.choice(['client', 'client', 'family'])
            if kind in {'provider', 'quality'}:
                provider = rng.choice(providers) if providers else None
                contact_with = 'provider' if provider else 'client'
                if not provider:
                    kind = 'phone'
            satisfaction = None
            if kind in {'phone', 'visit', 'satisfaction'}:
                satisfaction = rng.choice([5, 5, 4, 4, 4, 3, 2])
            if satisfaction is not None and satisfaction <= 3:
                findings = rng.choice(
                    [t for c, t in COMPLAINTS if care or not c])
                action = ("Rozmowa z realizatorem o uwagach "
                    "[klienta|klientki]; ponowny kontakt za 2 tygodnie.")
            else:
                findings = rng.choice([t for k, c, t in FINDINGS
                        if k == kind and (care or not c)])
                action = rng.choice(ACTIONS)
                if action and 'Seniora' in action and (
                        case['group'] != 'senior'):
                    action = None
            self.monitorings.append({
                    'plan': plan.id,
                    'date': min(workday(date), until),
                    'kind': kind,
                    'contact_with': contact_with,
                    'provider': provider.id if provider else None,
                    'findings': gender(findings, plan.client),
                    'satisfaction': satisfaction,
                    'action': gender(action, plan.client),
                    'user': (user or self.users.get('organizator')).id,
                    })
            count += 1
            date += dt.timedelta(days=rng.randint(50, 85))

    def save_monitorings(self):
        Monitoring = Pool().get('cus.ipus.monitoring')
        values, self.monitorings = self.monitorings, []
        return Monitoring.create(values) if values else []

    # The whole story

    def build(self):
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Line = pool.get('cus.ipus.line')

        cases = self.plan_cases()
        plan_cases, others = self.create_applications(cases)
        self.create_plans(plan_cases)

        by_state = defaultdict(list)
        for case in plan_cases:
            by_state[case['state']].append(case)
        approved = [c for c in plan_cases if c['state'] in
            {'approved', 'running', 'closed'}
            or c['key'] == 'cancel_approved']
        self.approve(approved)
        started = [c for c in plan_cases
            if c['state'] in {'running', 'closed'}]
        self.run_plans(started)
        cancelled = by_state['cancelled']
        for user, group in self._groups(cancelled,
                lambda c: self.coordinator(c['coordinator'])):
            with self.as_user(user):
                Ipus.cancel(fresh([c['plan'] for c in group]))

        # What the running and closed plans delivered, and the contacts
        for case in started:
            plan = Ipus(case['plan'].id)
            until = case.get('stop') or case['valid'][1]
            if case.get('update'):
                until = case['update']['date'] - dt.timedelta(days=1)
            self.deliver(case, plan, until=until)
            self.monitor(case, plan, plan.valid_from, until,
                overdue=case.get('overdue'))
        for spec in others:
            if spec['state'] == 'qualified':
                self.deliver_application(spec)
        self.save_deliveries()
        self.save_monitorings()

        # Closing with the summary conversation
        closed = by_state['closed']
        to_write = []
        for case in closed:
            to_write.extend([[case['plan']], {
                        'summary_date': case['summary'],
                        'course_and_results': gender(
                            COURSES[case['outcome']], case['client']),
                        'outcome': case['outcome'],
                        }])
        if to_write:
            Ipus.write(*to_write)
        for user, group in self._groups(closed,
                lambda c: self.coordinator(c['coordinator'])):
            with self.as_user(user):
                Ipus.close(fresh([c['plan'] for c in group]))

        # Updates: a second version replaces the first
        updates = [c for c in plan_cases if c.get('update')]
        for case in updates:
            update = case['update']
            with self.as_user(self.coordinator(case['coordinator'])):
                new = Ipus(case['plan'].id).make_update(
                    gender(update['reason'], case['client']))
            Ipus.write([new], {
                    'drawn_up_date': update['date'],
                    'update_date': update['date'],
                    })
            to_write = []
            for line in new.lines:
                key = self._key(line.service)
                if key in update.get('change', {}):
                    amount = update['change'][key]
                    fields_, text = schedule(key, amount)
                    values = dict(fields_, schedule=text,
                        quantity=max_quantity(line.start_date, line.end_date,
                            **{k: v for k, v in fields_.items()
                                if k.startswith('per_')}))
                    to_write.extend([[line], values])
            if to_write:
                Line.write(*to_write)
            added = []
            for key, amount, start, end in update.get('add', []):
                line = Line(plan=new)
                line.service = self.services[key]
                self._set_line(line, key, amount, start, end)
                added.append(line)
            Line.save(added)
            case['previous'] = case['plan']
            case['plan'] = Ipus(new.id)
            case['approved_v2'] = update['approved']
            case['approver_v2'] = update['approver']
        if updates:
            self.approve(updates, 'approved_v2', 'approver_v2')
            for case in updates:
                plan = Ipus(case['plan'].id)
                self.deliver(case, plan, since=case['update']['date'])
                self.monitor(case, plan, case['update']['date'], NOW)
            self.save_deliveries()
            self.save_monitorings()

        self.create_enquiries(plan_cases, others)
        return [c['plan'] for c in plan_cases]

    def create_enquiries(self, plan_cases, others):
        "The register of enquiries: ~25, some followed by an application"
        pool = Pool()
        Enquiry = pool.get('cus.enquiry')
        rng = self.rng
        recorders = [u for u in [self.users.get('organizator')]
            + self.coordinators if u]
        values = []
        # Enquiries that led to an application
        followed = [c for c in plan_cases + others if 'application' in c]
        followed = rng.sample(followed, min(len(followed), 8))
        for spec in followed:
            application = spec['application']
            date = application.application_date - dt.timedelta(
                days=rng.randint(3, 15))
            date = max(date, START)
            channel = ('information_point' if date >= D(2021, 8, 1)
                and rng.random() < 0.5 else 'phone')
            values.append({
                    'date': dt.datetime.combine(
                        workday(date), dt.time(rng.randint(8, 15),
                            rng.choice([0, 15, 30, 45]))),
                    'channel': channel,
                    'topic': 'procedure',
                    'client': application.client.id,
                    'services': [('add', [l.service.id
                                for l in application.lines])],
                    'information': "Wyjaśniono, jak złożyć wniosek "
                    "(Indywidualna Diagnoza Potrzeb) i jakie "
                    "oświadczenia dołączyć; umówiono termin.",
                    'application': application.id,
                    'user': rng.choice(recorders).id,
                    })
        # Questions about the services
        span = (NOW - START).days
        for i in range(25 - len(values)):
            channel, topic, keys, information, referred = ENQUIRIES[
                i % len(ENQUIRIES)]
            date = START + dt.timedelta(days=rng.randint(0, span))
            if channel == 'information_point' and date < D(2021, 8, 1):
                date = D(2021, 8, 2) + dt.timedelta(days=rng.randint(0, 300))
            values.append({
                    'date': dt.datetime.combine(
                        workday(date), dt.time(rng.randint(8, 15),
                            rng.choice([0, 10, 20, 30, 40, 50]))),
                    'channel': channel,
                    'topic': topic,
                    'person_name': rng.choice(PERSONS),
                    'services': [('add', [self.services[k].id
                                for k in keys])],
                    'information': information,
                    'referred_to': referred,
                    'user': rng.choice(recorders).id,
                    })
        return Enquiry.create(values) if recorders else []


def fresh(records):
    "The records read again: the workflow decides on their current state"
    if not records:
        return []
    return type(records[0]).browse([r.id for r in records])


def _duration(key, rng):
    "Hours of a visit when the plan limits them"
    if key == 'handyman':
        return rng.choice([1.0, 1.5, 2.0])
    return None


def create_activity(company, logins, providers, services, clients,
        seed=SEED):
    """Create the enquiries, applications, assessments, plans, deliveries
    and monitoring of the demo; return the plans (first versions)"""
    return Demo(company, logins, providers, services, clients, seed).build()
