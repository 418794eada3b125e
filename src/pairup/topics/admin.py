from django.contrib import admin

from .models import Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position", "shared"]
    list_filter = ["shared", "parent"]
    search_fields = ["name", "slug", "description", "synonyms"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["parent__slug", "position"]
