# German conventions: day with a full stop, 24-hour clock, decimal comma.
DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = "j. F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j. M"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "j. M, H:i"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

WEEKDAY_DATETIME_FORMAT = "l, j. F Y, H:i"
WEEKDAY_SHORT_DATETIME_FORMAT = "D, j. M Y, H:i"
WEEKDAY_MONTH_DAY_FORMAT = "l, j. F"
WEEKDAY_MONTH_DAY_TIME_FORMAT = "l, j. F, H:i"
