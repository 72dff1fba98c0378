// Channels also lists each account's calendar-list channel, counting down to its expiry,
// with Renew now; a renewal's new channel takes the old row's place.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppStore } from '../src/lib/store.svelte';
import Channels from '../src/views/Channels.svelte';
import { mockBackend, shellEvent } from './backend';
import { appState, channel, listChannel } from './fixtures';

const WORK = 'ada@work.example';
const HOME = 'ada@home.example';

describe('calendar-list channels', () => {
  it('shows one row an account, with its countdown, below the calendars’ channels', () => {
    const store = new AppStore();
    store.now = Date.UTC(2026, 10, 28, 12, 0);
    store.channels = [channel()];
    store.listChannels = [
      listChannel({ id: 'list-work', account: WORK, expiresAt: store.now + 3 * 86_400_000 + 61_000 }),
      listChannel({ id: 'list-home', account: HOME, state: 'stopped' }),
    ];
    render(Channels, { props: { store } });

    expect(screen.getAllByTestId('channel-row'), 'the calendar’s channel is still listed first').toHaveLength(1);
    const section = screen.getByTestId('list-channels');
    expect(within(section).getByRole('heading').textContent).toBe('Calendar lists');
    const rows = within(section).getAllByTestId('list-channel-row');
    expect(rows, 'a stopped one is not shown').toHaveLength(1);
    expect(within(rows[0]).getByTestId('list-channel-account').textContent).toBe(WORK);
    expect(within(rows[0]).getByTestId('list-channel-countdown').textContent?.trim()).toBe('3 d 0 h');
    expect(within(rows[0]).getByTestId('list-channel-state').textContent?.trim()).toBe('active');
    expect(within(rows[0]).queryByTestId('channel-stop'), 'a list channel is not stopped by hand').toBeNull();
  });

  it('says nothing of calendar lists when there is none (signed out)', () => {
    const store = new AppStore();
    render(Channels, { props: { store } });
    expect(screen.getByTestId('channels-empty')).toBeTruthy();
    expect(screen.queryByTestId('list-channels')).toBeNull();
  });

  it('renews a calendar-list channel now and shows the new one in its place', async () => {
    const calls = mockBackend({
      renew_list_channel: ({ channelId }) =>
        listChannel({ id: `${channelId}-renewed`, account: WORK, lastMessage: 0 }),
    });
    const store = new AppStore();
    store.listChannels = [listChannel({ id: 'list-work', account: WORK })];
    render(Channels, { props: { store } });

    await fireEvent.click(screen.getByTestId('list-channel-renew'));
    await waitFor(() =>
      expect(screen.getByTestId('list-channel-row').dataset.channelId).toBe('list-work-renewed'),
    );
    expect(calls).toEqual([{ command: 'renew_list_channel', args: { channelId: 'list-work' } }]);
    expect(screen.getAllByTestId('list-channel-row')).toHaveLength(1);
  });

  it('follows the shell’s list-channels event', async () => {
    mockBackend({
      get_state: () => appState(),
      list_channels: () => [],
      list_calendar_list_channels: () => [listChannel({ id: 'list-work', account: WORK })],
      list_changes: () => [],
      list_calendars: () => [],
    });
    const store = new AppStore();
    const stop = await store.start();
    expect(store.listChannels.map((c) => c.account), 'loaded at start').toEqual([WORK]);
    await shellEvent('calwatch://list-channels', [listChannel({ id: 'list-home', account: HOME })]);
    await waitFor(() => expect(store.listChannels.map((c) => c.account)).toEqual([HOME]));
    stop();
  });
});
