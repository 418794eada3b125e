"""Events inside a program: speed mentoring, roundtables and conference buddies, with
registration, schedules from the engine, personal agendas, a live room view and follow-up."""
