from django.contrib import admin

from .models import Membership, Program, RetiredInvite


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
