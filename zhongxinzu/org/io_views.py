# Placeholder: Excel import/export views are being written.
from django.http import HttpResponse


def _todo(request, pk=None):
    return HttpResponse("TODO")


import_home = import_units = import_roster = units_template = roster_template = _todo
unit_export = person_export = roster_export = requirement_export = _todo
