"""The one bridge between asks and the engine: the engine's records of mentors and asks read
from the database (`records`), whether a mentor may take an ask (`eligibility`), the ranked
suggestions with their reasons (`suggestions`), the mentor directory's text search
(`search`), and the topics suggested from an ask's question (`topics`). Nothing else in the
project builds engine records or calls `recommend`, `search` or `suggest_topics`."""
