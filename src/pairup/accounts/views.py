from __future__ import annotations

from allauth.account.views import LoginView
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pairup.core.errors import ServiceError

from . import services, signin
from .forms import DeleteAccountForm, ExpertiseFormSet, PhotoForm, ProfileForm, TokenForm
from .http import AuthenticatedHttpRequest
from .models import ApiToken


class SignInView(LoginView):
    """allauth's sign-in, answering a refusal by the sign-in limits with 429 and Retry-After
    (the form says when to retry) instead of an ordinary form error."""

    def form_invalid(self, form: forms.Form) -> HttpResponse:
        response = super().form_invalid(form)
        wait = signin.throttled_wait(form.non_field_errors().as_data())
        if wait is not None:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = services.profile_get(user=request.user)
    initial_expertise = [
        {"topic": e.topic.slug, "level": e.level} for e in profile.expertise.select_related("topic")
    ]
    topics = services.profile_topic_ids(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=profile, topics=topics)
        formset = ExpertiseFormSet(request.POST, prefix="expertise", form_kwargs={"topics": topics})
        if form.is_valid() and formset.is_valid():
            data = {k: form.cleaned_data[k] for k in form.Meta.fields}
            try:
                services.profile_update(
                    user=request.user,
                    fields=data,
                    expertise=formset.pairs(),
                    goals=form.cleaned_data["goals"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("profile_edit")
    else:
        form = ProfileForm(instance=profile, topics=topics)
        formset = ExpertiseFormSet(
            prefix="expertise", initial=initial_expertise, form_kwargs={"topics": topics}
        )
    return _profile_page(request, form, formset, PhotoForm())


def _profile_page(
    request: AuthenticatedHttpRequest,
    form: ProfileForm,
    formset: forms.BaseFormSet,
    photo_form: PhotoForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accounts/profile_edit.html",
        {
            "form": form,
            "formset": formset,
            "photo_form": photo_form,
            "profile": form.instance,
            "timezones": ProfileForm.timezones(),
            "needs_browser_tz": not form.instance.is_complete,
        },
        status=status,
    )


@login_required
@require_POST
def profile_photo(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a new photo, or remove it (the `remove` button): the refusal, if any, is
    shown beside the field on the profile page, and nothing is stored."""
    if "remove" in request.POST:
        services.profile_photo_remove(user=request.user)
        messages.success(request, "Your photo is removed; your initials show instead.")
        return redirect("profile_edit")
    photo_form = PhotoForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            services.profile_photo_set(user=request.user, photo=photo_form.cleaned_data["photo"])
        except ServiceError as exc:
            photo_form.add_error("photo", exc.detail)
        else:
            messages.success(request, "Your photo is saved.")
            return redirect("profile_edit")
    profile = services.profile_get(user=request.user)
    initial_expertise = [
        {"topic": e.topic.slug, "level": e.level} for e in profile.expertise.select_related("topic")
    ]
    topics = services.profile_topic_ids(request.user)
    return _profile_page(
        request,
        ProfileForm(instance=profile, topics=topics),
        ExpertiseFormSet(
            prefix="expertise", initial=initial_expertise, form_kwargs={"topics": topics}
        ),
        photo_form,
        status=422,
    )


@login_required
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user)
        messages.info(request, "Your account and your data are deleted.")
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


@login_required
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _, new_token = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, "The token is revoked.")
    return redirect("api_tokens")
