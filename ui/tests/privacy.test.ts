import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { AppStore } from '../src/lib/store.svelte';
import { mockBackend } from './backend';
import { appState, change } from './fixtures';

async function startApp() {
  const store = new AppStore();
  render(App, { props: { store } });
  const stop = await store.start();
  await tick();
  return { store, stop };
}

describe('privacy in Settings', () => {
  it('signs out deleting the account history unless the box is unticked', async () => {
    const calls = mockBackend({
      get_state: () => appState(),
      list_channels: () => [],
      list_calendar_list_channels: () => [],
      list_changes: () => [change()],
      list_calendars: () => [],
      sign_out: () => appState({ account: null }),
    });
    const { store, stop } = await startApp();
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await fireEvent.click(screen.getByTestId('sign-out'));
    const box = screen.getByTestId('sign-out-delete-history') as HTMLInputElement;
    expect(box.checked, 'on by default').toBe(true);
    await fireEvent.click(screen.getByTestId('sign-out-confirm'));
    await tick();
    expect(calls.find((c) => c.command === 'sign_out')?.args).toEqual({
      deleteHistory: true,
      account: 'sandbox.user@example.com',
    });
    expect(store.changes, 'the Activity list forgets it too').toEqual([]);
    stop();
  });

  it('keeps the history when the box is unticked', async () => {
    const calls = mockBackend({
      get_state: () => appState(),
      list_channels: () => [],
      list_calendar_list_channels: () => [],
      list_changes: () => [change()],
      list_calendars: () => [],
      sign_out: () => appState({ account: null }),
    });
    const { store, stop } = await startApp();
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await fireEvent.click(screen.getByTestId('sign-out'));
    await fireEvent.click(screen.getByTestId('sign-out-delete-history'));
    await fireEvent.click(screen.getByTestId('sign-out-confirm'));
    await tick();
    expect(calls.find((c) => c.command === 'sign_out')?.args).toEqual({
      deleteHistory: false,
      account: 'sandbox.user@example.com',
    });
    expect(store.changes).toHaveLength(1);
    stop();
  });

  it('clears the history after asking once', async () => {
    const calls = mockBackend({
      get_state: () => appState(),
      list_channels: () => [],
      list_calendar_list_channels: () => [],
      list_changes: () => [change()],
      list_calendars: () => [],
      clear_history: () => [],
    });
    const { store, stop } = await startApp();
    expect(store.changes).toHaveLength(1);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await fireEvent.click(screen.getByTestId('clear-history'));
    expect(calls.some((c) => c.command === 'clear_history'), 'nothing is deleted before confirming').toBe(false);
    await fireEvent.click(screen.getByTestId('clear-history-confirm'));
    await tick();
    expect(calls.some((c) => c.command === 'clear_history')).toBe(true);
    expect(store.changes).toEqual([]);
    expect((await screen.findByTestId('history-cleared')).textContent).toContain('History cleared');
    await fireEvent.click(screen.getByTestId('nav-activity'));
    expect(screen.getByTestId('activity-empty')).toBeTruthy();
    stop();
  });
});
