// A stand-in for the Rust shell in component tests, built on Tauri's own IPC mock.
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type { UiError } from '../src/lib/types';

type Handler = (args: Record<string, unknown>) => unknown;

/** Every command the window sent, in order, with its arguments. */
export type Calls = { command: string; args: Record<string, unknown> }[];

/**
 * Answers the commands in `handlers`; any other command fails the way Tauri fails an
 * unknown command, so a test notices a call it did not expect.
 */
export function mockBackend(handlers: Record<string, Handler>): Calls {
  const calls: Calls = [];
  mockIPC(
    (command, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ command, args });
      const handler = handlers[command];
      if (!handler) throw `command ${command} not found`;
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

/** A handler that fails the way the shell does: rejecting with a UiError. */
export function fails(error: UiError): Handler {
  return () => {
    throw error;
  };
}

/** Sends a shell event to the window. */
export const shellEvent = (name: string, payload: unknown) => emit(name, payload);
