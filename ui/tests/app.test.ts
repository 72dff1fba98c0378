import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { AppStore } from '../src/lib/store.svelte';
import { mockBackend, shellEvent } from './backend';
import { appState, channel, firstRunState } from './fixtures';

async function startApp() {
  const store = new AppStore();
  render(App, { props: { store } });
  const stop = await store.start();
  await tick();
  return { store, stop };
}

describe('the window', () => {
  it('renders in a plain browser and says it is not connected', async () => {
    const { stop } = await startApp();

    expect(screen.getByTestId('not-connected').textContent).toContain('Not connected');
    expect(screen.getByTestId('view-setup')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('nav-channels'));
    expect(screen.getByTestId('channels-empty')).toBeTruthy();
    stop();
  });

  it('offers the sandbox on first run and labels it clearly once started', async () => {
    const calls = mockBackend({
      get_state: () => firstRunState(),
      list_channels: () => [],
      list_calendar_list_channels: () => [],
      list_changes: () => [],
      list_calendars: () => [],
      sandbox_start: () => appState({ sandbox: true }),
      sandbox_stop: () => firstRunState(),
      sandbox_events: () => [],
    });
    const { store, stop } = await startApp();
    expect(screen.queryByTestId('nav-sandbox'), 'no sandbox panel outside the sandbox').toBeNull();

    await fireEvent.click(screen.getByTestId('try-sandbox'));
    await tick();

    expect(calls.some((c) => c.command === 'sandbox_start')).toBe(true);
    expect(screen.getByTestId('sandbox-banner').textContent).toContain('Sandbox — a simulated Google account on this computer');
    expect(store.view, 'straight on to watching the sandbox calendar').toBe('calendars');
    await fireEvent.click(screen.getByTestId('nav-setup'));
    expect(screen.queryByTestId('try-sandbox'), 'offered only outside the sandbox').toBeNull();
    await fireEvent.click(screen.getByTestId('nav-sandbox'));
    expect(store.view).toBe('sandbox');

    await fireEvent.click(screen.getByTestId('leave-sandbox'));
    await tick();
    expect(screen.queryByTestId('sandbox-banner')).toBeNull();
    expect(screen.queryByTestId('nav-sandbox')).toBeNull();
    expect(store.view, 'back to the real setup').toBe('setup');
    stop();
  });

  it('shows "Waiting for the browser…" with Cancel while signing in, then the account', async () => {
    let finish: (value: unknown) => void = () => {};
    const calls = mockBackend({
      get_state: () => appState({ account: null }),
      list_channels: () => [],
      list_calendar_list_channels: () => [],
      list_changes: () => [],
      list_calendars: () => [],
      sign_in: () => new Promise((resolve) => (finish = resolve)),
      cancel_sign_in: () => null,
    });
    const { stop } = await startApp();

    await fireEvent.click(screen.getByTestId('sign-in'));
    expect(screen.getByTestId('sign-in-status').textContent).toContain('Waiting for the browser…');
    await fireEvent.click(screen.getByTestId('sign-in-cancel'));
    expect(calls.some((c) => c.command === 'cancel_sign_in')).toBe(true);

    finish(appState());
    await new Promise((r) => setTimeout(r));
    expect(screen.getByTestId('account-email').textContent).toBe('sandbox.user@example.com');
    expect(screen.queryByTestId('sign-in-cancel')).toBeNull();
    stop();
  });

  it('follows channel updates and navigation requests from the shell', async () => {
    mockBackend({
      get_state: () => appState({ watchedCount: 1 }),
      list_channels: () => [],
      list_calendar_list_channels: () => [],
      list_changes: () => [],
      list_calendars: () => [],
    });
    const { store, stop } = await startApp();

    await shellEvent('calwatch://navigate', 'channels');
    await tick();
    expect(store.view).toBe('channels');
    await shellEvent('calwatch://channels', [channel({ id: 'ch-live', expiresAt: Date.now() + 3_600_000 })]);
    await tick();
    expect(screen.getByTestId('channel-row').dataset.channelId).toBe('ch-live');
    expect(screen.getByTestId('channel-countdown').textContent?.trim()).toMatch(/^(1 h 0 m|59 m \d+ s)$/);
    stop();
  });
});
