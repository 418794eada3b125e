from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from pairup.accounts.views import SignInView

from . import views, welcome
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/", welcome.welcome, name="welcome"),
    path("welcome/<slug:step>/", welcome.welcome_step, name="welcome_step"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Ahead of allauth's own: the same view, with 429 and Retry-After when sign-ins are limited.
    path("accounts/login/", SignInView.as_view(), name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("", include("pairup.accounts.urls")),
    path("", include("pairup.programs.urls")),
    path("", include("pairup.notifications.urls")),
    path("", include("pairup.asks.urls")),
    path("", include("pairup.availability.urls")),
    path("", include("pairup.sessions.urls")),
    path("", include("pairup.events.urls")),
    path("", include("pairup.insights.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Uploaded photos: served here in development (SERVE_MEDIA, on with DEBUG), by the reverse
# proxy in production (docs/deploy.md).
if settings.SERVE_MEDIA:
    urlpatterns += [path(settings.MEDIA_URL.lstrip("/") + "<path:path>", views.media, name="media")]

# A body over DATA_UPLOAD_MAX_MEMORY_SIZE reaches Django's 400 handler; ours makes it a 413.
handler400 = "pairup.core.views.bad_request"
