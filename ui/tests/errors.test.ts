import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../src/App.svelte';
import { AppStore } from '../src/lib/store.svelte';
import Calendars from '../src/views/Calendars.svelte';
import Settings from '../src/views/Settings.svelte';
import Setup from '../src/views/Setup.svelte';
import { fails, mockBackend, shellEvent } from './backend';
import { appState, calendar, firstRunState } from './fixtures';

const WEB_CLIENT =
  'This file is for a "Web application" client. Create a "Desktop app" OAuth client in the Google Cloud console and download its JSON.';

function storeWith(state = appState()) {
  const store = new AppStore();
  store.connected = true;
  store.loaded = true;
  store.setState(state);
  return store;
}

describe('errors are shown where they happened', () => {
  it('a bad client secret file shows its sentence by the path field, and the path stays typed', async () => {
    const calls = mockBackend({
      import_client_secret: fails({ code: 'bad_client_secret', message: WEB_CLIENT }),
    });
    render(Setup, { props: { store: storeWith(firstRunState()) } });

    const field = screen.getByTestId('client-secret-path') as HTMLInputElement;
    await fireEvent.input(field, { target: { value: '/tmp/client_secret_web.json' } });
    await fireEvent.click(screen.getByTestId('client-secret-import'));

    const message = await screen.findByTestId('client-secret-error');
    expect(message.textContent).toBe(WEB_CLIENT);
    expect(message.dataset.errorCode).toBe('bad_client_secret');
    expect(calls.at(-1)).toEqual({ command: 'import_client_secret', args: { path: '/tmp/client_secret_web.json' } });
    expect(field.value, 'nothing typed is lost on error').toBe('/tmp/client_secret_web.json');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    // It is by the client-secret step, not somewhere else on the page.
    expect(within(screen.getByTestId('step-client-secret')).getByTestId('client-secret-error')).toBe(message);
  });

  it('an http callback URL shows callback_not_https by the callback field', async () => {
    const sentence = 'The callback URL must start with https:// — Google only delivers to HTTPS addresses.';
    mockBackend({ set_callback_url: fails({ code: 'callback_not_https', message: sentence }) });
    render(Setup, { props: { store: storeWith() } });

    const field = screen.getByTestId('callback-url') as HTMLInputElement;
    await fireEvent.input(field, { target: { value: 'http://example.net/notifications' } });
    await fireEvent.click(screen.getByTestId('callback-save'));

    const message = await screen.findByTestId('callback-error');
    expect(message.textContent).toBe(sentence);
    expect(message.dataset.errorCode).toBe('callback_not_https');
    expect(within(screen.getByTestId('step-callback')).getByTestId('callback-error')).toBe(message);
    expect(field.value).toBe('http://example.net/notifications');
    expect(screen.queryByTestId('client-secret-error'), 'the other fields stay clean').toBeNull();
  });

  it('Test saves the typed URL, then shows each probe step with its mark and the round trip', async () => {
    const calls = mockBackend({
      set_callback_url: ({ url }) => appState({ callbackUrl: url as string }),
      check_callback: () => ({
        ok: false,
        rttMs: 84,
        steps: [
          { name: 'DNS', ok: true, detail: 'calwatch.example.net → 203.0.113.7' },
          { name: 'HTTPS', ok: false, detail: 'certificate has expired' },
        ],
      }),
    });
    render(Setup, { props: { store: storeWith() } });
    calls.length = 0;

    await fireEvent.input(screen.getByTestId('callback-url'), {
      target: { value: 'https://calwatch.example.net/notifications' },
    });
    await fireEvent.click(screen.getByTestId('callback-test'));

    const steps = await screen.findAllByTestId('probe-step');
    expect(calls.map((c) => c.command)).toEqual(['set_callback_url', 'check_callback']);
    expect(steps.map((s) => s.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      '✓ DNS calwatch.example.net → 203.0.113.7',
      '✗ HTTPS certificate has expired',
    ]);
    expect(steps.map((s) => s.dataset.ok)).toEqual(['true', 'false']);
    expect(screen.getByTestId('probe-rtt').textContent).toContain('84 ms');
  });

  it('a failed Watch shows at that calendar row with the way to fix it', async () => {
    const sentence = 'Set a public callback URL first: Google needs somewhere to send change notices.';
    mockBackend({ watch_calendar: fails({ code: 'no_callback', message: sentence }) });
    const store = storeWith();
    store.calendars = [calendar(), calendar({ id: 'team@group.calendar.google.com', summary: 'Team', primary: false })];
    store.view = 'calendars';
    render(Calendars, { props: { store } });

    const team = screen.getAllByTestId('calendar-row').find((r) => r.dataset.calendarId === 'team@group.calendar.google.com')!;
    await fireEvent.click(within(team).getByTestId('watch-button'));

    expect((await within(team).findByTestId('calendar-error')).textContent).toBe(sentence);
    expect(screen.getAllByTestId('calendar-error'), 'only the row that failed').toHaveLength(1);
    // The code (not the text) decides the remedy: no callback → Setup.
    await fireEvent.click(within(team).getByTestId('calendar-error-remedy'));
    expect(store.view).toBe('setup');
  });

  it('a taken receiver port is shown by the port field and the typed port stays', async () => {
    mockBackend({
      update_settings: fails({ code: 'port_in_use', message: 'Port 80 is already in use on 127.0.0.1.' }),
    });
    render(Settings, { props: { store: storeWith() } });

    const port = screen.getByTestId('receiver-port') as HTMLInputElement;
    await fireEvent.input(port, { target: { value: '80' } });
    await fireEvent.click(screen.getByTestId('settings-save'));

    expect((await screen.findByTestId('receiver-port-error')).textContent).toBe('Port 80 is already in use on 127.0.0.1.');
    expect(screen.queryByTestId('settings-error')).toBeNull();
    expect(port.value).toBe('80');
  });

  it('a pause that fails leaves the switch as it was', async () => {
    mockBackend({ update_settings: fails({ code: 'store', message: 'CalWatch could not save settings.' }) });
    render(Settings, { props: { store: storeWith() } });

    const pause = screen.getByTestId('pause-toggle') as HTMLInputElement;
    await fireEvent.click(pause);

    expect((await screen.findByTestId('pause-error')).textContent).toBe('CalWatch could not save settings.');
    expect(pause.checked, 'not paused, so the switch must not say paused').toBe(false);
  });

  it('cancelling sign-in is a calm note, not an error', async () => {
    mockBackend({
      sign_in: fails({ code: 'sign_in_cancelled', message: 'Sign-in cancelled.' }),
    });
    render(Setup, { props: { store: storeWith(appState({ account: null })) } });

    await fireEvent.click(screen.getByTestId('sign-in'));

    expect((await screen.findByTestId('sign-in-note')).textContent).toBe('Sign-in cancelled.');
    expect(screen.queryByTestId('sign-in-error')).toBeNull();
  });

  it('a failed sign-in shows its sentence by the sign-in step', async () => {
    mockBackend({
      sign_in: fails({ code: 'sign_in_failed', message: 'Google did not give CalWatch access (access_denied).' }),
    });
    render(Setup, { props: { store: storeWith(appState({ account: null })) } });

    await fireEvent.click(screen.getByTestId('sign-in'));

    const message = await screen.findByTestId('sign-in-error');
    expect(message.textContent).toBe('Google did not give CalWatch access (access_denied).');
    expect(within(screen.getByTestId('step-sign-in')).getByTestId('sign-in-error')).toBe(message);
  });

  it('a background error arrives as a banner that can be dismissed', async () => {
    mockBackend({
      get_state: () => appState(),
      list_calendars: () => [],
      list_channels: () => [],
      list_calendar_list_channels: () => [],
      list_changes: () => [],
    });
    const store = new AppStore();
    render(App, { props: { store } });
    const stop = await store.start();

    await shellEvent('calwatch://error', {
      code: 'needs_sign_in',
      message: 'Google no longer accepts CalWatch’s sign-in. Sign in again to keep watching.',
    });

    // The same failure again (say, a retried renewal) does not stack up.
    await shellEvent('calwatch://error', {
      code: 'needs_sign_in',
      message: 'Google no longer accepts CalWatch’s sign-in. Sign in again to keep watching.',
    });

    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toBe('Google no longer accepts CalWatch’s sign-in. Sign in again to keep watching.');
    expect(banner.dataset.errorCode).toBe('needs_sign_in');
    expect(screen.getByTestId('error-banner-remedy').textContent?.trim()).toBe('Sign in again');

    await fireEvent.click(screen.getByTestId('error-dismiss'));
    await waitFor(() => expect(screen.queryByTestId('error-banner')).toBeNull());
    stop();
  });
});
