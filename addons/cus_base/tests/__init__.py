# This file is part of the CUS back office.
from .tools import create_service, create_user, valid_pesel

__all__ = ['create_service', 'create_user', 'valid_pesel']
