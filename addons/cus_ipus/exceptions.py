# This file is part of the CUS back office.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class ApplicationError(UserError):
    pass


class ApplicationDeleteError(AccessError):
    pass


class IpusValidationError(ValidationError):
    pass


class IpusError(UserError):
    pass


class IpusDeleteError(AccessError):
    pass


class QuotaError(ValidationError):
    pass


class DeliveryValidationError(ValidationError):
    pass


class CapacityWarning(UserWarning):
    pass
