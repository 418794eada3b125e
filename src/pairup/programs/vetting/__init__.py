"""Mentor vetting: the questions a program asks people who offer to mentor, the approval
queue (approve, decline with a reason, ask for more), and the onboarding note approved
mentors acknowledge before they take asks. Models live in `programs.models`."""
