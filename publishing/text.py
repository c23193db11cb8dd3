"""What a piece becomes on a network: its Markdown as plain text, and a thread where one post
cannot hold it. The conversion and the sentence-boundary split are lessons.network_text's (one
home: the publish page's previews use the same); this module only adds what posting needs."""

import re

from lessons import network_text

# Links in a post (the Bluesky facets and the link card).
LINK = re.compile(r"https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]", re.IGNORECASE)


def plain_text(markdown):
    return network_text.plain_text(markdown)


def thread(text, network, limit):
    """The posts of `text` on `network`, each within `limit` characters as the network counts; one
    post where the network has no threads (LinkedIn: the form keeps it within the limit)."""
    if network not in network_text.THREAD_PLATFORMS:
        return [text.strip()] if text.strip() else []
    return network_text.split_thread(text, network, limit)


def links(text):
    """[(url, start, end)] in character positions."""
    return [(match.group(0), match.start(), match.end()) for match in LINK.finditer(text)]
