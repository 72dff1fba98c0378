import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { AppStore } from '../src/lib/store.svelte';
import Activity from '../src/views/Activity.svelte';
import { mockBackend, shellEvent } from './backend';
import { appState, change } from './fixtures';

const t = (h: number, m = 0) => Date.UTC(2026, 10, 28, h, m);

describe('Activity', () => {
  it('lists changes newest first, each with its words and its diff', () => {
    const store = new AppStore();
    store.now = t(12);
    // Given out of order on purpose: the view must not trust its feed's order.
    store.changes = [
      change({ id: 1, kind: 'created', headline: 'Lunch added', body: 'Sat 28 Nov 12:30 · Work', diffs: [], receivedAt: t(9) }),
      change({
        id: 3,
        kind: 'updated',
        headline: 'Team sync moved',
        body: 'Tue 3 Dec 10:00 → 11:00 · Work',
        diffs: [
          { field: 'time', before: 'Tue 3 Dec 10:00', after: 'Tue 3 Dec 11:00' },
          { field: 'place', before: 'Room 1', after: 'Room 2' },
        ],
        receivedAt: t(11, 58),
      }),
      change({ id: 2, kind: 'cancelled', headline: 'Dentist cancelled', body: 'Mon 1 Dec 09:00 · Work', diffs: [], receivedAt: t(10) }),
    ];
    render(Activity, { props: { store } });

    const rows = screen.getAllByTestId('change-row');
    expect(rows.map((r) => within(r).getByTestId('change-headline').textContent)).toEqual([
      'Team sync moved',
      'Dentist cancelled',
      'Lunch added',
    ]);
    expect(within(rows[0]).getByTestId('change-body').textContent).toBe('Tue 3 Dec 10:00 → 11:00 · Work');

    const diffs = within(rows[0]).getAllByTestId('change-diff');
    expect(diffs.map((d) => d.dataset.field)).toEqual(['time', 'place']);
    expect(within(diffs[0]).getByTestId('change-diff-before').textContent).toBe('Tue 3 Dec 10:00');
    expect(within(diffs[0]).getByTestId('change-diff-after').textContent).toBe('Tue 3 Dec 11:00');
    expect(diffs[1].textContent).toContain('Place');

    const time = within(rows[0]).getByTestId('change-time');
    expect(time.textContent?.trim()).toBe('2 min ago');
    expect(time.getAttribute('title'), 'the exact time on hover').toBe('Sat, 28 Nov 2026, 11:58');
    expect(within(rows[2]).getByTestId('change-time').textContent?.trim()).toBe('3 h ago');
  });

  it('shows a series\' new repeat under its own label', () => {
    const store = new AppStore();
    store.now = t(12);
    store.changes = [
      change({
        id: 6,
        kind: 'updated',
        headline: 'Standup now ends on Tue 8 Dec',
        body: 'weekly on Tue → weekly on Tue until 8 Dec · Work',
        diffs: [{ field: 'repeats', before: 'weekly on Tue', after: 'weekly on Tue until 8 Dec' }],
      }),
    ];
    render(Activity, { props: { store } });

    const diff = screen.getByTestId('change-diff');
    expect(diff.dataset.field).toBe('repeats');
    expect(diff.textContent).toContain('Repeats');
    expect(within(diff).getByTestId('change-diff-after').textContent).toBe('weekly on Tue until 8 Dec');
  });

  it('opens the event through the shell instead of navigating the window', async () => {
    const calls = mockBackend({ open_link: () => null });
    const store = new AppStore();
    store.changes = [change({ id: 9, htmlLink: 'https://www.google.com/calendar/event?eid=xyz' })];
    render(Activity, { props: { store } });

    await fireEvent.click(screen.getByTestId('change-link'));

    expect(calls).toEqual([{ command: 'open_link', args: { url: 'https://www.google.com/calendar/event?eid=xyz' } }]);
  });

  it('puts a change that arrives live at the top', async () => {
    mockBackend({
      get_state: () => appState({ watchedCount: 1 }),
      list_calendars: () => [],
      list_channels: () => [],
      list_calendar_list_channels: () => [],
      list_changes: () => [change({ id: 1, headline: 'Lunch added', receivedAt: Date.now() - 60_000 })],
    });
    const store = new AppStore();
    render(App, { props: { store } });
    const stop = await store.start();
    await tick();
    expect(store.view, 'a set-up app opens on Activity').toBe('activity');
    expect(screen.getAllByTestId('change-row')).toHaveLength(1);

    await shellEvent('calwatch://changes', [change({ id: 2, headline: 'Team sync moved', receivedAt: Date.now() })]);
    await tick();

    expect(screen.getAllByTestId('change-headline').map((h) => h.textContent)).toEqual(['Team sync moved', 'Lunch added']);
    stop();
  });
});
