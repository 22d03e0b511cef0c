# This file is part of the CUS back office.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class PlanError(UserError):
    pass


class PlanValidationError(ValidationError):
    pass


class PlanDeleteError(AccessError):
    pass


class ReplanError(UserError):
    pass


class CommunityValidationError(ValidationError):
    pass


class ActivityError(UserError):
    pass


class ActivityValidationError(ValidationError):
    pass


class ActivityDeleteError(AccessError):
    pass


class VolunteerHoursValidationError(ValidationError):
    pass


class ReferralError(UserError):
    pass


class NameDayValidationError(ValidationError):
    pass
