"""Issue 13's whole journey for a new program's admin, in chromium: start a program from a
template, import a roster (a bad line reported and nothing written, then the fixed file
imported), approve the imported mentors from the queue, match the open asks as a cohort
(the reporting line from the roster holds), give one ask to another mentor, publish, and
find the invitations sent."""

from __future__ import annotations

import re

import pytest

from pairup.accounts.models import User
from pairup.asks.models import CohortRun, Invitation, ProposedPair
from pairup.asks.services import ask_create
from pairup.programs.models import AuditEntry, Membership, MentorStatus, Program
from tests.e2e.conftest import ROOT
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EXAMPLE = (ROOT / "docs" / "roster-example.csv").read_text()
BAD = EXAMPLE.replace("America/Sao_Paulo", "America/Sao Paulo")


def test_a_new_admin_runs_a_program_from_start_to_invitations(live_server, browser, tmp_path):
    base = live_server.url
    staff = UserFactory(
        email="staff@example.org", is_staff=True, profile_fields={"display_name": "Sita Staff"}
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{base}/accounts/login/")
        page.locator("input[name=login]").fill(staff.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(f"{base}/")

        # 1. A program from the "Topic drive" template (it vets mentors).
        page.goto(f"{base}/programs/")
        page.get_by_role("link", name="Start a program").click()
        page.get_by_text("Topic drive", exact=True).click()
        page.get_by_label("Name", exact=True).fill("Spring Drive")
        page.get_by_role("button", name="Start the program").click()
        page.wait_for_url(re.compile(r"/p/spring-drive/settings/$"))
        program = Program.objects.get(slug="spring-drive")
        assert program.template == "topic_drive" and program.mentors_need_approval

        # 2. A roster with one bad line: reported, nothing written.
        bad = tmp_path / "spring.csv"
        bad.write_text(BAD)
        page.goto(f"{base}/p/spring-drive/")
        page.get_by_role("link", name="Import a roster").first.click()
        page.get_by_label("Roster file").set_input_files(str(bad))
        page.get_by_role("button", name="Upload and check").click()
        page.get_by_text("1 bad line:").wait_for()
        row = page.locator("table.roster-problems tbody tr")
        assert "Line 6" in row.inner_text() and "timezone" in row.inner_text()
        assert not User.objects.filter(email="priya.raman@example.org").exists()

        # ... fixed and imported.
        good = tmp_path / "spring.csv"
        good.write_text(EXAMPLE)
        page.goto(f"{base}/p/spring-drive/import/")
        page.get_by_label("Roster file").set_input_files(str(good))
        page.get_by_role("button", name="Upload and check").click()
        page.get_by_role("button", name="Import 6 lines").click()
        page.get_by_text(re.compile(r"Imported spring\.csv: 6 added")).wait_for()
        waiting = Membership.objects.filter(program=program, mentor_status=MentorStatus.PENDING)
        assert waiting.filter(is_mentor=True).count() == 4

        # 3. Approve every imported mentor from the queue.
        page.goto(f"{base}/p/spring-drive/")
        page.get_by_role("link", name="Mentor applications").first.click()
        for name in ("Priya Raman", "Ravi Menon", "Mei Chen", "Helen Ward"):
            page.locator("article.queue-entry").filter(has_text=name).get_by_role(
                "button", name="Approve"
            ).click()
            page.get_by_text(f"{name} is approved as a mentor").wait_for()
        assert not Membership.objects.filter(
            program=program, is_mentor=True, mentor_status=MentorStatus.PENDING
        ).exists()

        # The two mentees write their asks (as they would on the ask form).
        tom = User.objects.get(email="tom.baker@example.org")
        ana = User.objects.get(email="ana.lima@example.org")
        ask_create(
            program=program,
            mentee=tom,
            topics=["negotiating-an-offer"],
            question="How do I negotiate a data science job offer?",
        )
        ask_create(
            program=program,
            mentee=ana,
            topics=["leading-a-team"],
            question="How do I lead a team that used to be my peers?",
        )

        # 4. Cohort matching of every open ask.
        page.goto(f"{base}/p/spring-drive/")
        page.get_by_role("link", name="Match asks").click()
        page.get_by_label("Asks to match").select_option(label="All open asks without a mentor (2)")
        page.get_by_role("button", name="Run matching").click()
        page.get_by_role("heading", name="The proposal beside the greedy alternative").wait_for()
        run = CohortRun.objects.get(program=program)
        pairs = ProposedPair.objects.filter(run=run, mentor__isnull=False)
        assert pairs.count() == 2
        # The roster's reporting line holds: Priya manages Tom, Ravi manages Ana.
        by_mentee = {p.ask.mentee.email: p.mentor.email for p in pairs.select_related("ask")}
        assert by_mentee["tom.baker@example.org"] != "priya.raman@example.org"
        assert by_mentee["ana.lima@example.org"] != "ravi.menon@example.org"

        # 5. Give one ask to another mentor: the change in the total is shown.
        first = pairs.order_by("ask_id")[0]
        page.locator(f"#ask-{first.ask_id}").get_by_role("link", name="Change").click()
        page.get_by_role("heading", name="Best mentors for this ask").wait_for()
        page.get_by_role("button", name=re.compile("^Give it to ")).first.click()
        message = page.locator(".messages .msg.success")
        assert re.search(r"goes to .+: total score [-+]\d", message.inner_text())
        first.refresh_from_db()
        assert first.fixed_by_admin

        # 6. Publish, and find the invitations.
        page.get_by_role("button", name=re.compile("^Publish: send")).click()
        assert "2 invitations sent" in page.locator(".messages .msg.success").inner_text()
        assert Invitation.objects.filter(ask__program=program).count() == 2
        assert Invitation.objects.get(ask_id=first.ask_id).mentor_id == first.mentor_id

        # Every admin step is in the audit log.
        actions = set(AuditEntry.objects.filter(program=program).values_list("action", flat=True))
        assert {"program_created", "roster_imported", "mentor_approved"} <= actions
        assert len(actions) >= 5, actions
    finally:
        context.close()
