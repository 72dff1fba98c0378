# The tray icon's tooltip and menu.

tray-watching = { $count ->
    [0] CalWatch — not watching any calendar yet
    [one] CalWatch — { $count } calendar watched
   *[other] CalWatch — { $count } calendars watched
}
tray-next-renewal = next renewal in { $wait }
tray-paused = notifications paused
tray-paused-until = notifications paused until { $time }
tray-quiet = quiet hours
tray-quiet-until = quiet hours until { $time }
tray-sign-in-again = sign in again
tray-offline = Google unreachable
tray-receiver-down = the receiver is not listening
tray-channel-attention = a channel needs attention
tray-push-works = Push works
tray-push-unchecked = Push not checked yet
# Durations: "5 d", "3 h", "12 min".
tray-days = { $n } d
tray-hours = { $n } h
tray-minutes = { $n } min
tray-now = now

menu-open = Open CalWatch
menu-pause = Pause notifications
menu-pause-hour = For 1 hour
menu-pause-tomorrow = Until tomorrow
menu-pause-until-resumed = Until I resume
menu-resume = Resume notifications
menu-start-at-login = Start at login
menu-quit = Quit

## Push down, the tray's line and its reasons (also shown in Setup)
push-down = Push is down: { $reason }
push-down-polling = Push is down: { $reason } — checking Google every { $minutes ->
    [one] minute
   *[other] { $minutes } minutes
} meanwhile
push-reason-not-an-address = the callback URL is not a usable address
push-reason-no-name = the public address's name cannot be found
push-reason-no-answer = the public address does not answer
push-reason-certificate = the public address's certificate is not accepted
push-reason-tunnel-only = the tunnel answers but does not reach CalWatch
push-reason-elsewhere = the public address leads somewhere other than CalWatch
push-reason-redirects = the public address redirects elsewhere
