// What the window offers next to an error, decided by its code (never by its text).
import type { ErrorCode, ViewName } from './types';

/** A way out of an error: a button that takes the person where it can be fixed. */
export type ErrorRemedy = { label: string; view: ViewName };

/** The place that fixes an error of this code, if there is one. */
export function remedyFor(code: ErrorCode): ErrorRemedy | null {
  switch (code) {
    case 'needs_sign_in':
      return { label: 'Sign in again', view: 'setup' };
    case 'no_client_secret':
      return { label: 'Import a client secret', view: 'setup' };
    case 'no_callback':
    case 'callback_rejected':
      return { label: 'Set the callback URL', view: 'setup' };
    case 'callback_unauthorized':
      return { label: 'Verify the domain', view: 'setup' };
    case 'port_in_use':
      return { label: 'Change the receiver port', view: 'settings' };
    default:
      return null;
  }
}

/** Codes that report a choice the person made rather than a failure; shown calmly, not as alerts. */
export function isQuiet(code: ErrorCode): boolean {
  return code === 'sign_in_cancelled';
}
