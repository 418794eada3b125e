from typing import Any

from django.contrib import admin

from .models import AuditEntry, MatchRule, Membership, Pool, Program, RetiredInvite


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_open", "mentors_need_approval", "mentor_monthly_cap"]
    list_filter = ["is_open"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "is_mentor", "is_mentee", "is_admin", "mentor_status"]
    list_filter = ["program", "is_mentor", "mentor_status"]
    raw_id_fields = ["user"]


@admin.register(RetiredInvite)
class RetiredInviteAdmin(admin.ModelAdmin):
    list_display = ["code", "program", "retired_at"]
    list_filter = ["program"]


@admin.register(Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "kind", "self_select"]
    list_filter = ["program", "kind"]


@admin.register(MatchRule)
class MatchRuleAdmin(admin.ModelAdmin):
    list_display = ["program", "mentee_pool", "mentor_pool"]
    list_filter = ["program"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: the log is never changed, here or anywhere."""

    list_display = ["at", "program", "actor_name", "via", "action", "summary"]
    list_filter = ["program", "action", "via"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
