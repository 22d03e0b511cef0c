# This file is part of the CUS back office.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class ProviderValidationError(ValidationError):
    pass


class AccreditationError(UserError):
    pass


class ContractValidationError(ValidationError):
    pass


class ContractError(UserError):
    pass


class ContractDeleteError(AccessError):
    pass


class ContractWarning(UserWarning):
    pass
