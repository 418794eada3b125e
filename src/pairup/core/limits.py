"""How much one person may send at once. The services enforce these, so the web, the API and
the command line agree; docs/api.md lists them under "Limits". Changing a text length here
changes a model's max_length too (and needs a migration): keep them in step."""

from __future__ import annotations

# Profiles
DISPLAY_NAME_MAX_LENGTH = 80
HEADLINE_MAX_LENGTH = 140
BIO_MAX_LENGTH = 4000
SITE_MAX_LENGTH = 80
TAGS_MAX = 20
TAG_MAX_LENGTH = 40
LANGUAGES_MAX = 20
EXPERTISE_MAX = 30  # topics a mentor offers
GOALS_MAX = 20  # topics a mentee wants to grow in

# Asks
ASK_TOPICS_MAX = 5
ASK_QUESTION_MAX_LENGTH = 2000
ASK_TRIED_MAX_LENGTH = 2000

# Engagements
MESSAGE_MAX_LENGTH = 5000
CLARIFICATION_MAX_LENGTH = 2000  # a mentor's clarifying question, and the answer
THANKS_MAX_LENGTH = 2000
SHORT_NOTE_MAX_LENGTH = 300  # decline notes, cancel reasons
RESOURCE_TITLE_MAX_LENGTH = 200
RESOURCE_URL_MAX_LENGTH = 500
RESOURCE_NOTE_MAX_LENGTH = 500
FEEDBACK_MAX_LENGTH = 2000
HANDOVER_NOTE_MAX_LENGTH = 1000  # the admins' note to the mentor taking an engagement over
REPORT_MAX_LENGTH = 2000
REPORT_MESSAGES_MAX = 200

# Sessions
SESSION_COMMENT_MAX_LENGTH = 500

# Availability
WEEKLY_WINDOWS_MAX = 70  # after overlapping windows are merged; ten a day
OVERRIDES_MAX = 400  # date override rows (a day off, or one window on a date)

# API tokens
TOKEN_NAME_MAX_LENGTH = 80

# Error bodies: a refusal names at most this many of the items at fault, then "and N more".
ERROR_ITEMS_LISTED = 10

# Profile photos: the upload as sent, and the picture as decoded. A decompression bomb (a
# small file that decodes to a huge picture) is refused from its header, before decoding.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # 40 megapixels: larger than any phone photo under 5 MB
AVATAR_SIZE = 256  # the stored square, in pixels (shown at 32-96 px, sharp on 2x screens)

# Program members: addresses invited at once (one a line), and how long a personal
# invitation link works.
MEMBER_INVITES_MAX = 500
MEMBER_INVITE_DAYS_MAX = 90
MEMBER_INVITE_DAYS_DEFAULT = 14

# Roster imports (programs.roster): the file as uploaded, its rows, and an XLSX workbook as
# unzipped (a small zip can inflate to gigabytes: refused from its directory, before reading).
ROSTER_MAX_BYTES = 10 * 1024 * 1024
ROSTER_MAX_ROWS = 20_000
ROSTER_XLSX_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
ROSTER_POOLS_MAX = 20  # pools one line of a roster puts a person in
POOL_NAME_MAX_LENGTH = 80  # programs.Pool.name
