// The window's words and dates, from the same Fluent catalogues the toasts and the tray
// use (src-tauri/core/locales), and the same locale the engine resolved: dates are written
// by the platform's Intl for the engine's tag and hour cycle, so they agree with the toasts.
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import enWindow from '../../../src-tauri/core/locales/en/window.ftl?raw';
import koWindow from '../../../src-tauri/core/locales/ko/window.ftl?raw';
import enErrors from '../../../src-tauri/core/locales/en/errors.ftl?raw';
import koErrors from '../../../src-tauri/core/locales/ko/errors.ftl?raw';
import enToasts from '../../../src-tauri/core/locales/en/toasts.ftl?raw';
import koToasts from '../../../src-tauri/core/locales/ko/toasts.ftl?raw';

/** A language with a catalogue, or the pseudo-locale the layout test uses. */
export type Language = 'en' | 'ko' | 'pseudo';

/** What the engine says is in effect (AppState.locale). */
export type LocaleInfo = { language: 'en' | 'ko'; dateTag: string; hourCycle: 'automatic' | 'h12' | 'h24' };

// The toasts' catalogue too: the window writes a time span exactly as a toast does.
const SOURCES: Record<'en' | 'ko', string[]> = {
  en: [enWindow, enErrors, enToasts],
  ko: [koWindow, koErrors, koToasts],
};

function bundle(language: 'en' | 'ko'): FluentBundle {
  // No isolation marks: the window is one direction, and the marks would count as text.
  const b = new FluentBundle(language, { useIsolating: false });
  for (const source of SOURCES[language]) b.addResource(new FluentResource(source));
  return b;
}

const bundles = { en: bundle('en'), ko: bundle('ko') };

/**
 * Pseudo-localisation of English, for the layout test: accented letters and at least 40 %
 * more length, so text that would be cut off in a longer language shows up in English.
 * It works on the finished sentence, so the values put into it (a calendar's name, a
 * count) are stretched too: only the layout is under test, not the wording.
 */
export function pseudo(text: string): string {
  const accents: Record<string, string> = {
    a: 'á', e: 'é', i: 'í', o: 'ö', u: 'ü', c: 'ç', n: 'ñ', y: 'ý',
    A: 'Á', E: 'É', I: 'Í', O: 'Ö', U: 'Ü', C: 'Ç', N: 'Ñ', Y: 'Ý',
  };
  // Each word grows by half its length, so a long sentence still wraps between words as
  // a translation would, rather than running on in one unbreakable tail. The style marks
  // (<strong>…) stay as they are: they are read by `richParts`, not shown.
  const grow = (word: string) =>
    [...word].map((ch) => accents[ch] ?? ch).join('') + '~'.repeat(Math.ceil([...word].length * 0.5));
  const accented = text
    .split(/(<\/?(?:strong|code|link)>)/)
    .map((part, i) => (i % 2 ? part : part.replace(/[^\s]+/g, grow)))
    .join('');
  return `[${accented}]`;
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
  // The date tag, not just the language: WebKit's own controls and Intl read it.
  if (typeof document !== 'undefined') document.documentElement.lang = info.dateTag;
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

/**
 * A day and time as the toasts write it: "Thu 3 Dec, 09:00", "12월 3일 (목) 오전 9:00".
 * `minute: 'numeric'` asks for the locale's own pattern (CLDR's "hm", as the toasts use);
 * '2-digit' makes the engine drop en-GB's leading zero ("9:00").
 */
export function dayTime(at: number | Date, timeZone?: string): string {
  return new Intl.DateTimeFormat(current.info.dateTag, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
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

/** A piece of a message: plain text, or text in one of the styles a catalogue may mark. */
export type RichPart = { style: 'text' | 'strong' | 'code' | 'link'; text: string };

/**
 * Splits a message at its style marks: "Signed in as <strong>me@…</strong>" → a plain part
 * and a strong one. The marks stay in the catalogue so a translation can put the styled
 * words where its grammar wants them; they are never read as HTML.
 */
export function richParts(text: string): RichPart[] {
  const parts: RichPart[] = [];
  const mark = /<(strong|code|link)>([\s\S]*?)<\/\1>/g;
  let last = 0;
  for (const m of text.matchAll(mark)) {
    if (m.index > last) parts.push({ style: 'text', text: text.slice(last, m.index) });
    parts.push({ style: m[1] as RichPart['style'], text: m[2] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ style: 'text', text: text.slice(last) });
  return parts;
}

/** Monday to Sunday, short, in the locale's words: "Mon"…, "월"…. */
export function weekdayNames(): string[] {
  const format = new Intl.DateTimeFormat(current.info.dateTag, { weekday: 'short', timeZone: 'UTC' });
  // 30 November 2026 is a Monday.
  return Array.from({ length: 7 }, (_, i) => format.format(Date.UTC(2026, 10, 30 + i)));
}

/** One piece of a date or time field: a number to type, a choice, or the text between them. */
export type FieldPart =
  | { type: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'dayPeriod' }
  | { type: 'literal'; text: string };

const FIELD_TYPES = new Set(['year', 'month', 'day', 'hour', 'minute', 'dayPeriod']);

function fieldParts(parts: Intl.DateTimeFormatPart[]): FieldPart[] {
  return parts.map((p) =>
    FIELD_TYPES.has(p.type) ? { type: p.type as Exclude<FieldPart['type'], 'literal'> } : { type: 'literal', text: p.value },
  );
}

/** The order a date is typed in, as the locale writes it: "2026. 12. 3.", "3/12/2026", "12/3/2026". */
export function dateLayout(): FieldPart[] {
  const format = new Intl.DateTimeFormat(current.info.dateTag, { year: 'numeric', month: 'numeric', day: 'numeric' });
  return fieldParts(format.formatToParts(new Date(2026, 11, 3)));
}

/**
 * The order a time is typed in, with the locale's clock and the Settings override: "오전 9:05",
 * "9:05 AM", "09:05". `periods` are the words for before and after noon on a 12-hour clock.
 */
export function timeLayout(): { parts: FieldPart[]; periods: [string, string] | null } {
  const format = new Intl.DateTimeFormat(current.info.dateTag, {
    hour: 'numeric',
    minute: 'numeric',
    ...hourCycleOptions(),
  });
  const morning = format.formatToParts(new Date(2026, 11, 3, 9, 5));
  const period = (at: Date) => format.formatToParts(at).find((p) => p.type === 'dayPeriod')?.value ?? '';
  const twelve = morning.some((p) => p.type === 'dayPeriod');
  return {
    parts: fieldParts(morning),
    periods: twelve ? [period(new Date(2026, 11, 3, 9)), period(new Date(2026, 11, 3, 21))] : null,
  };
}
