import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { minutesToTime, timeToMinutes } from '../src/lib/format';
import { defaultCalendarRules, defaultNoticeRules } from '../src/lib/noise';
import { AppStore } from '../src/lib/store.svelte';
import Activity from '../src/views/Activity.svelte';
import Calendars from '../src/views/Calendars.svelte';
import Settings from '../src/views/Settings.svelte';
import { mockBackend } from './backend';
import { appState, calendar, change } from './fixtures';

describe('noise control in the window', () => {
  it('a watched calendar has a Mute switch that keeps it watched', async () => {
    const muted = calendar({ watched: true, rules: { ...defaultCalendarRules(), muted: true } });
    const calls = mockBackend({ set_calendar_rules: () => [muted] });
    const store = new AppStore();
    store.app = appState({ watchedCount: 1 });
    store.calendars = [calendar({ watched: true }), calendar({ id: 'other', summary: 'Home', primary: false })];
    render(Calendars, { props: { store } });

    const rows = screen.getAllByTestId('calendar-row');
    expect(within(rows[1]).queryByTestId('calendar-rules'), 'no rules for an unwatched calendar').toBeNull();
    await fireEvent.click(within(rows[0]).getByTestId('calendar-mute'));
    await tick();
    expect(calls.at(-1)).toEqual({
      command: 'set_calendar_rules',
      args: {
        account: 'sandbox.user@example.com',
        calendarId: 'sandbox.user@example.com',
        rules: { ...defaultCalendarRules(), muted: true },
      },
    });
    const row = screen.getAllByTestId('calendar-row')[0];
    expect(within(row).getByTestId('calendar-rules').dataset.muted).toBe('true');
    expect(within(row).getByTestId('calendar-muted').textContent).toBe('muted');
    expect(row.dataset.watched, 'muting is not Stop').toBe('true');
  });

  it('a refused rule flips its switch back and says why', async () => {
    mockBackend({
      set_calendar_rules: () => {
        throw { code: 'store', message: 'CalWatch could not use its database: disk full' };
      },
    });
    const store = new AppStore();
    store.app = appState({ watchedCount: 1 });
    store.calendars = [calendar({ watched: true })];
    render(Calendars, { props: { store } });
    const mute = screen.getByTestId('calendar-mute') as HTMLInputElement;
    await fireEvent.click(mute);
    await tick();
    await tick();
    expect(mute.checked).toBe(false);
    expect(screen.getByTestId('calendar-rules-error').textContent).toMatch(/disk full/);
  });

  it('Activity says why a change was silent and can show just a digest’s changes', async () => {
    const store = new AppStore();
    store.changes = [
      change({ id: 1, headline: 'Told', silenced: null, silencedWhy: null }),
      change({ id: 2, headline: 'Muted one', silenced: 'muted_calendar', silencedWhy: 'muted calendar' }),
      change({ id: 3, headline: 'Late one', silenced: 'quiet_hours', silencedWhy: 'quiet hours' }),
    ];
    render(Activity, { props: { store } });
    const rows = screen.getAllByTestId('change-row');
    const silence = (row: HTMLElement) => within(row).queryByTestId('change-silenced');
    expect(silence(rows.find((r) => r.dataset.changeId === '1')!)).toBeNull();
    const muted = silence(rows.find((r) => r.dataset.changeId === '2')!)!;
    expect(muted.dataset.silenced).toBe('muted_calendar');
    expect(muted.textContent).toBe('silent: muted calendar');

    store.focus = [3];
    await tick();
    expect(screen.getAllByTestId('change-row').map((r) => r.dataset.changeId)).toEqual(['3']);
    expect(screen.getByTestId('activity-focus').dataset.count).toBe('1');
    await fireEvent.click(screen.getByTestId('activity-show-all'));
    expect(screen.getAllByTestId('change-row')).toHaveLength(3);
  });

  it('the paused note says until when and Resume resumes', async () => {
    const until = new Date(2026, 10, 28, 15, 30).getTime();
    const calls = mockBackend({ resume: () => appState() });
    const store = new AppStore();
    store.now = new Date(2026, 10, 28, 14, 30).getTime();
    store.app = appState({
      settings: { ...appState().settings, paused: true, pausedUntil: until },
      hold: { paused: true, quiet: false, until },
    });
    render(Activity, { props: { store } });
    expect(screen.getByTestId('activity-paused').textContent).toMatch(/paused until 15:30/);
    await fireEvent.click(screen.getByTestId('resume-button'));
    await tick();
    expect(calls.map((c) => c.command)).toEqual(['resume']);
    expect(screen.queryByTestId('activity-paused')).toBeNull();
  });

  it('quiet hours show as a note, not as paused', () => {
    const store = new AppStore();
    store.app = appState({ hold: { paused: false, quiet: true, until: null } });
    render(Activity, { props: { store } });
    expect(screen.getByTestId('activity-quiet').textContent).toMatch(/Quiet hours/);
    expect(screen.queryByTestId('resume-button')).toBeNull();
  });

  it('Settings pauses for an hour and turns quiet hours on', async () => {
    const quiet = { ...defaultNoticeRules(), quietHours: { ...defaultNoticeRules().quietHours, enabled: true } };
    const calls = mockBackend({
      pause: () => appState({ settings: { ...appState().settings, paused: true } }),
      update_settings: () => appState({ settings: { ...appState().settings, notices: quiet } }),
    });
    const store = new AppStore();
    store.app = appState();
    render(Settings, { props: { store } });
    await fireEvent.click(screen.getByTestId('quiet-enabled'));
    await tick();
    expect(calls.at(-1)).toEqual({ command: 'update_settings', args: { settings: { notices: quiet } } });
    await fireEvent.click(screen.getByTestId('pause-hour'));
    await tick();
    expect(calls.at(-1)).toEqual({ command: 'pause', args: { length: 'hour' } });
    expect(screen.queryByTestId('pause-hour'), 'no pause buttons while paused').toBeNull();
  });

  it('the status line says when nothing is watched yet', () => {
    const store = new AppStore();
    store.connected = true;
    store.app = appState({ watchedCount: 0 });
    render(App, { props: { store } });
    expect(screen.getByTestId('app-status').textContent).toBe('Not watching any calendar yet');
  });

  it('reads and writes times of day', () => {
    expect(minutesToTime(22 * 60)).toBe('22:00');
    expect(minutesToTime(7 * 60 + 5)).toBe('07:05');
    expect(timeToMinutes('07:05')).toBe(425);
    expect(timeToMinutes('24:00')).toBeNull();
    expect(timeToMinutes('soon')).toBeNull();
  });
});
