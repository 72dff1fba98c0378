# The engine's errors as the window shows them. The code ({ code }) never changes; these
# are the sentences for the errors whose wording is fixed. The others carry a sentence
# made where they happen.

error-no-client-secret = Import your Google OAuth client file (client_secret_….json, a "Desktop app" client) before signing in.
error-sign-in-failed = Sign-in failed: { $reason }
error-sign-in-cancelled = Sign-in was cancelled.
error-needs-sign-in = Your Google sign-in has expired or is missing. Sign in with Google again.
error-no-callback = Set the public callback URL (your tunnel's https address) in Setup before watching a calendar.
error-port-in-use = Port { $port } is already in use by another program. Choose another port in Settings, and point your tunnel at it.
error-sync-stopped = The sync was stopped before it finished, because the calendar is no longer watched or CalWatch is stopping.

## Google, the connection and its answers
error-google-unreachable = Google could not be reached: { $reason }.
error-google-offline = Google could not be reached ({ $reason }); CalWatch will retry.
error-google-server = Google had a server error (HTTP { $status }); CalWatch will try again later.
error-google-rate-limited = Google's rate limit was still exceeded ({ $reason }) after { $attempts } attempts; CalWatch will try again later.
error-google-not-found = Google does not know this calendar or channel (404).

## The callback URL
error-callback-not-https = The callback URL must start with https:// — Google only delivers to HTTPS. Use the https address your tunnel (Tailscale Funnel, ngrok, cloudflared) gives you.
error-callback-not-url = “{ $url }” is not a complete web address ({ $reason }). Enter the full https:// address your tunnel gives you, e.g. https://my-laptop.example.ts.net/notifications.
error-callback-no-host = The callback URL “{ $url }” has no host name. Enter the full address your tunnel gives you, e.g. https://my-laptop.example.ts.net/notifications.

## The OAuth client file
error-secret-unreadable = CalWatch could not read { $path }: { $reason }. Check the file is there and readable, or download the client JSON again from Google Cloud Console → APIs & Services → Credentials.
error-secret-too-large = { $path } is larger than an OAuth client file ({ $bytes } bytes at most), so CalWatch did not read it. In Google Cloud Console → APIs & Services → Credentials, create an OAuth client ID of type “Desktop app” and download its JSON, then choose that file.
error-secret-not-a-file = { $path } is not an ordinary file (it is a folder, device or pipe), so CalWatch did not read it. In Google Cloud Console → APIs & Services → Credentials, create an OAuth client ID of type “Desktop app” and download its JSON, then choose that file.
error-secret-not-json = This file is not JSON, so it is not a Google OAuth client file. In Google Cloud Console → APIs & Services → Credentials, create an OAuth client ID of type “Desktop app” and download its JSON (the download button next to the client), then choose that file.
error-secret-web-client = This is a “Web application” OAuth client; CalWatch signs in as a desktop app and needs a “Desktop app” client. In Google Cloud Console → APIs & Services → Credentials, create an OAuth client ID of type “Desktop app” and download its JSON.
error-secret-not-oauth-client = This JSON file is not an OAuth client (it has no “installed” section; perhaps it is a service-account key or another download). In Google Cloud Console → APIs & Services → Credentials, create an OAuth client ID of type “Desktop app” and download its JSON.
error-secret-missing-field = The OAuth client file has no “{ $field }”, so it cannot be used; it may have been edited or cut short. Download the Desktop app client's JSON again from Google Cloud Console → APIs & Services → Credentials.

## The keyring and the sign-in
error-keyring-unavailable = The system keyring is locked / not available: { $reason }. Unlock your keyring (or start one, such as GNOME Keyring or KWallet) and try again; CalWatch keeps your Google sign-in only there, never in a file.
# Reasons, shown after "Sign-in failed: ".
error-sign-in-access-denied = access was not granted in the browser (access_denied); sign in again and allow CalWatch to see your calendars
error-sign-in-wrong-state = the browser returned a sign-in answer CalWatch did not ask for (wrong state); nothing was saved; start the sign-in again
error-sign-in-timed-out = the sign-in was not finished within { $minutes } minutes; start it again
error-sign-in-no-refresh-token = Google did not grant offline access (no refresh token); sign in again
error-sign-in-scopes = CalWatch needs permission to see your calendars and their events; sign in again and tick every box (missing: { $missing })

## Channels, calendars, accounts, the receiver and the data
error-no-channel = There is no channel { $id }.
error-no-active-channel = There is no active channel { $id }.
error-channel-renewing = This channel is being renewed right now; its replacement shows up here in a moment.
error-database = The local database failed: { $reason }.
error-calendar-not-listed = Google does not list a calendar “{ $calendar }” for { $account }.
error-calendar-gone = The calendar “{ $calendar }” no longer exists or is no longer shared with { $account }, so CalWatch stopped watching it.
error-calendar-left = The calendar “{ $calendar }” no longer exists or is no longer shared with { $account }.
error-calendar-hidden = The calendar “{ $calendar }” was hidden in the calendar list of { $account }, so CalWatch stopped watching it. Show it in Google Calendar to watch it again.
error-calendar-hidden-unwatched = The calendar “{ $calendar }” was hidden in the calendar list of { $account }. Show it in Google Calendar to watch it.
error-no-account = CalWatch holds no account { $account }.
error-receiver-not-running = The local receiver is not running.
error-receiver-bind = The receiver could not listen on { $address }: { $reason }. Choose another port in Settings.
error-data-folder = CalWatch could not create its data folder { $path }: { $reason }.

## Settings the window sends
error-setting-threshold = The summary threshold must be 1 or more: with 0, even a single change would be folded into a summary.
error-setting-backstop = The backstop interval must be from 0 (off) to 1440 minutes (a day).
error-setting-port = The receiver port must be from 1 to 65535: port 0 would listen somewhere new at every start, and your tunnel could not follow it.
error-setting-poll = The interval for checking Google while push is down must be from 1 to 60 minutes.

## The app around the engine: dialogs, links, the sandbox
shell-cannot-start = CalWatch cannot start
shell-picker-title = Choose the client secret file you downloaded from Google Cloud
shell-picker-filter = OAuth client (JSON)
shell-picker-failed = The file picker failed: { $reason }
shell-https-only = Only https links are opened from CalWatch.
shell-bad-command = CalWatch could not do that: { $reason }
shell-agent-gone = CalWatch stopped running in the background. Open CalWatch again to start it.
shell-window-failed = The CalWatch window could not open: { $reason }
shell-browser-command-failed = The browser command could not start: { $reason }
shell-browser-failed = The browser could not be opened: { $reason }
shell-login-item-failed = Start at login could not be changed: { $reason }
shell-login-item-no-home = Start at login needs a home folder, and $HOME is not set.
shell-login-item-not-written = Start at login could not be turned on: { $file } could not be written ({ $reason }).
shell-login-item-not-removed = Start at login could not be turned off: { $file } could not be removed ({ $reason }).
shell-sandbox-not-running = The sandbox is not running: choose “Try it without a Google account” first.
shell-sandbox-cannot-start = The sandbox could not start: { $reason }
shell-sandbox-event-gone = This event is no longer in the sandbox: it was deleted meanwhile. The list shows what is there now.
shell-sandbox-calendar-gone = This calendar is no longer in the sandbox. The list shows what is there now.
shell-sandbox-bad-time = “{ $text }” is not a date or time the sandbox understands.

## The callback test's steps (Setup)
probe-step-address = Address
probe-step-dns = Name lookup (DNS)
probe-step-connection = Connection
probe-step-tls = Certificate (TLS)
probe-step-receiver = CalWatch answers
# What each step found, or what is wrong and what to do (after the step's name).
probe-not-a-url = this is not a web address ({ $reason })
probe-http-refused = the address must start with https://: Google only delivers to HTTPS addresses
probe-wrong-scheme = the address must start with https://, not { $scheme }://
probe-no-host = the address has no host name
probe-no-port = the address has no port
probe-https = https address
probe-plain-http = plain http, allowed for local testing only
probe-ip-address = { $ip } is an IP address, no lookup needed
probe-no-such-host = could not find { $host } (DNS): is the address spelled right and the tunnel running?
probe-resolves = { $host } resolves to { $ip }
probe-lookup-slow = looking up { $host } took longer than { $seconds } s
probe-nothing-listens = nothing accepted a connection at { $host }:{ $port } ({ $reason }): is the tunnel running?
probe-timed-out = timed out
probe-connected = connected to { $address }
probe-request-setup = could not set up the request: { $reason }
probe-certificate-rejected = the tunnel's certificate was rejected: Google needs a valid certificate ({ $reason })
probe-handshake-failed = the TLS handshake failed ({ $reason }): is the address really served over https?
probe-no-answer = no answer within { $seconds } s
probe-secure-connection-failed = the secure connection failed: { $reason }
probe-request-failed = the request failed: { $reason }
probe-certificate-accepted = certificate accepted
probe-answered = CalWatch answered in { $ms } ms
probe-receiver-address = CalWatch's receiver address
probe-elsewhere = elsewhere
probe-redirects = that address redirects (HTTP { $status }) to { $to }: Google does not follow redirects, use the final address
probe-not-calwatch = something answered at that address (HTTP { $status }), but not CalWatch: is the tunnel forwarding to { $forward }?

## Noise rules the window sends
error-rules-within-zero = “Only events within the next N days” needs at least 1 day; turn it off to hear about every event.
error-rules-within-too-far = “Only events within the next N days” goes up to 3650 days (ten years).
error-quiet-time-of-day = Quiet hours start and end between 00:00 and 23:59.
error-quiet-seven-days = Quiet hours need a choice for each of the seven days of the week.
error-quiet-same-time = Quiet hours must start and end at different times: pick when they end.
error-quiet-no-day = Quiet hours need at least one day; turn them off to never be quiet.

## The sandbox's own failures
shell-sandbox-refused = The sandbox refused the change: { $reason }
shell-sandbox-clear-failed = The sandbox could not clear its old data: { $reason }
shell-sandbox-folder-failed = The sandbox could not create its data folder: { $reason }
shell-sandbox-server-failed = The sandbox server could not start: { $reason }
shell-sandbox-secret-failed = The sandbox could not write its client secret: { $reason }
shell-sandbox-no-port = The sandbox found no free local port: { $reason }
shell-sandbox-config-invalid = The sandbox configuration is invalid: { $reason }

## Google's refusals
error-google-forbidden = Google refused access ({ $reason }): { $message }.
error-google-bad-request = Google refused the request: { $message }.
error-google-unexpected-status = Google answered with unexpected HTTP status { $status }: { $message }.
error-callback-refused-not-https = Google refused the callback URL { $address }: it must be HTTPS with a valid certificate. Use the https address your tunnel gives you.
error-callback-refused-unauthorized = Google refused to deliver to { $address }: Unauthorized WebHook callback channel (push.webhookUrlUnauthorized). Google wants the address's domain verified: in Setup, paste the name of the verification file Search Console offers (google….html), verify the domain in Search Console, add it in Google Cloud console under APIs & Services → Domain verification, then watch again.

## More sign-in reasons, and the local data
error-sign-in-setup = the Google sign-in settings are not usable: { $reason }
error-sign-in-loopback = CalWatch could not listen for the browser's answer on 127.0.0.1: { $reason }
error-sign-in-browser = the browser could not be opened: { $reason }
error-sign-in-refused = Google refused the sign-in ({ $error })
error-sign-in-exchange = Google did not accept the sign-in ({ $error }); start it again
error-sign-in-no-primary = Google did not say which calendar is your primary one: { $reason }
error-store-open = CalWatch could not open its data at { $path }: { $reason }. Check the folder is writable; if the file is damaged, move it away and CalWatch will start afresh.
error-store-newer = This data was written by a newer version of CalWatch (schema { $found }; this version knows up to { $supported }). Update CalWatch to use it; the file has not been changed.
error-verification-file-name = “{ $text }” is not a verification file name. Paste the file name Search Console offers under “HTML file”: it looks like google1234abcd5678ef90.html.

## The tunnel CalWatch runs (Setup)
tunnel-not-installed = { $program } is not on PATH: install it ({ $url }), then choose it again.
tunnel-not-started = { $program } could not be started: { $reason }.
# A tool that failed before it gave an address: what it said, then what to do.
tunnel-failed = { $said } { $todo }
tunnel-said = { $program } says: “{ $words }”.
tunnel-silent = { $program } stopped ({ $ending }) without a word.
tunnel-ended-no-address = no address after { $seconds } s
tunnel-ended-no-answer = no answer after { $seconds } s
tunnel-ended-not-run = it could not be run: { $reason }
tunnel-todo-ngrok-authtoken = ngrok needs your account's authtoken: sign up at https://dashboard.ngrok.com/signup, run `ngrok config add-authtoken <your token>` (https://dashboard.ngrok.com/get-started/your-authtoken), then try again.
tunnel-todo-enable-funnel = Enable Funnel for your tailnet at the link it gives (the admin console also asks to turn on HTTPS certificates), then try again.
tunnel-todo-tailscale-up = Make sure Tailscale is running and signed in (`tailscale up`), that HTTPS certificates and Funnel are enabled for your tailnet, then try again.
tunnel-todo-check-connection = Check this computer's internet connection, then try again; CalWatch's log has all its output.
tunnel-restarting = { $program } stopped ({ $ending }); CalWatch starts it again in { $seconds } s.
tunnel-no-dns-name = Funnel started, but `tailscale status --json` named no DNS name for this device: check `tailscale status`, then try again.
tunnel-no-address-within = { $program } gave no public address within { $seconds } seconds; CalWatch's log has its output.
tunnel-stopped-early = The tunnel stopped before it gave an address.

## The local data, the settings file and the environment
error-store-unknown-calendar = Calendar { $id } is not known to CalWatch.
error-store-unknown-channel = Channel { $id } is not known to CalWatch.
error-store-unknown-account = Account { $id } is not known to CalWatch.
error-store-invalid = Refused to store inconsistent data: { $reason }.
error-store-corrupt = CalWatch's data contains a value it cannot read: { $reason }.
error-store-database = CalWatch could not use its database: { $reason }.
error-config-no-data-dir = CalWatch could not find a folder for its data. Set CALWATCH_DATA_DIR to a folder it may write to.
error-config-invalid-env = { $var } is set to { $value }, which CalWatch cannot use: { $reason }. Fix or unset it and start CalWatch again.
error-config-settings-unreadable = CalWatch could not read its settings at { $path }: { $reason }. Check the file's permissions.
error-config-settings-invalid = CalWatch's settings at { $path } are damaged ({ $reason }). Fix the file or move it away to start with default settings.
error-config-save-failed = CalWatch could not save its settings to { $path }: { $reason }. Check there is free space and the folder is writable.
error-secret-not-saved = The OAuth client is fine, but CalWatch could not save a copy to { $path }: { $reason }. Check there is free space and the folder is writable.
# $action is read, save or delete.
error-keyring-refused = { $action ->
    [read] The system keyring refused to read the CalWatch sign-in: { $reason }.
    [delete] The system keyring refused to delete the CalWatch sign-in: { $reason }.
   *[save] The system keyring refused to save the CalWatch sign-in: { $reason }.
}
error-keyring-timed-out = The system keyring is locked / not available: it did not answer within { $seconds } s (it may be waiting to be unlocked). Unlock your keyring (or start one, such as GNOME Keyring or KWallet) and try again; CalWatch keeps your Google sign-in only there, never in a file.
error-keyring-ambiguous = { $action ->
    [read] The system keyring refused to read the CalWatch sign-in: { $count } entries match this account; remove the extras.
    [delete] The system keyring refused to delete the CalWatch sign-in: { $count } entries match this account; remove the extras.
   *[save] The system keyring refused to save the CalWatch sign-in: { $count } entries match this account; remove the extras.
}
error-keyring-crashed = { $action ->
    [read] The system keyring refused to read the CalWatch sign-in: the keyring call failed unexpectedly ({ $reason }).
    [delete] The system keyring refused to delete the CalWatch sign-in: the keyring call failed unexpectedly ({ $reason }).
   *[save] The system keyring refused to save the CalWatch sign-in: the keyring call failed unexpectedly ({ $reason }).
}
error-task-failed = CalWatch's background task failed: { $reason }.
error-settings-unknown-keys = { $file } has settings CalWatch does not know, which it ignores: { $keys }. The file is left as it is; fix it and restart CalWatch.
error-settings-unknown-keys-timings = { $file } has settings CalWatch does not know, which it ignores: { $keys }. { $timings } belongs under “timings”. The file is left as it is; fix it and restart CalWatch.

## The page the browser tab shows when Google sends it back to CalWatch
signin-page-done = Signed in to CalWatch — you can close this tab.
signin-page-failed = CalWatch could not sign you in: { $reason }
signin-page-not-ours = The browser brought back a sign-in answer CalWatch did not ask for; nothing was saved. CalWatch is still waiting for Google's answer to the sign-in it started.
signin-page-nothing-here = This address only finishes a CalWatch sign-in; there is nothing here.
signin-page-gone = This sign-in is no longer in progress. Start again from CalWatch.
