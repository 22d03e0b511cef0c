# This file is part of the CUS back office. Registration is in tryton.cfg.
# The web pages of the portal register themselves on trytond's WSGI app.
from . import routes
from . import survey_routes

__all__ = ['routes', 'survey_routes']
