// What the window offers next to an error, decided by its code (never by its text).
import { t } from './i18n.svelte';
import type { ErrorCode, ViewName } from './types';

/** A way out of an error: a button that takes the person where it can be fixed. */
export type ErrorRemedy = { label: string; view: ViewName };

/** The place that fixes an error of this code, if there is one. */
export function remedyFor(code: ErrorCode): ErrorRemedy | null {
  switch (code) {
    case 'needs_sign_in':
      return { label: t('remedy-sign-in-again'), view: 'setup' };
    case 'no_client_secret':
      return { label: t('remedy-import-secret'), view: 'setup' };
    case 'no_callback':
    case 'callback_rejected':
      return { label: t('remedy-set-callback'), view: 'setup' };
    case 'callback_unauthorized':
      return { label: t('remedy-verify-domain'), view: 'setup' };
    case 'port_in_use':
      return { label: t('remedy-change-port'), view: 'settings' };
    default:
      return null;
  }
}

/** Codes that report a choice the person made rather than a failure; shown calmly, not as alerts. */
export function isQuiet(code: ErrorCode): boolean {
  return code === 'sign_in_cancelled';
}
