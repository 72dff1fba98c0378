import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppStore } from '../src/lib/store.svelte';
import type { SandboxEvent } from '../src/lib/types';
import Sandbox from '../src/views/Sandbox.svelte';
import { fails, mockBackend } from './backend';
import { appState, calendar } from './fixtures';

const work = 'sandbox.user@example.com';
const teamSync: SandboxEvent = {
  id: 'e1',
  calendarId: work,
  summary: 'Team sync',
  start: '2026-12-03T10:00:00+00:00',
  end: '2026-12-03T11:00:00+00:00',
  allDay: false,
  location: null,
};

function sandboxStore() {
  const store = new AppStore();
  store.connected = true;
  store.app = appState({ sandbox: true });
  store.calendars = [calendar({ watched: true })];
  return store;
}

describe('Sandbox panel', () => {
  it('adds an event to the watched calendar with the typed date, time and duration', async () => {
    const calls = mockBackend({
      sandbox_events: () => [],
      sandbox_create_event: (args) => ({ ...teamSync, id: 'new', ...args, location: null }),
    });
    render(Sandbox, { props: { store: sandboxStore() } });

    await fireEvent.input(screen.getByTestId('sandbox-add-title'), { target: { value: 'Design review' } });
    // British order: day, month, year; a 24-hour clock.
    await fireEvent.input(screen.getByTestId('sandbox-add-date-day'), { target: { value: '4' } });
    await fireEvent.input(screen.getByTestId('sandbox-add-date-month'), { target: { value: '12' } });
    await fireEvent.input(screen.getByTestId('sandbox-add-date-year'), { target: { value: '2026' } });
    await fireEvent.input(screen.getByTestId('sandbox-add-time-hour'), { target: { value: '14' } });
    await fireEvent.input(screen.getByTestId('sandbox-add-time-minute'), { target: { value: '30' } });
    await fireEvent.change(screen.getByTestId('sandbox-add-duration'), { target: { value: '30' } });
    await fireEvent.click(screen.getByTestId('sandbox-add'));

    expect(calls.find((c) => c.command === 'sandbox_create_event')?.args).toEqual({
      calendarId: work,
      summary: 'Design review',
      start: '2026-12-04T14:30:00+00:00',
      end: '2026-12-04T15:00:00+00:00',
      allDay: false,
    });
    const title = await screen.findByTestId('sandbox-event-title');
    expect(title.textContent).toBe('Design review');
    expect((screen.getByTestId('sandbox-add-title') as HTMLInputElement).value, 'ready for the next one').toBe('');
  });

  it('moves an event an hour later and deletes one', async () => {
    const calls = mockBackend({
      sandbox_events: () => [teamSync],
      sandbox_update_event: (args) => ({ ...teamSync, start: args.start, end: args.end }),
      sandbox_delete_event: () => null,
    });
    render(Sandbox, { props: { store: sandboxStore() } });

    await fireEvent.click(await screen.findByTestId('sandbox-move-later'));
    expect(calls.find((c) => c.command === 'sandbox_update_event')?.args).toEqual({
      calendarId: work,
      eventId: 'e1',
      start: '2026-12-03T11:00:00+00:00',
      end: '2026-12-03T12:00:00+00:00',
    });
    await waitFor(() => expect(screen.getByTestId('sandbox-event-when').textContent).toBe('Thu 3 Dec, 11:00–12:00'));

    await fireEvent.click(screen.getByTestId('sandbox-delete'));
    expect(calls.at(-1)).toEqual({ command: 'sandbox_delete_event', args: { calendarId: work, eventId: 'e1' } });
    await waitFor(() => expect(screen.queryByTestId('sandbox-event-row')).toBeNull());
  });

  it('keeps a typed new name when renaming fails, with the reason at that row', async () => {
    mockBackend({
      sandbox_events: () => [teamSync],
      sandbox_update_event: fails({ code: 'sandbox', message: 'The sandbox is not running.' }),
    });
    render(Sandbox, { props: { store: sandboxStore() } });

    await fireEvent.click(await screen.findByTestId('sandbox-rename'));
    const input = screen.getByTestId('sandbox-rename-input') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'Team sync (moved room)' } });
    await fireEvent.click(screen.getByTestId('sandbox-rename-save'));

    const row = screen.getByTestId('sandbox-event-row');
    expect((await within(row).findByTestId('sandbox-event-error')).textContent).toBe('The sandbox is not running.');
    expect((within(row).getByTestId('sandbox-rename-input') as HTMLInputElement).value).toBe('Team sync (moved room)');
  });
});
