# This file is part of the CUS back office. Registration is in tryton.cfg.
