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
# A calendar whose name another account's calendar also has.
calendar-with-account = { $calendar } ({ $account })
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
channels-lists-title = Calendar lists
channels-lists-lede = CalWatch also watches each account's list of calendars, so a calendar shared with you shows up at once. These are renewed the same way.
channels-lists-label = Calendar-list channels
channels-list-renew-label = Renew the calendar-list channel of { $account } now

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

## The frame: status line, banners
# Text between <strong>, <code> or <link> marks is shown in that style (or as the link).
status-not-connected = Not connected
status-loading = Loading…
status-starting-sandbox = Starting the sandbox…
status-not-signed-in = Not signed in
status-needs-sign-in = Needs sign-in
status-needs-attention = Needs attention
status-receiver-not-listening = Receiver not listening
status-offline = Offline
status-push-down = Push down · checking Google every { $minutes } min
status-not-watching = Not watching any calendar yet
status-watching = Watching { $count } { $count ->
    [one] calendar
   *[other] calendars
}
status-paused = { $watching } · paused
status-quiet = { $watching } · quiet hours
nav-channel-count = { $count } channels
banner-not-connected = <strong>Not connected.</strong> This page is open outside the CalWatch app, so there is nothing to show and buttons do nothing. Start CalWatch to use it.
banner-sandbox = <strong>Sandbox</strong> — a simulated Google account on this computer
sandbox-leave = Leave sandbox
sandbox-leaving = Leaving…
error-not-connected = Not connected to CalWatch: this page is open outside the app.
banner-dismiss = Dismiss this message

## What to do about an error (the button next to it)
remedy-sign-in-again = Sign in again
remedy-import-secret = Import a client secret
remedy-set-callback = Set the callback URL
remedy-verify-domain = Verify the domain
remedy-change-port = Change the receiver port

## Common words
done-mark = (done)
todo-mark = (to do)
save = Save
cancel = Cancel
saving = Saving…
go-to-setup = Go to Setup
account-needs-sign-in = needs sign-in
account-offline = offline
account-signed-in = signed in
signed-in-as = Signed in as <strong>{ $email }</strong>
add-account = Add another Google account
waiting-for-browser = Waiting for the browser…

## Setup, the steps
setup-sandbox-title = No Google account at hand?
setup-sandbox-text = Start a simulated Google account on this computer with a sample calendar. Watch it, add or move events from the Sandbox panel, and see the notifications. Leave the sandbox any time to set up your real account.
setup-sandbox-try = Try it without a Google account
setup-sandbox-starting = Starting…
setup-secret-sandbox = The sandbox brings its own client; nothing to import.
setup-secret-what = The <code>client_secret_….json</code> file of a <strong>Desktop app</strong> OAuth client from the Google Cloud console:
setup-console-library = <link>APIs & Services → Library → Google Calendar API</link>: enable it.
setup-console-consent = <link>OAuth consent screen</link>: add yourself as a test user.
setup-testing-note = While the app is in “Testing” status, Google asks you to sign in again every 7 days; CalWatch then asks you and keeps everything else.
setup-console-credentials = <link>Credentials → Create credentials → OAuth client ID</link>: application type <strong>Desktop app</strong>, then download its JSON.
setup-client = Client <code>{ $id }</code>
setup-client-imported = imported
setup-choose-file = Choose file…
setup-or = or
setup-secret-path-label = Path to the client secret file
setup-secret-path-placeholder = /home/you/Downloads/client_secret_….json
setup-import = Import
setup-sign-in-explain = CalWatch opens Google's sign-in page in your browser and asks to read your calendars.
setup-sign-in = Sign in with Google
setup-callback-explain = The HTTPS address of a tunnel or reverse proxy that forwards to this computer's receiver. Google posts change notices there.
setup-callback-none = No address saved yet.
setup-callback-untested = Saved, not tested yet: press Test.
setup-callback-failing = Saved, but the last Test failed.
setup-callback-passed = Tested: it reaches this CalWatch.
setup-push-down = Push is down: { $reason } — checking Google every { $minutes } { $minutes ->
    [one] minute
   *[other] minutes
} meanwhile.
setup-push-down-no-answer = the public address does not answer
setup-push-works = Push works: Google's notices reach this CalWatch.
setup-callback-label = Public callback URL
setup-callback-placeholder = https://calwatch.example.net/notifications
setup-test = Test
setup-testing = Testing…
setup-probe-rtt = Round trip { $ms } ms
setup-probe-passed = passed
setup-probe-failed = failed
probe-not-reachable = Not reachable yet.
probe-local-http = Reachable at this local http address — not from the internet: Google delivers only to https.
probe-reachable = Reachable from the internet.
setup-listening = Listening on <code>{ $address }</code>
setup-not-listening = Not listening on <code>{ $address }</code>
setup-receiver-point = Point your tunnel or proxy at this address.
setup-receiver-unknown = Unknown until CalWatch is connected.
setup-watching = Watching { $count } { $count ->
    [one] calendar
   *[other] calendars
}.
setup-watch-pick = Pick the calendars you want to hear about.

## Setup, the tunnel offer
tunnel-heading = Get a public address for me
tunnel-use = Use { $tool }
tunnel-starting = Starting…
tunnel-none = No tunnel tool is installed on this computer. Install one of these, then come back here; or run its command yourself and paste the address it prints below.
tunnel-state-starting = starting…
tunnel-state-running = running
tunnel-state-restarting = restarting…
tunnel-state-failed = could not start
tunnel-state-stopped = stopped
tunnel-status = { $tool }: { $state }
tunnel-at = at <code>{ $url }</code>
tunnel-stop = Stop it
tunnel-tools = Tunnel tools
tunnel-other-tools = Other tunnel tools
tunnel-install = Install { $tool }
tunnel-copy = Copy
tunnel-copied = Copied
tunnel-label-cloudflared = Cloudflare quick tunnel
tunnel-label-ngrok = ngrok
tunnel-label-tailscale = Tailscale Funnel
tunnel-summary-cloudflared = Free, no account needed. The address changes every time it starts (CalWatch moves your channels for you), so it is meant for trying things; its address cannot stay verified with Google.
tunnel-summary-ngrok = Needs a free ngrok account and its authtoken (<code>ngrok config add-authtoken …</code>). With your free static domain the address stays the same and can be verified with Google.
tunnel-summary-tailscale = A stable address on your tailnet: the best choice for daily use. Needs HTTPS certificates and Funnel enabled for your tailnet, and its domain can be verified with Google.

## Setup, domain verification
verify-heading = Domain verification
verify-only-if = (only if Google refuses the address)
verify-explain = Some Google Cloud projects get “Unauthorized WebHook callback channel” until the callback's domain is verified. CalWatch serves the verification file for you:
verify-step-search-console = In <link>Google Search Console</link>, add <code>{ $origin }/</code> as a URL-prefix property and choose the <strong>HTML file</strong> method.
verify-step-search-console-no-origin = In <link>Google Search Console</link>, add the public address as a URL-prefix property and choose the <strong>HTML file</strong> method.
verify-step-paste = Paste the file's name it offers (<code>google…html</code>) here and save, then press Verify there.
verify-step-cloud-console = In <link>Cloud Console → APIs & Services → Domain verification</link>, add the domain. Then Watch again.
verify-quick-tunnel = A quick tunnel's address changes every time it starts, so it cannot stay verified: use Tailscale Funnel or an ngrok domain for a verified address.
verify-file-label = Verification file name
verify-serving = Serving <code>{ $path }</code>
verify-stop = Stop serving it

## Calendars, rows and rules
calendars-refresh = Refresh
calendars-refreshing = Refreshing…
calendars-sign-in-first = Sign in to see your calendars.
calendars-none-to-show = No calendars to show.
calendars-none-yet = No calendars yet.
calendars-of = Calendars of { $account }
calendar-primary = primary
calendar-removed = removed from Google
calendar-watching = watching
calendar-watch = Watch
calendar-watching-busy = Watching…
calendar-watch-label = Watch { $calendar }
calendar-stop = Stop
calendar-stopping = Stopping…
calendar-stop-label = Stop watching { $calendar }
access-reader = read-only
access-reader-title = You can see the events in this calendar but not change them.
access-free-busy = free/busy only
access-free-busy-title = You can only see when this calendar is busy; CalWatch can tell you that something changed, not what.
rules-mute = Mute
rules-mute-explain = (keep watching and recording, no toasts)
rules-muted = muted
rules-which = Which changes
rules-tell-me = Tell me about
rules-kind-created = New events
rules-kind-time = Time changes
rules-kind-cancelled = Cancellations
rules-kind-title-place = Title and place changes
rules-kind-replies = Guests' replies
rules-within-before = Only events within the next
rules-within-days-label = days
rules-within-after = days
rules-within-invalid = From 1 to 3650 days.

## Channels, states
channels-list = Channels
badge-active = active
badge-renewing = renewing
badge-expiring-soon = expiring soon
badge-expired = expired
badge-error = error
badge-pending = pending
badge-stopped = stopped

## Activity, diffs and holds
activity-focus = Showing the { $count } { $count ->
    [one] change
   *[other] changes
} told in the summary.
activity-changes = Changes
activity-silenced = silent: { $why }
activity-silenced-title = No notification was shown for this change
activity-what-changed = What changed
activity-changed-to = changed to
activity-open = Open in Google Calendar
field-time = Time
field-all-day = All day
field-title = Title
field-place = Place
field-status = Status
field-response = Your response
field-description = Description
field-repeats = Repeats
field-replies = Replies
hold-paused-until = Notifications are paused until { $until }. Changes are still recorded here, and told in one summary when the pause ends.
hold-paused = Notifications are paused. Changes are still recorded here.
hold-resume = Resume
hold-resuming = Resuming…
hold-quiet-until = Quiet hours until { $until }: changes are recorded here and told in one summary when they end.
hold-quiet = Quiet hours: changes are recorded here and told in one summary when they end.

## Settings, the rest
settings-not-signed-in = Not signed in.
settings-not-connected = Settings appear once CalWatch is connected.
settings-notifications = Notifications
settings-pause = Pause notifications
settings-pause-explain = Changes are still recorded in Activity; no pop-ups.
settings-autostart = Start at login
settings-autostart-explain = CalWatch waits in the tray from the moment you log in.
settings-watch-new = Watch new calendars automatically
settings-watch-new-explain = A calendar newly shared with one of your accounts is watched at once, instead of offered in a notification.
settings-syncing = Syncing
settings-threshold = Summary threshold
settings-threshold-help = More changes than this in one sync become a single summary notification.
settings-threshold-invalid = A whole number, 1 or more.
settings-backstop = Backstop sync every (minutes)
settings-backstop-help = A quiet check in case a notice from Google went missing. 0 turns it off.
settings-backstop-invalid = Minutes from 0 (off) to 1440.
settings-poll = While push is down, check Google every (minutes)
settings-poll-help = When Google's notices cannot reach this computer, every watched calendar is checked this often instead.
settings-poll-invalid = Minutes from 1 to 60.
settings-port = Receiver port
settings-port-help = The local port your tunnel or proxy forwards to.
settings-port-invalid = A port from 1 to 65535.
settings-saved = Saved.
settings-accounts = Accounts
settings-accounts-list = Google accounts
settings-sign-out-question = Sign out { $email }? CalWatch stops this account's channels, forgets its tokens and stops notifying you about its calendars. Your other accounts are not touched.
settings-delete-history = Also delete this account's history
settings-sign-out = Sign out
settings-signing-out = Signing out…
settings-keep-signed-in = Keep me signed in
settings-sign-out-ask = Sign out…
settings-history = History
settings-history-explain = CalWatch keeps what changed (titles, times, links) for 180 days, for the Activity list.
settings-clear-question = Delete every change in Activity? This cannot be undone.
settings-clear = Clear history
settings-clearing = Clearing…
settings-keep-it = Keep it
settings-clear-ask = Clear history…
settings-cleared = History cleared.
notices-heading = What to tell
notices-pause-hour = Pause for 1 hour
notices-pause-tomorrow = Pause until tomorrow
notices-skip-declined = Skip changes to events I declined
notices-skip-only-attendee = Skip events where I am the only attendee
notices-guest-replies = Tell other guests' replies
notices-replies-organizer = for events I organise
notices-replies-always = for every event
notices-replies-never = never
notices-quiet = Quiet hours
notices-from = from
notices-to = to
notices-quiet-days = Days quiet hours start on
notices-quiet-explain = While quiet or paused, changes are recorded and told in one summary when it ends.

## Sandbox, the rest
sandbox-add-heading = Add an event
sandbox-field-title = Title
sandbox-title-placeholder = Team sync
sandbox-field-date = Date
sandbox-field-start = Start
sandbox-field-duration = Duration
sandbox-field-calendar = Calendar
sandbox-minutes = { $minutes } min
sandbox-hours = { $hours } h
sandbox-hours-minutes = { $hours } h { $minutes } min
sandbox-not-watched = { $calendar } (not watched)
sandbox-add = Add
sandbox-adding = Adding…
sandbox-loading = Loading events…
sandbox-empty = No events yet. Add one above.
sandbox-events = Sandbox events
sandbox-rename-label = New title for { $title }
sandbox-no-title = (no title)
sandbox-all-day = { $date }, all day
sandbox-move-earlier = Move { $title } one hour earlier
sandbox-move-later = Move { $title } one hour later
sandbox-rename = Rename
sandbox-delete = Delete
sandbox-delete-label = Delete { $title }

## Date and time fields
date-field-year = Year
date-field-month = Month
date-field-day = Day
time-field-hour = Hour
time-field-minute = Minute
time-field-period = AM or PM
