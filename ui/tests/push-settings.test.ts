import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { remedyFor } from '../src/lib/errors';
import { AppStore } from '../src/lib/store.svelte';
import Settings from '../src/views/Settings.svelte';
import { mockBackend } from './backend';
import { appState } from './fixtures';

function storeWith(state = appState()) {
  const store = new AppStore();
  store.connected = true;
  store.loaded = true;
  store.setState(state);
  return store;
}

describe('push down settings and errors', () => {
  it('the polling interval while push is down is shown, checked and saved with the others', async () => {
    const saved = appState({
      settings: { ...appState().settings, pushDownPollMinutes: 5 },
    });
    const calls = mockBackend({ update_settings: () => saved });
    render(Settings, { props: { store: storeWith() } });

    const poll = screen.getByTestId('push-down-poll-minutes') as HTMLInputElement;
    expect(poll.value, 'the engine default').toBe('2');

    await fireEvent.input(poll, { target: { value: '0' } });
    expect(screen.getByTestId('push-down-poll-minutes-invalid').textContent).toContain('1 to 60');
    expect((screen.getByTestId('settings-save') as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.input(poll, { target: { value: '5' } });
    expect(screen.queryByTestId('push-down-poll-minutes-invalid')).toBeNull();
    await fireEvent.click(screen.getByTestId('settings-save'));

    await waitFor(() => expect(screen.getByTestId('settings-saved')).toBeTruthy());
    const sent = calls.find((c) => c.command === 'update_settings')!.args.settings as Record<string, unknown>;
    expect(sent.pushDownPollMinutes).toBe(5);
  });

  it('an unauthorized callback leads to Setup, where the domain is verified', () => {
    expect(remedyFor('callback_unauthorized')).toEqual({ label: 'Verify the domain', view: 'setup' });
  });
});
