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
