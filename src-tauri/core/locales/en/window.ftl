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

## Sections
nav-sections = Sections
nav-setup = Setup
nav-calendars = Calendars
nav-channels = Channels
nav-activity = Activity
nav-settings = Settings
nav-sandbox = Sandbox

## Setup
setup-title = Setup
setup-lede = Five steps from a fresh install to a notification the moment your calendar changes.
setup-step-secret = Import your OAuth client secret
setup-step-sign-in = Sign in with Google
setup-step-callback = Public callback URL
setup-step-receiver = Local receiver
setup-step-watch = Watch a calendar

## Calendars
calendars-title = Calendars
calendars-lede = Watch a calendar to hear the moment anything in it changes.

## Channels
channels-title = Channels
channels-lede = Google delivers change notices through these. CalWatch renews each one before it expires.
channels-empty = No channels. Watch a calendar and its channel appears here.
channels-open-calendars = Open Calendars
channels-expires = Expires { $when }
channels-created = Created
channels-expires-at = Expires at
channels-last-message = Last message
channels-none-yet = none yet
channels-renew = Renew now
channels-renewing = Renewing…
channels-renew-label = Renew the channel of { $calendar } now
channels-stop = Stop
channels-stopping = Stopping…
channels-stop-label = Stop the channel of { $calendar }

## Activity
activity-title = Activity
activity-lede = What changed in your watched calendars, newest first.
activity-empty = No changes yet. When something in a watched calendar changes, it shows up here.
activity-show-all = Show all
kind-created = Added
kind-updated = Changed
kind-cancelled = Cancelled

## Settings
settings-title = Settings

## Sandbox
sandbox-title = Sandbox
sandbox-lede = Events of the simulated account. Change them here and CalWatch notifies you as it would for Google.
