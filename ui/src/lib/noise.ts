// The noise rules' defaults, as the engine has them (noise::rules): everything is told,
// guests' replies only for events the person organises, quiet hours off (22:00–07:00).
import type { CalendarRules, NoticeRules } from './types';

export function defaultCalendarRules(): CalendarRules {
  return {
    muted: false,
    kinds: { created: true, time: true, cancelled: true, titlePlace: true, replies: true },
    withinDays: null,
  };
}

export function defaultNoticeRules(): NoticeRules {
  return {
    skipDeclined: false,
    skipOnlyAttendee: false,
    guestReplies: 'when_organizer',
    quietHours: { enabled: false, startMinute: 22 * 60, endMinute: 7 * 60, days: Array(7).fill(true) },
  };
}
