# This file is part of the CUS back office.
from .tools import create_ipus_fixture

__all__ = ['create_ipus_fixture']
