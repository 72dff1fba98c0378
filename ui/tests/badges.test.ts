import { render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { channelBadge, stateBadge } from '../src/lib/format';
import { AppStore } from '../src/lib/store.svelte';
import type { ChannelState } from '../src/lib/types';
import Channels from '../src/views/Channels.svelte';
import { channel } from './fixtures';

const expected: [ChannelState, string, string][] = [
  ['active', 'active', 'tone-ok'],
  ['renewing', 'renewing', 'tone-busy'],
  ['pending', 'pending', 'tone-busy'],
  ['expiring_soon', 'expiring soon', 'tone-warn'],
  ['expired', 'expired', 'tone-bad'],
  ['error', 'error', 'tone-bad'],
  ['stopped', 'stopped', 'tone-muted'],
];

describe('channel state badges', () => {
  it.each(expected)('%s reads "%s" in the %s colour', (state, label, tone) => {
    expect(stateBadge(state)).toEqual({ label, tone: tone.replace('tone-', '') });
  });

  it('reads expired once the time is up, even before the shell says so', () => {
    const now = Date.UTC(2026, 11, 5, 9, 0);
    expect(channelBadge({ state: 'active', expiresAt: now }, now).label).toBe('expired');
    expect(channelBadge({ state: 'expiring_soon', expiresAt: now - 1 }, now).label).toBe('expired');
    expect(channelBadge({ state: 'renewing', expiresAt: now - 1 }, now).label, 'a renewal in flight says so').toBe(
      'renewing',
    );
  });

  it('draws each live state as a badge on its channel row, with the error reason', () => {
    const store = new AppStore();
    store.now = Date.UTC(2026, 10, 28, 12, 0);
    const live = expected.filter(([state]) => state !== 'stopped');
    store.channels = live.map(([state], i) =>
      channel({
        id: `ch-${state}`,
        state,
        // The expired one really has expired; the rest have days left.
        expiresAt: state === 'expired' ? store.now - 1000 : store.now + (i + 1) * 86_400_000,
        error: state === 'error' ? 'Google refused the callback address.' : null,
      }),
    );
    render(Channels, { props: { store } });

    const rows = screen.getAllByTestId('channel-row');
    expect(rows, 'stopped channels are not listed').toHaveLength(live.length);
    for (const [state, label, tone] of live) {
      const row = rows.find((r) => r.dataset.channelId === `ch-${state}`)!;
      const badge = within(row).getByTestId('channel-state');
      expect(badge.textContent?.trim()).toBe(label);
      expect(badge.classList.contains(tone), `${state} badge is ${tone}`).toBe(true);
    }
    const errorRow = rows.find((r) => r.dataset.channelId === 'ch-error')!;
    expect(within(errorRow).getByTestId('channel-error-reason').textContent).toBe(
      'Google refused the callback address.',
    );
  });
});

describe('channel countdown', () => {
  it('counts down as the clock moves and ends at expired', async () => {
    const store = new AppStore();
    store.now = Date.UTC(2026, 10, 28, 12, 0, 0);
    store.channels = [channel({ expiresAt: store.now + 61_000 })];
    render(Channels, { props: { store } });

    const countdown = () => screen.getByTestId('channel-countdown');
    expect(countdown().textContent?.trim()).toBe('1 m 1 s');
    expect(countdown().dataset.secondsLeft).toBe('61');

    store.now += 2000;
    await tick();
    expect(countdown().textContent?.trim(), 'two seconds later').toBe('59 s');

    store.now += 60_000;
    await tick();
    expect(countdown().textContent?.trim()).toBe('expired');
    expect(screen.getByTestId('channel-state').textContent?.trim()).toBe('expired');
  });
});
