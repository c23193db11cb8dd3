"""What to call a person: the short name they chose, or one derived from their full name.

Greetings everywhere (emails, the digest, the site) use `User.get_short_name`, never the full
name: "Hello Jörg," rather than "Hello Dr. Jörg Müller," or "Hello Dr.,".
"""

# Academic and courtesy titles that come before a first name (lower case, without dots).
TITLES = {
    "dr",
    "prof",
    "professor",
    "pd",
    "ing",
    "dipl",
    "mag",
    "med",
    "phil",
    "rer",
    "nat",
    "jur",
    "oec",
    "habil",
    "hc",
    "mult",
    "mr",
    "mrs",
    "ms",
    "mx",
    "herr",
    "frau",
    "sir",
    "dame",
    "lord",
    "lady",
}


def _is_title(word):
    parts = [part for part in word.replace("-", ".").split(".") if part]
    return bool(parts) and all(part.lower() in TITLES for part in parts)


def short_name_from(full_name):
    """The first word of the name that is not a title ("Prof. Dr. Anna Schmidt" → "Anna");
    "Müller, Jörg" → "Jörg". Empty when the name holds nothing else."""
    name = " ".join((full_name or "").split())
    if "," in name:
        family, _comma, given = name.partition(",")
        name = f"{given} {family}"
    for word in name.replace(",", " ").split():
        if not _is_title(word):
            return word
    return ""
