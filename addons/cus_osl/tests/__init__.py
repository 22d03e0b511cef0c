# This file is part of the CUS back office.
from .tools import (
    create_activity, create_osl_fixture, create_osl_user, quarter_ids,
    run_plan)

__all__ = [
    'create_activity', 'create_osl_fixture', 'create_osl_user',
    'quarter_ids', 'run_plan']
