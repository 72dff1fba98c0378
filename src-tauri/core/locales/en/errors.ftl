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
