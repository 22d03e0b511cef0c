# This file is part of the CUS back office.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class PeselError(ValidationError):
    pass


class ProgrammeValidationError(ValidationError):
    pass


class ProgrammeAdoptError(UserError):
    pass


class ProgrammeDeleteError(AccessError):
    pass


class ServiceValidationError(ValidationError):
    pass
