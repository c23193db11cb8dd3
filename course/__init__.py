"""Users and sign-in, the course pages (home, course) and what every other package shares:
translations, date formats, security helpers."""
