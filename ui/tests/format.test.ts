import { describe, expect, it } from 'vitest';
import {
  absoluteTime,
  countdown,
  DAY,
  eventWhen,
  HOUR,
  localIso,
  MINUTE,
  parseLocalDateTime,
  relativeTime,
  SECOND,
  secondsLeft,
  shiftIso,
} from '../src/lib/format';

const now = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('countdown', () => {
  it('shows days and hours when a day or more is left', () => {
    expect(countdown(now + 6 * DAY + 23 * HOUR + 59 * MINUTE, now)).toBe('6 d 23 h');
    expect(countdown(now + 7 * DAY, now), 'a fresh 7-day channel').toBe('7 d 0 h');
    expect(countdown(now + DAY, now), 'exactly one day is a day').toBe('1 d 0 h');
  });

  it('shows hours and minutes under a day', () => {
    expect(countdown(now + 4 * HOUR + 12 * MINUTE, now)).toBe('4 h 12 m');
    expect(countdown(now + DAY - SECOND, now), 'one second short of a day').toBe('23 h 59 m');
    expect(countdown(now + HOUR, now)).toBe('1 h 0 m');
  });

  it('shows minutes and seconds under an hour, so it visibly ticks', () => {
    expect(countdown(now + 12 * MINUTE + 5 * SECOND, now)).toBe('12 m 5 s');
    expect(countdown(now + MINUTE, now)).toBe('1 m 0 s');
  });

  it('shows seconds under a minute', () => {
    expect(countdown(now + 59 * SECOND, now)).toBe('59 s');
    expect(countdown(now + 1, now), 'a sliver left still reads as time left, never "0 s"').toBe('1 s');
  });

  it('says expired at and after the expiry', () => {
    expect(countdown(now, now), 'the expiry moment itself').toBe('expired');
    expect(countdown(now - 5 * MINUTE, now)).toBe('expired');
  });

  it('gives the whole seconds left for machines, never negative', () => {
    expect(secondsLeft(now + 1500, now)).toBe(2);
    expect(secondsLeft(now - 1500, now)).toBe(0);
  });
});

describe('relativeTime', () => {
  it('reads like speech for recent times', () => {
    expect(relativeTime(now - 10 * SECOND, now)).toBe('just now');
    expect(relativeTime(now + 3 * SECOND, now), 'a clock slightly ahead is not the future').toBe('just now');
    expect(relativeTime(now - 2 * MINUTE, now)).toBe('2 min ago');
    expect(relativeTime(now - 59 * MINUTE, now)).toBe('59 min ago');
    expect(relativeTime(now - 3 * HOUR, now)).toBe('3 h ago');
    expect(relativeTime(now - 30 * HOUR, now)).toBe('yesterday');
    expect(relativeTime(now - 4 * DAY, now)).toBe('4 d ago');
  });

  it('falls back to the date after a week', () => {
    expect(relativeTime(now - 10 * DAY, now, 'UTC')).toBe('18 Nov 2026');
  });
});

describe('absoluteTime', () => {
  it('gives weekday, date and 24-hour time', () => {
    expect(absoluteTime(Date.UTC(2026, 11, 1, 10, 5), 'UTC')).toBe('Tue, 1 Dec 2026, 10:05');
    expect(absoluteTime(Date.UTC(2026, 11, 1, 10, 5), 'Europe/Berlin')).toBe('Tue, 1 Dec 2026, 11:05');
  });
});

describe('sandbox event times', () => {
  it('writes ISO 8601 with the local offset (UTC in tests)', () => {
    expect(localIso(Date.UTC(2026, 11, 3, 10, 0))).toBe('2026-12-03T10:00:00+00:00');
  });

  it('parses what the date and time inputs hold', () => {
    expect(parseLocalDateTime('2026-12-03', '09:30')).toBe(Date.UTC(2026, 11, 3, 9, 30));
    expect(parseLocalDateTime('', '09:30'), 'an empty date is not a time').toBeNull();
  });

  it('moves an event by an hour whatever offset it was written with', () => {
    expect(shiftIso('2026-12-03T10:00:00+01:00', HOUR)).toBe('2026-12-03T10:00:00+00:00');
    expect(shiftIso('not a date', HOUR)).toBeNull();
  });

  it('describes when an event happens', () => {
    expect(eventWhen('2026-12-03T10:00:00Z', '2026-12-03T11:00:00Z', false, 'UTC')).toBe('Thu 3 Dec, 10:00–11:00');
    expect(eventWhen('2026-12-03', '2026-12-04', true)).toBe('Thu 3 Dec, all day');
  });

  it('writes an evening that ends at midnight as one day, and a night across two as both', () => {
    expect(eventWhen('2026-12-03T23:00:00Z', '2026-12-04T00:00:00Z', false, 'UTC')).toBe('Thu 3 Dec, 23:00–00:00');
    expect(eventWhen('2026-12-03T22:00:00Z', '2026-12-04T01:00:00Z', false, 'UTC')).toBe(
      'Thu 3 Dec, 22:00 – Fri 4 Dec, 01:00',
    );
    expect(eventWhen('2026-12-03T09:00:00Z', '2026-12-03T09:30:00Z', false, 'UTC'), 'a morning keeps its zero, as in the toasts').toBe(
      'Thu 3 Dec, 09:00–09:30',
    );
  });
});
