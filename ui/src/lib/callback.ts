// What the callback step says about the saved address: decided from the last Test, never
// from the address merely being saved.
import { t } from './i18n.svelte';
import type { ProbeReport } from './types';

/** `none`: nothing saved; `untested`: saved, not tested since; `failing`; `passed`. */
export type CallbackState = 'none' | 'untested' | 'failing' | 'passed';

export function callbackState(
  savedUrl: string | null | undefined,
  probe: { url: string; report: ProbeReport } | null,
): CallbackState {
  if (!savedUrl) return 'none';
  if (!probe || probe.url !== savedUrl) return 'untested';
  return probe.report.ok ? 'passed' : 'failing';
}

/** True for a plain-http address (only stand-ins on this computer are allowed one). */
export function isPlainHttp(url: string): boolean {
  return url.trim().toLowerCase().startsWith('http://');
}

/** The sentence over a Test's result: only an https address is "from the internet". */
export function probeHeadline(url: string, ok: boolean): string {
  if (!ok) return t('probe-not-reachable');
  if (isPlainHttp(url)) return t('probe-local-http');
  return t('probe-reachable');
}

/** The Google Cloud console pages the first steps need. */
export const CONSOLE_LINKS = {
  library: 'https://console.cloud.google.com/apis/library/calendar-json.googleapis.com',
  consent: 'https://console.cloud.google.com/apis/credentials/consent',
  credentials: 'https://console.cloud.google.com/apis/credentials',
} as const;
