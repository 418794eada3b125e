"""Schedules of speed mentoring and roundtables, on live data: the registrations read as the
engine's records with every rule of the program in them (`records`), the engine's exact
schedule (`solve`), and the figures of the preview (`figures`). Reads and computes only;
`pairup.events.services_schedule` stores what these find."""
