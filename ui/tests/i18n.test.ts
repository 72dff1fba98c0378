// The window speaks the engine's language from the shared catalogues and writes dates as
// the toasts do (same tag, same hour cycle).
import { afterEach, describe, expect, it } from 'vitest';
import { dayTime, pseudo, setLocale, t } from '../src/lib/i18n.svelte';
import { absoluteTime, countdown, relativeTime } from '../src/lib/format';

const THU_11 = Date.UTC(2026, 11, 3, 11, 0);
const plain = (text: string) => text.replace(/\u202f/g, ' ');

afterEach(() => setLocale({ language: 'en', dateTag: 'en-GB', hourCycle: 'automatic' }));

describe('the window in Korean', () => {
  it('counts down and says how long ago in Korean', () => {
    setLocale({ language: 'ko', dateTag: 'ko-KR', hourCycle: 'automatic' });
    expect(countdown(THU_11 + 6 * 86_400_000 + 23 * 3_600_000, THU_11)).toBe('6일 23시간');
    expect(relativeTime(THU_11 - 3 * 60_000, THU_11)).toBe('3분 전');
    expect(t('settings-language')).toBe('언어');
  });

  it('writes a day and time as the toasts do, Korean order first', () => {
    setLocale({ language: 'ko', dateTag: 'ko-KR', hourCycle: 'automatic' });
    // Month before day, the weekday in brackets; the exact AM/PM word is the platform's
    // data (the real window's WebKit is checked in tests/e2e/tests/language.rs).
    expect(dayTime(THU_11, 'UTC')).toMatch(/^12월 3일 \(목\) .*11:00$/);
    expect(absoluteTime(THU_11, 'UTC')).toMatch(/^2026\D+12\D+3\D+\(목\) .*11:00$/);
    setLocale({ language: 'en', dateTag: 'en-US', hourCycle: 'automatic' });
    expect(plain(dayTime(THU_11, 'UTC'))).toBe('Thu, Dec 3, 11:00 AM');
    setLocale({ language: 'en', dateTag: 'en-US', hourCycle: 'h24' });
    expect(plain(dayTime(THU_11 + 3 * 3_600_000, 'UTC'))).toBe('Thu, Dec 3, 14:00');
  });
});

describe('the pseudo-locale', () => {
  it('is accented and at least 40 % longer, so clipped text shows in the layout test', () => {
    const english = 'Expires in';
    const long = pseudo(english);
    expect(long).toContain('É');
    expect(long.length).toBeGreaterThanOrEqual(Math.ceil(english.length * 1.4));
    setLocale({ language: 'en', dateTag: 'en-GB', hourCycle: 'automatic' }, true);
    expect(t('countdown-expired')).toBe(pseudo('expired'));
  });
});
