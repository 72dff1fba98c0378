# Toasts: a change's headline and body, summaries and digests, series rules in words.
# Titles, places and calendar names come from Google and are passed in unchanged.

no-title = (No title)

## A calendar whose name another account's calendar also has
calendar-with-account = { $calendar } ({ $account })

## Headlines of one change
event-added = { $title } added
event-cancelled = { $title } cancelled
event-changed = { $title } changed
event-moved = { $title } moved
event-extended = { $title } extended
event-shortened = { $title } shortened
event-renamed = { $before } renamed to { $after }
event-place-moved = { $title } moved to { $place }
event-place-removed = { $title } no longer has a place
event-tentative = { $title } is now tentative
event-confirmed = { $title } confirmed
event-status = { $title } is now { $status }
event-accepted = You accepted { $title }
event-declined = You declined { $title }
event-maybe = You said maybe to { $title }
event-needs-reply = { $title } needs your reply
event-details = { $title } details updated
event-all-day = { $title } is now all day
event-timed = { $title } now has a set time
event-replies = { $title }: { $replies }
event-reply = { $replies } { $title }
series-stopped = { $title } no longer repeats
series-started = { $title } now repeats
series-endless = { $title } now repeats with no end
series-ends = { $title } now ends on { $day }
series-reshaped = { $title } repeats differently

## Body parts
# A title in quotes (a rename).
quoted = “{ $title }”
change-arrow = { $before } → { $after }
all-day-side = { $span }, all day
side-title = now { $title }
side-place = now at { $place }
side-no-place = no place
side-status = now { $status }
side-accepted = you accepted
side-declined = you declined
side-maybe = you said maybe
side-needs-reply = needs your reply
side-details = details updated
side-repeats = now { $rule }
side-no-repeat = no longer repeats
# One day with start and end times: "Tue 3 Dec, 10:00–11:00".
span-times = { $start }–{ $end }
# Across days: "Tue 3 Dec, 22:00 – Wed 4 Dec, 01:00".
span-days = { $start } – { $end }
# The parts of a body, joined.
body-parts = { $first } · { $rest }

## Summaries and digests
summary = { $count ->
    [one] { $count } change in { $calendar }
   *[other] { $count } changes in { $calendar }
}
summary-away = { $count ->
    [one] { $count } change in { $calendar } while you were away
   *[other] { $count } changes in { $calendar } while you were away
}
digest = { $calendars ->
    [one] { $count ->
        [one] While you were away: { $count } change in { $calendars } calendar
       *[other] While you were away: { $count } changes in { $calendars } calendar
    }
   *[other] While you were away: { $count } changes in { $calendars } calendars
}
and-more = and { $count } more

## A calendar newly shared with an account (its name is Google's, never translated)
new-calendar = New calendar: { $calendar } — Watch?
new-calendar-body = Now in the calendar list of { $account }. Open Calendars to watch it.

## Buttons on a toast, where the notification server shows them
toast-action-open = Open
toast-action-join = Join
toast-action-watch = Watch
## Pressing Watch on a new calendar's toast did not work; the body is the reason
toast-watch-failed = Could not watch { $calendar }

## Series rules in words
rule-none = does not repeat
rule-daily = { $interval ->
    [one] daily
   *[other] every { $interval } days
}
rule-weekly = { $interval ->
    [one] weekly
   *[other] every { $interval } weeks
}
rule-monthly = { $interval ->
    [one] monthly
   *[other] every { $interval } months
}
rule-yearly = { $interval ->
    [one] yearly
   *[other] every { $interval } years
}
rule-on = { $rule } on { $on }
rule-month-day = day { $days }
month-day = { $n }
rule-count = { $count ->
    [one] { $rule }, once
   *[other] { $rule }, { $count } times
}
rule-until = { $rule } until { $date }
rule-and = { $first } and { $second }
list-and = { $first }, { $second }
weekday = { $day ->
    [mon] Mon
    [tue] Tue
    [wed] Wed
    [thu] Thu
    [fri] Fri
    [sat] Sat
   *[sun] Sun
}
# Which one in the month: "the 1st Tue", "the last Fri".
nth-weekday = { $n ->
    [1] the 1st { $day }
    [2] the 2nd { $day }
    [3] the 3rd { $day }
    [-1] the last { $day }
    [-2] the second to last { $day }
   *[other] the { $n }th { $day }
}
nth-weekday-from-last = the { $n ->
    [3] 3rd
   *[other] { $n }th
} from last { $day }
month-day-last = last
month-day-from-last = { $n } from last

## Why a change was recorded without a toast (the Activity list)
silence-muted-calendar = muted calendar
silence-kind-off = this kind of change is off for the calendar
silence-too-far-ahead = further ahead than the calendar's days
silence-declined-event = declined event
silence-only-attendee = no other guests
silence-guest-replies = guests' replies are off
silence-quiet-hours = quiet hours
silence-paused = paused

## The account's own calendar when Google names it after the address
primary-calendar = Primary calendar

## Other guests' replies, joined with commas: "Ana accepted, Bo declined"
guest-accepted = { $name } accepted
guest-declined = { $name } declined
guest-maybe = { $name } said maybe to
