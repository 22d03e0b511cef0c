# This file is part of the CUS back office.
"""Satisfaction surveys and programme reports of the demo centre

* the client satisfaction questionnaire of the Koszalin model (seed 004,
  §5.2): five scale questions, one for each quality indicator
  (satisfaction, timeliness, competence of the staff, availability of the
  services, clarity of the procedures), a choice and a free question; sent
  on the closing of a plan;
* its sending to the clients of the plans closed up to NOW (on their
  closing day) and of a quarter of the running plans (a month before NOW),
  about three quarters of them answered, on paper or online, the answers
  drawn by random.Random(SEED) leaning to the good side as real surveys do;
* the yearly report of the programme for 2021, done, and the draft of
  2022 with the conclusions the organiser writes.
"""
import datetime as dt
import random

from trytond.pool import Pool
from trytond.transaction import Transaction

from .ipus import NOW

SEED = 20230131

QUESTIONS = [
    ('scale', 'satisfaction',
        "Jak ocenia Pan/Pani swoje zadowolenie z otrzymanych usług?"),
    ('scale', 'timeliness',
        "Czy usługi były realizowane w uzgodnionych terminach?"),
    ('scale', 'competence',
        "Jak ocenia Pan/Pani kompetencje osób realizujących usługi?"),
    ('scale', 'availability',
        "Czy dostępne usługi odpowiadały Pana/Pani potrzebom?"),
    ('scale', 'clarity',
        "Czy procedury przyznawania usług były jasne i zrozumiałe?"),
    ('choice', 'none',
        "Czy poleciłby Pan/Pani usługi Centrum znajomym?"),
    ('text', 'none', "Co powinniśmy poprawić?"),
    ]
CHOICES = ["Tak", "Raczej tak", "Nie", "Nie wiem"]
REMARKS = [
    "Więcej godzin w weekendy.",
    "Dłuższe wizyty opiekunki.",
    "Lepsza informacja o zmianach terminów.",
    "Wszystko w porządku, dziękuję.",
    ]
# The answers of a scale question: mostly good, some poor
SCALE_WEIGHTS = [1, 2, 6, 14, 17]


def create_survey():
    Survey = Pool().get('cus.survey')
    survey, = Survey.create([{
                'name': "Ankieta satysfakcji klienta CUS",
                'sending': 'closing',
                'validity_days': 30,
                'intro': "Prosimy o ocenę usług, z których Pan/Pani "
                "korzystał(a) w ramach indywidualnego planu usług "
                "społecznych. Ankieta jest anonimowa w raportach.",
                'questions': [('create', [{
                                'sequence': i,
                                'kind': kind,
                                'dimension': dimension,
                                'text': text,
                                'required': kind == 'scale',
                                'options': [('create', [
                                            {'name': c, 'sequence': j}
                                            for j, c in enumerate(
                                                CHOICES, 1)])]
                                if kind == 'choice' else [],
                                } for i, (kind, dimension, text)
                            in enumerate(QUESTIONS, 1)])],
                }])
    return survey


def send_and_answer(survey, rng):
    "Send the questionnaire to the plans and type or take in the answers"
    pool = Pool()
    Ipus = pool.get('cus.ipus')
    Survey = pool.get('cus.survey')
    Response = pool.get('cus.survey.response')
    Answer = pool.get('cus.survey.answer')
    closed = Ipus.search([
            ('state', '=', 'closed'), ('valid_to', '<=', NOW)],
        order=[('id', 'ASC')])
    running = Ipus.search([('state', '=', 'running')], order=[('id', 'ASC')])
    sendings = [(p.valid_to, [p]) for p in closed]
    month_before = NOW - dt.timedelta(days=30)
    sample = [p for p in running if rng.random() < 0.25]
    if sample:
        sendings.append((month_before, sample))
    responses = []
    for date, plans in sendings:
        responses += Survey.send_to(survey, plans, date=date)

    paper, online = [], []
    answer_values, answer_dates = {}, {}
    for response in responses:
        if rng.random() >= 0.75:
            continue
        for answer in response.answers:
            question = answer.question
            if question.kind == 'scale':
                value = {'scale': rng.choices(
                        range(1, 6), weights=SCALE_WEIGHTS)[0]}
            elif question.kind == 'choice':
                option = rng.choices(
                    question.options, weights=[10, 6, 1, 2])[0]
                value = {'choice': option.id}
            elif rng.random() < 0.4:
                value = {'text': rng.choice(REMARKS)}
            else:
                continue
            answer_values.setdefault(tuple(sorted(value.items())), []).append(
                answer)
        answered = min(
            response.sent_date + dt.timedelta(days=rng.randint(2, 20)), NOW)
        dates = answer_dates.setdefault(answered, [])
        dates.append(response)
        (paper if rng.random() < 0.6 else online).append(response.id)
    to_write = []
    for value, answers in answer_values.items():
        to_write.extend([answers, dict(value)])
    if to_write:
        Answer.write(*to_write)
    to_write = []
    for date, dated in answer_dates.items():
        to_write.extend([dated, {'answered_date': date}])
    if to_write:
        Response.write(*to_write)
    if paper:
        Response.record_paper(Response.browse(paper))
    if online:
        Response.record_answers(Response.browse(online), 'online')
    return responses


def create_reports(programme, logins):
    pool = Pool()
    Report = pool.get('cus.programme.report')
    organiser = next(l.user for l in logins if l.login == 'organizator')
    director = next(l.user for l in logins if l.login == 'dyrektor')
    common = {
        'programme': programme.id,
        'kind': 'yearly',
        'author': organiser.employee.id if organiser.employee else None,
        }
    done, draft = Report.create([dict(common, **{
                    'start_date': max(programme.start_date,
                        dt.date(2021, 1, 1)),
                    'end_date': dt.date(2021, 12, 31),
                    'date': dt.date(2022, 1, 28),
                    'summary': "Pierwsze dziewięć miesięcy programu: "
                    "uruchomienie Biura Obsługi Klienta, pierwsze "
                    "indywidualne plany usług społecznych i zlecenia dla "
                    "partnerów.",
                    'effectiveness': "Cele operacyjne 1 i 3 realizowane "
                    "zgodnie z harmonogramem; standardy usług w "
                    "przygotowaniu.",
                    'conclusions': "Największe zapotrzebowanie dotyczy "
                    "usług opiekuńczych i taksówki dla seniora. Należy "
                    "zwiększyć liczbę realizatorów usług opiekuńczych.",
                    'recommendations': "Ogłosić otwarty konkurs ofert na "
                    "usługi opiekuńcze na 2022 r.",
                    }), dict(common, **{
                    'start_date': dt.date(2022, 1, 1),
                    'end_date': dt.date(2022, 12, 31),
                    'date': NOW,
                    'summary': "Pełny rok realizacji programu.",
                    'conclusions': "Do uzupełnienia po naradzie "
                    "koordynatorów.",
                    })])
    with Transaction().set_user(director.id):
        Report.do([done])
    return [done, draft]


def create_reporting(programme, logins, seed=SEED):
    "The surveys and the programme reports of the demo"
    rng = random.Random(seed)
    survey = create_survey()
    responses = send_and_answer(survey, rng)
    reports = create_reports(programme, logins)
    return survey, responses, reports
