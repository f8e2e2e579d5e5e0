"""JSON Lines that keep microseconds. Django's own encoder cuts datetimes to milliseconds,
so a backup made with it would not restore the exact values it was made from."""

import datetime

from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder


class LosslessEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(jsonl.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", LosslessEncoder)
        super()._init_options()


Deserializer = jsonl.Deserializer
