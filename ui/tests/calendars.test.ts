import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { accessBadge } from '../src/lib/format';
import { AppStore } from '../src/lib/store.svelte';
import Calendars from '../src/views/Calendars.svelte';
import { appState, calendar } from './fixtures';

const FREE_BUSY_TIP =
  'You can only see when this calendar is busy; CalWatch can tell you that something changed, not what.';

describe('calendar access badges', () => {
  it.each([
    ['reader', 'read-only'],
    ['freeBusyReader', 'free/busy only'],
  ])('%s reads "%s"', (role, label) => {
    expect(accessBadge(role)?.label).toBe(label);
  });

  it('explains what free/busy access means for CalWatch', () => {
    expect(accessBadge('freeBusyReader')?.title).toBe(FREE_BUSY_TIP);
    expect(accessBadge('reader')?.title).toMatch(/not change them/);
  });

  it.each(['owner', 'writer', '', 'somethingNew', 'toString'])('says nothing for %j', (role) => {
    expect(accessBadge(role)).toBeNull();
  });

  it('draws the badge by the name of the calendars that need it, and only those', () => {
    const store = new AppStore();
    store.app = appState();
    store.calendars = [
      calendar({ id: 'own', summary: 'Work', accessRole: 'owner' }),
      calendar({ id: 'write', summary: 'Team', primary: false, accessRole: 'writer' }),
      calendar({ id: 'read', summary: 'Holidays', primary: false, accessRole: 'reader' }),
      calendar({ id: 'busy', summary: 'Boss', primary: false, accessRole: 'freeBusyReader' }),
      calendar({ id: 'unknown', summary: 'Old', primary: false, accessRole: '' }),
    ];
    render(Calendars, { props: { store } });

    const badgeOf = (id: string) => {
      const row = screen.getAllByTestId('calendar-row').find((r) => r.dataset.calendarId === id)!;
      return within(row).queryByTestId('calendar-access');
    };
    for (const id of ['own', 'write', 'unknown']) expect(badgeOf(id), `${id}: no badge`).toBeNull();

    const reader = badgeOf('read')!;
    expect(reader.textContent?.trim()).toBe('read-only');
    expect(reader.dataset.accessRole).toBe('reader');
    expect(reader.title).toBe(accessBadge('reader')!.title);

    const busy = badgeOf('busy')!;
    expect(busy.textContent?.trim()).toBe('free/busy only');
    expect(busy.dataset.accessRole).toBe('freeBusyReader');
    expect(busy.title).toBe(FREE_BUSY_TIP);
    expect(busy.classList.contains('pill'), 'muted, like "primary"').toBe(true);
    // Right after the name, before the watch state and buttons.
    const name = within(busy.closest('li')!).getByTestId('calendar-name');
    expect(name.nextElementSibling).toBe(busy);
  });
});
