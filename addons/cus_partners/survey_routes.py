# This file is part of the CUS back office.
"""The public page of the satisfaction surveys: /<database>/ankieta/<token>

The link is given to the client of a plan (printed on the letter or sent by
e-mail, cus_ipus/survey.py). It works once and until its validity date; a
used, expired or unknown link gets the same page (404), so that trying links
teaches nothing. The route runs as root and reaches a response only through
its token; the answers are checked and recorded by the response itself
(cus.survey.response.answer_online). The rendering, the CSRF token (double
submit cookie of the public pages) and the security headers are those of
the other public pages (routes.py).
"""
from cus_ipus.survey import MAX_TEXT, SCALE_MAX, SCALE_MIN, SurveyLinkInvalid

from trytond.exceptions import UserError
from trytond.protocols.wrappers import (
    HTTPStatus, set_max_request_size, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from .routes import MAX_FORM_SIZE, _check_public_csrf, public_page, render


def _invalid(request):
    "The one answer to a used, expired or unknown link"
    return render(request, 'survey_invalid.html', status=HTTPStatus.NOT_FOUND)


def _survey_page(request, response, form=None, errors=None,
        status=HTTPStatus.OK):
    return render(
        request, 'survey.html', status=status, response=response,
        survey=response.survey, answers=response.answers, form=form or {},
        errors=errors or [], scale=range(SCALE_MIN, SCALE_MAX + 1),
        max_text=MAX_TEXT)


@app.route('/<database_name>/ankieta/<token>', methods={'GET', 'POST'})
@set_max_request_size(MAX_FORM_SIZE)
@with_pool
@with_transaction()
@public_page
def public_survey(request, pool, token):
    "The questionnaire of a one-time link: shown, then answered once"
    Response = pool.get('cus.survey.response')
    response = Response.find_by_token(token)
    if response is None:
        return _invalid(request)
    if request.method == 'GET':
        return _survey_page(request, response)
    _check_public_csrf(request)
    # One more character than allowed, so that a longer text is refused
    # rather than cut.
    form = {a.id: (request.form.get(f'a{a.id}') or '')[:MAX_TEXT + 1]
        for a in response.answers}
    try:
        errors = Response.answer_online(response, form)
    except SurveyLinkInvalid:
        return _invalid(request)
    except UserError as exception:
        Transaction().rollback()
        errors = [exception.message]
    if errors:
        return _survey_page(
            request, Response(response.id), form=form, errors=errors,
            status=HTTPStatus.BAD_REQUEST)
    return render(request, 'survey_done.html')
