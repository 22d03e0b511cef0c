# This file is part of the CUS back office.
"""The data protection part of the demo: the consents of the clients and a
run of the retention rules

* every client sent a satisfaction questionnaire agreed on paper to the
  surveys when the plan was drawn up;
* every client taking part in a community activity agreed on paper to the
  use of the image (photographs of the activities); one of them withdrew it;
* the default retention rules (cus_base, cus_ipus) are applied once as the
  director, so their runs are in the log: with the periods of the rules the
  enquiries and the questionnaire comments of the first years of the
  programme are anonymised, the cases (10 years) are not.
"""
from trytond.pool import Pool
from trytond.transaction import Transaction


def create_consents():
    "The survey and image consents; return them"
    pool = Pool()
    Consent = pool.get('cus.client.consent')
    Response = pool.get('cus.survey.response')
    Participation = pool.get('cus.osl.activity.participation')
    given = {}
    for response in Response.search([], order=[('sent_date', 'ASC')]):
        if not response.client.cus_client:
            continue
        date = (response.plan.drawn_up_date if response.plan
            else response.sent_date)
        key = (response.client.id, 'surveys')
        given[key] = min(given.get(key, date), date)
    for participation in Participation.search([
                ('party.cus_client', '=', True)]):
        activity = participation.activity
        date = activity.done_date or activity.date or activity.planned_date
        if not date:
            continue
        key = (participation.party.id, 'image')
        given[key] = min(given.get(key, date), date)
    consents = Consent.create([{
                'client': client, 'purpose': purpose,
                'legal_basis': 'art6_1_a', 'given_on': date,
                'channel': 'paper',
                } for (client, purpose), date in sorted(given.items())])
    images = [c for c in consents if c.purpose == 'image']
    if images:
        Consent.write(images[:1], {
                'note': "Nie zgadza się na publikację zdjęć w mediach "
                "społecznościowych."})
        Consent.withdraw(images[:1])
    return consents


def create_privacy(logins):
    "The consents, then one run of every retention rule as the director"
    Rule = Pool().get('cus.retention.rule')
    consents = create_consents()
    director = next(l.user for l in logins if l.login == 'dyrektor')
    with Transaction().set_user(director.id):
        runs = Rule.apply(Rule.search([]))
    return consents, runs
