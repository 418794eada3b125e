from django.contrib import admin

from .models import Ask, Block, Engagement, Feedback, Invitation, Report, ThankYou

INVITATION_FIELDS = ("mentor", "status", "rank", "score", "expires_at", "responded_at")


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = INVITATION_FIELDS
    readonly_fields = INVITATION_FIELDS


@admin.register(Ask)
class AskAdmin(admin.ModelAdmin):
    list_display = ["question", "program", "mentee", "status", "route", "created_at"]
    list_filter = ["program", "status", "route", "kind"]
    search_fields = ["question"]
    inlines = [InvitationInline]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    # Messages are private to the two participants: the admin shows states, never threads.
    list_display = ["pk", "program", "mentee", "mentor", "status", "created_at", "closed_at"]
    list_filter = ["program", "status"]
    readonly_fields = ["ask", "program", "mentee", "mentor", "created_at"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["engagement", "role", "rating", "shared", "created_at"]
    list_filter = ["role", "rating", "shared"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Shows only the messages the reporter chose; never a picker over every message."""

    list_display = ["pk", "engagement", "created_at", "resolved_at"]
    fields = [
        "engagement",
        "reporter",
        "reported",
        "reason",
        "chosen_messages",
        "created_at",
        "resolved_at",
    ]
    readonly_fields = [
        "engagement",
        "reporter",
        "reported",
        "reason",
        "chosen_messages",
        "created_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False

    @admin.display(description="Messages the reporter chose")
    def chosen_messages(self, report: Report) -> str:
        return (
            "\n\n".join(f"{m.created_at:%Y-%m-%d %H:%M}: {m.body}" for m in report.messages.all())
            or "—"
        )


admin.site.register(ThankYou)
admin.site.register(Block)
