"""Conference buddies end to end: groups formed by the engine from the registrations (a
mentor and one mentee, or two when mentors are short), a draft the organiser previews and
publishes, an introduction to each group, and a shared thread for the conference's span
that closes after its last day with a thank-you prompt."""
