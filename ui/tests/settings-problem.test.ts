import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { AppStore } from '../src/lib/store.svelte';
import { mockBackend } from './backend';
import { appState } from './fixtures';

async function openSettings(problem: string | null) {
  mockBackend({
    get_state: () => appState({ settingsProblem: problem }),
    list_channels: () => [],
    list_calendar_list_channels: () => [],
    list_changes: () => [],
    list_calendars: () => [],
  });
  const store = new AppStore();
  render(App, { props: { store } });
  const stop = await store.start();
  await tick();
  await fireEvent.click(screen.getByTestId('nav-settings'));
  return stop;
}

describe('a settings file CalWatch cannot fully use', () => {
  it('says so in Settings with the file and the key', async () => {
    const sentence =
      'settings.json at /home/me/.local/share/calwatch/settings.json has a key CalWatch does not know: "coalesce_window_ms". It is ignored.';
    const stop = await openSettings(sentence);
    expect(screen.getByTestId('settings-problem').textContent).toContain('coalesce_window_ms');
    expect(screen.getByTestId('settings-problem').textContent).toContain('settings.json');
    stop();
  });

  it('shows nothing when the file is fine', async () => {
    const stop = await openSettings(null);
    expect(screen.queryByTestId('settings-problem')).toBeNull();
    stop();
  });
});
