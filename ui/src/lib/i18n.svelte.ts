// The window's words and dates, from the same Fluent catalogues the toasts and the tray
// use (src-tauri/core/locales), and the same locale the engine resolved: dates are written
// by the platform's Intl for the engine's tag and hour cycle, so they agree with the toasts.
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import enWindow from '../../../src-tauri/core/locales/en/window.ftl?raw';
import koWindow from '../../../src-tauri/core/locales/ko/window.ftl?raw';
import enErrors from '../../../src-tauri/core/locales/en/errors.ftl?raw';
import koErrors from '../../../src-tauri/core/locales/ko/errors.ftl?raw';

/** A language with a catalogue, or the pseudo-locale the layout test uses. */
export type Language = 'en' | 'ko' | 'pseudo';

/** What the engine says is in effect (AppState.locale). */
export type LocaleInfo = { language: 'en' | 'ko'; dateTag: string; hourCycle: 'automatic' | 'h12' | 'h24' };

const SOURCES: Record<'en' | 'ko', string[]> = { en: [enWindow, enErrors], ko: [koWindow, koErrors] };

function bundle(language: 'en' | 'ko'): FluentBundle {
  // No isolation marks: the window is one direction, and the marks would count as text.
  const b = new FluentBundle(language, { useIsolating: false });
  for (const source of SOURCES[language]) b.addResource(new FluentResource(source));
  return b;
}

const bundles = { en: bundle('en'), ko: bundle('ko') };

/**
 * Pseudo-localisation of English, for the layout test: accented letters and about 40 %
 * more length, so text that would be cut off in a longer language shows up in English.
 * Placeables ({ … }) are kept as they are.
 */
export function pseudo(text: string): string {
  const accents: Record<string, string> = {
    a: 'á', e: 'é', i: 'í', o: 'ö', u: 'ü', c: 'ç', n: 'ñ', y: 'ý',
    A: 'Á', E: 'É', I: 'Í', O: 'Ö', U: 'Ü', C: 'Ç', N: 'Ñ', Y: 'Ý',
  };
  const accented = [...text].map((ch) => accents[ch] ?? ch).join('');
  const padding = '~'.repeat(Math.ceil(text.length * 0.4));
  return `[${accented}${padding}]`;
}

// A rune: every `t()` and date in the window re-renders when Settings changes the language.
const current: { language: Language; info: LocaleInfo } = $state({
  language: 'en',
  info: { language: 'en', dateTag: 'en-GB', hourCycle: 'automatic' },
});

/** Makes `info` the locale in effect; `?pseudo` in the address (or CALWATCH_PSEUDO) picks the pseudo-locale. */
export function setLocale(info: LocaleInfo, pseudoLocale = false): void {
  current.language = pseudoLocale ? 'pseudo' : info.language;
  current.info = info;
  if (typeof document !== 'undefined') document.documentElement.lang = info.language;
}

/** The message `id` with `args`, in the language in effect (English for a gap). */
export function t(id: string, args?: Record<string, FluentVariable>): string {
  const language = current.language === 'pseudo' ? 'en' : current.language;
  const b = bundles[language].hasMessage(id) ? bundles[language] : bundles.en;
  const message = b.getMessage(id);
  if (!message?.value) return id;
  const text = b.formatPattern(message.value, args);
  return current.language === 'pseudo' ? pseudo(text) : text;
}

/** Intl's options for the hour-cycle choice (none: the locale's habit). */
export function hourCycleOptions(): Intl.DateTimeFormatOptions {
  switch (current.info.hourCycle) {
    case 'h12':
      return { hour12: true };
    case 'h24':
      return { hourCycle: 'h23' };
    default:
      return {};
  }
}

/** A day and time as the toasts write it: "Thu 3 Dec, 11:00", "12월 3일 (목) 오전 11:00". */
export function dayTime(at: number | Date, timeZone?: string): string {
  return new Intl.DateTimeFormat(current.info.dateTag, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    ...hourCycleOptions(),
  }).format(at);
}

/** A date with its year, for older entries: "3 Dec 2026", "2026년 12월 3일". */
export function fullDate(at: number | Date, timeZone?: string): string {
  return new Intl.DateTimeFormat(current.info.dateTag, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone,
  }).format(at);
}

/** The tag dates are written for, for `<input>` elements' `lang`. */
export function dateTag(): string {
  return current.info.dateTag;
}
