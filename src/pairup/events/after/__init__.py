"""After the event: who met whom (from the published schedule's seats), ratings of each
conversation, a mutual "stay in touch", follow-up asks to people met, and the organiser's
summary."""
