# Replaced by the engagement views (being written); kept importable meanwhile.
from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


mentee_dashboard = mentor_dashboard = board = code_of_conduct = ask_create = program_asks = _todo
report_detail = ask_detail = ask_edit = ask_action = invitation_detail = invitation_action = _todo
engagement_detail = engagement_report = engagement_action = thanks_profile = _todo
