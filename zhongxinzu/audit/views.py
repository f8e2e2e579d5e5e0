# Placeholder: the audit log viewer is being written.
from django.http import HttpResponse


def entry_list(request):
    return HttpResponse("TODO")
