// The frame's scrolling: only the content column scrolls; the sidebar stays where it is.
// jsdom does no layout, so this pins the structure and the rules that make it so.
/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { AppStore } from '../src/lib/store.svelte';
import { mockBackend, shellEvent } from './backend';
import { appState, change } from './fixtures';

let sheet: HTMLStyleElement;

beforeEach(() => {
  sheet = document.createElement('style');
  // Vitest leaves CSS imports empty, so the window's one sheet is read as text.
  sheet.textContent = readFileSync(resolve(__dirname, '../src/app.css'), 'utf8');
  document.head.append(sheet);
});

afterEach(() => sheet.remove());

async function startApp() {
  mockBackend({
    get_state: () => appState({ sandbox: true, watchedCount: 1 }),
    list_channels: () => [],
    list_calendar_list_channels: () => [],
    list_calendars: () => [],
    list_changes: () => Array.from({ length: 40 }, (_, i) => change({ id: i + 1 })),
    sandbox_events: () => [],
  });
  const store = new AppStore();
  render(App, { props: { store } });
  const stop = await store.start();
  await tick();
  return { store, stop };
}

describe('the frame', () => {
  it('scrolls the content column only; the sidebar and the window stay put', async () => {
    const { stop } = await startApp();
    await shellEvent('calwatch://error', { code: 'offline', message: 'Google cannot be reached.' });
    await tick();

    const shell = document.querySelector<HTMLElement>('.shell')!;
    const sidebar = screen.getByRole('navigation', { name: 'Sections' });
    const content = screen.getByRole('main');
    expect(screen.getAllByTestId('change-row').length, 'a list longer than the window').toBe(40);

    // The sidebar is not inside the scrolling part; the view and the banners are,
    // with the banners first, above the view.
    expect(content.contains(sidebar)).toBe(false);
    const view = screen.getByTestId('view-activity');
    expect(content.contains(view)).toBe(true);
    const banners = [screen.getByTestId('sandbox-banner'), screen.getByTestId('error-banner')];
    for (const banner of banners) {
      expect(content.contains(banner)).toBe(true);
      expect(banner.compareDocumentPosition(view) & Node.DOCUMENT_POSITION_FOLLOWING, 'banner above the view').toBeTruthy();
    }

    // The window itself never scrolls: the frame fills it and clips, one row tall at most…
    const frame = getComputedStyle(shell);
    expect(frame.height).toBe('100%');
    expect(frame.overflow).toBe('hidden');
    expect(frame.gridTemplateRows.replace(/\s+/g, ' ')).toBe('minmax(0, 1fr)');
    // …the content column is the scroll container…
    expect(getComputedStyle(content).overflowY).toBe('auto');
    expect(getComputedStyle(content).minHeight).toBe('0px');
    // …and a short window gives the sidebar its own scrollbar rather than stretching the page.
    expect(getComputedStyle(sidebar).overflowY).toBe('auto');
    expect(getComputedStyle(sidebar).minHeight).toBe('0px');
    stop();
  });
});
