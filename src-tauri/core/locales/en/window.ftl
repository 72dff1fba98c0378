# The window's words (ui/src/lib/i18n.ts reads this file).

## Settings → Language
settings-language = Language
settings-language-system = System ({ $system })
settings-language-english = English
settings-language-korean = 한국어
settings-hour-cycle = Clock
settings-hour-cycle-automatic = Automatic
settings-hour-cycle-h12 = 12-hour
settings-hour-cycle-h24 = 24-hour

## Countdowns and relative times
countdown-expired = expired
countdown-days = { $days } d { $hours } h
countdown-hours = { $hours } h { $minutes } m
countdown-minutes = { $minutes } m { $seconds } s
countdown-seconds = { $seconds } s
ago-just-now = just now
ago-minutes = { $n } min ago
ago-hours = { $n } h ago
ago-yesterday = yesterday
ago-days = { $n } d ago
