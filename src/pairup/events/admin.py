from django.contrib import admin

from .models import Event, EventSchedule, EventTable, Registration


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "program", "kind", "state", "starts_at"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "slug"]


admin.site.register(EventTable)
admin.site.register(Registration)
admin.site.register(EventSchedule)
