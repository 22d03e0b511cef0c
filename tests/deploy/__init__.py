# This file is part of the CUS back office.
