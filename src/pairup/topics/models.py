from __future__ import annotations

from django.db import models


class Topic(models.Model):
    """One node of the topic taxonomy (career → negotiating an offer). Identified by slug."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.CharField(max_length=300, blank=True)
    # Other words people use for the topic ("salary, pay, counteroffer"): what the ask form
    # reads, besides the name and description, to suggest topics from a question.
    synonyms = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other words people use for this topic, separated by commas; topics are "
        "suggested from a question's words through them.",
    )
    position = models.PositiveIntegerField(default=0)
    # In the site's taxonomy, which every program may offer. A topic one program added for
    # itself is not shared: only that program offers it (programs.queries.program_topics),
    # and the taxonomy's lists (`queries.topics_tree`, GET /topics) leave it out.
    shared = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> str:
        """Slug path from the root, e.g. `career/negotiating-an-offer` (what the engine reads)."""
        parts = [self.slug]
        node = self.parent
        seen = {self.pk}
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.slug)
            node = node.parent
        return "/".join(reversed(parts))
