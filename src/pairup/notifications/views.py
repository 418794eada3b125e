from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt

from . import rules, services
from .models import EmailMute, Kind, Notification


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("notifications")
    items = Notification.objects.filter(user=request.user)[:100]
    return render(request, "notifications/list.html", {"items": items})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notifications read and go where it points (own notifications only;
    only paths on this site, never an outside address)."""
    notification = get_object_or_404(Notification, pk=pk)
    if not rules.can_open_notification(request.user, notification):
        raise Http404("No such notification")
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    target = (
        notification.url
        if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None)
        else ""
    )
    return redirect(target or "notifications")


class MuteForm(forms.Form):
    muted = forms.MultipleChoiceField(
        label="Do not email me about",
        required=False,
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    current = list(EmailMute.objects.filter(user=request.user).values_list("kind", flat=True))
    form = MuteForm(request.POST if request.method == "POST" else None, initial={"muted": current})
    if request.method == "POST" and form.is_valid():
        services.email_mutes_replace(user=request.user, kinds=form.cleaned_data["muted"])
        messages.success(request, "Your email settings are saved.")
        return redirect("email_settings")
    return render(request, "notifications/email_settings.html", {"form": form})


@csrf_exempt  # one-click unsubscribe (RFC 8058) posts without a session; the token is signed
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        done = services.unsubscribe(token)
        return render(
            request, "notifications/unsubscribed.html", {"done": done}, status=200 if done else 400
        )
    return render(request, "notifications/unsubscribe_confirm.html", {"token": token})
