from django.contrib import admin

from .models import EmailMute, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind"]


admin.site.register(EmailMute)
