import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { AppStore } from '../src/lib/store.svelte';
import Settings from '../src/views/Settings.svelte';
import { mockBackend, shellEvent } from './backend';
import { appState, calendar } from './fixtures';

describe('calendars newly shared with an account', () => {
  it('Settings offers to watch them automatically, off unless chosen', async () => {
    const on = appState({ settings: { ...appState().settings, watchNewCalendars: true } });
    const calls = mockBackend({ update_settings: () => on });
    const store = new AppStore();
    store.app = appState();
    render(Settings, { props: { store } });

    const toggle = screen.getByTestId('watch-new-toggle') as HTMLInputElement;
    expect(toggle.checked, 'off by default: new calendars are offered in a toast').toBe(false);
    expect(toggle.closest('label')?.textContent).toMatch(/Watch new calendars automatically/);
    await fireEvent.click(toggle);
    await tick();
    expect(calls.at(-1)).toEqual({ command: 'update_settings', args: { settings: { watchNewCalendars: true } } });
    expect(store.app?.settings.watchNewCalendars).toBe(true);
  });

  it('a refused change flips the switch back and says why', async () => {
    mockBackend({
      update_settings: () => {
        throw { code: 'store', message: 'CalWatch could not save its settings: disk full' };
      },
    });
    const store = new AppStore();
    store.app = appState();
    render(Settings, { props: { store } });
    const toggle = screen.getByTestId('watch-new-toggle') as HTMLInputElement;
    await fireEvent.click(toggle);
    await tick();
    await tick();
    expect(toggle.checked).toBe(false);
    expect(screen.getByTestId('watch-new-error').textContent).toMatch(/disk full/);
  });

  it('a calendar shared meanwhile appears in Calendars without a reload; renamed and gone ones follow', async () => {
    const primary = calendar();
    mockBackend({
      get_state: () => appState(),
      list_channels: () => [],
      list_calendar_list_channels: () => [],
      list_changes: () => [],
      list_calendars: () => [primary],
    });
    const store = new AppStore();
    render(App, { props: { store } });
    const stop = await store.start();
    await tick();
    await shellEvent('calwatch://navigate', 'calendars');
    await tick();
    expect(screen.getAllByTestId('calendar-row')).toHaveLength(1);

    const offsite = calendar({ id: 'offsite@group.calendar.google.com', summary: 'Team Offsite', primary: false });
    await shellEvent('calwatch://calendars', [primary, offsite]);
    await tick();
    let rows = screen.getAllByTestId('calendar-row');
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining('Work'), expect.stringContaining('Team Offsite')]);

    const sentence = 'The calendar “Offsite 2027” no longer exists or is no longer shared with sandbox.user@example.com.';
    await shellEvent('calwatch://calendars', [
      primary,
      { ...offsite, summary: 'Offsite 2027', gone: true, goneReason: sentence },
    ]);
    await tick();
    rows = screen.getAllByTestId('calendar-row');
    expect(rows[1].textContent).toContain('Offsite 2027');
    expect(screen.getByTestId('calendar-gone-reason').textContent).toBe(sentence);
    stop();
  });
});
