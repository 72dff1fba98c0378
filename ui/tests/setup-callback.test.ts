import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { AppStore } from '../src/lib/store.svelte';
import type { AppState, ProbeReport, ToolOffer } from '../src/lib/types';
import Setup from '../src/views/Setup.svelte';
import { fails, mockBackend } from './backend';
import { appState } from './fixtures';

function storeWith(state: AppState) {
  const store = new AppStore();
  store.connected = true;
  store.loaded = true;
  store.setState(state);
  return store;
}

const passing: ProbeReport = { ok: true, rttMs: 12, steps: [{ name: 'Reaches this CalWatch', ok: true, detail: '' }] };
const failing: ProbeReport = { ok: false, rttMs: null, steps: [{ name: 'Reaches this CalWatch', ok: false, detail: 'timed out' }] };

function offer(tool: ToolOffer['tool'], installed: boolean): ToolOffer {
  const commands = {
    cloudflared: 'cloudflared tunnel --url http://127.0.0.1:8765',
    ngrok: 'ngrok http 8765',
    tailscale: 'tailscale funnel --bg 8765',
  };
  return {
    tool,
    installed,
    installUrl: `https://example.com/${tool}`,
    command: commands[tool],
  };
}

describe('Setup tells the truth about the callback step', () => {
  it('a saved address is not ticked until a Test passes, and a failing Test says so', async () => {
    let report = failing;
    mockBackend({ tunnel_tools: () => [], check_callback: () => report });
    render(Setup, { props: { store: storeWith(appState({ callbackUrl: 'https://cw.example.net/notifications' })) } });

    const step = screen.getByTestId('step-callback');
    expect(step.dataset.done, 'saved is not tested').toBe('false');
    expect(screen.getByTestId('callback-state').dataset.state).toBe('untested');

    await fireEvent.click(screen.getByTestId('callback-test'));
    await waitFor(() => expect(screen.getByTestId('callback-state').dataset.state).toBe('failing'));
    expect(step.dataset.done).toBe('false');

    report = passing;
    await fireEvent.click(screen.getByTestId('callback-test'));
    await waitFor(() => expect(step.dataset.done).toBe('true'));
    expect(screen.getByTestId('probe-result').textContent).toContain('Reachable from the internet.');
  });

  it('a loopback http address that passes never reads "Reachable from the internet"', async () => {
    mockBackend({ tunnel_tools: () => [], check_callback: () => passing });
    render(Setup, {
      props: { store: storeWith(appState({ callbackUrl: 'http://127.0.0.1:4567/notifications', allowHttpCallback: true })) },
    });
    await fireEvent.click(screen.getByTestId('callback-test'));
    const result = await screen.findByTestId('probe-result');
    expect(result.dataset.ok).toBe('true');
    expect(result.textContent).not.toContain('Reachable from the internet');
    expect(result.textContent).toContain('not from the internet');
  });

  it('a non-URL gets the app’s own sentence, with no browser bubble and no stale message', async () => {
    const first = 'The callback URL “not a url” is not a web address: paste the https://… address your tunnel gives.';
    const second = 'The callback URL must start with https:// — Google only delivers to HTTPS addresses.';
    let answer = first;
    mockBackend({
      tunnel_tools: () => [],
      set_callback_url: () => {
        throw { code: 'callback_invalid', message: answer };
      },
    });
    render(Setup, { props: { store: storeWith(appState()) } });
    const field = screen.getByTestId('callback-url') as HTMLInputElement;
    expect(field.type, 'no type=url: the browser must not answer with its own bubble').toBe('text');
    expect(field.closest('form')?.noValidate).toBe(true);

    await fireEvent.input(field, { target: { value: 'not a url' } });
    await fireEvent.click(screen.getByTestId('callback-save'));
    expect((await screen.findByTestId('callback-error')).textContent).toBe(first);

    await fireEvent.input(field, { target: { value: 'http://example.net' } });
    expect(screen.queryByTestId('callback-error'), 'typing again clears the old sentence').toBeNull();
    answer = second;
    await fireEvent.click(screen.getByTestId('callback-save'));
    const shown = await screen.findAllByTestId('callback-error');
    expect(shown.map((e) => e.textContent)).toEqual([second]);
  });

  it('links each console step and says Testing status asks to sign in every 7 days', async () => {
    const calls = mockBackend({ tunnel_tools: () => [], open_link: () => null });
    render(Setup, {
      props: { store: storeWith(appState({ clientSecret: { imported: false, clientId: null }, account: null })) },
    });
    for (const [testid, url] of [
      ['console-link-library', 'https://console.cloud.google.com/apis/library/calendar-json.googleapis.com'],
      ['console-link-consent', 'https://console.cloud.google.com/apis/credentials/consent'],
      ['console-link-credentials', 'https://console.cloud.google.com/apis/credentials'],
    ]) {
      await fireEvent.click(screen.getByTestId(testid));
      expect(calls.at(-1)).toEqual({ command: 'open_link', args: { url } });
    }
    expect(screen.getByTestId('console-link-library').textContent).toContain('Calendar API');
    expect(screen.getByTestId('console-link-credentials').textContent).toContain('Credentials');
    expect(screen.getByTestId('testing-note').textContent).toMatch(/Testing.*every 7 days/s);
  });
});

describe('Get a public address for me', () => {
  it('offers the installed tool, starts it, and tests the address it gives', async () => {
    const calls = mockBackend({
      tunnel_tools: () => [offer('tailscale', false), offer('ngrok', false), offer('cloudflared', true)],
      start_tunnel: () =>
        appState({
          callbackUrl: 'https://a-b-c.trycloudflare.com/notifications',
          tunnel: {
            tool: 'cloudflared',
            state: 'running',
            publicUrl: 'https://a-b-c.trycloudflare.com/notifications',
            error: null,
            restarts: 0,
            pid: 42,
          },
        }),
      check_callback: () => passing,
    });
    render(Setup, { props: { store: storeWith(appState()) } });

    await fireEvent.click(await screen.findByTestId('tunnel-start-cloudflared'));
    await waitFor(() => expect(screen.getByTestId('step-callback').dataset.done).toBe('true'));
    expect(calls.find((c) => c.command === 'start_tunnel')?.args).toEqual({ tool: 'cloudflared' });
    expect(calls.map((c) => c.command)).toContain('check_callback');
    expect((screen.getByTestId('callback-url') as HTMLInputElement).value).toBe(
      'https://a-b-c.trycloudflare.com/notifications',
    );
    expect(screen.getByTestId('tunnel-status').dataset.state).toBe('running');
    expect(screen.getByTestId('tunnel-guide-ngrok').textContent).toContain('ngrok http 8765');
    expect(screen.queryByTestId('tunnel-start-ngrok'), 'not installed: no button').toBeNull();
  });

  it('with no tool installed, shows each one with its install link and the exact command to copy', async () => {
    const calls = mockBackend({
      tunnel_tools: () => [offer('tailscale', false), offer('ngrok', false), offer('cloudflared', false)],
      open_link: () => null,
    });
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: async (text: string) => void copied.push(text) },
      configurable: true,
    });
    render(Setup, { props: { store: storeWith(appState()) } });

    expect((await screen.findByTestId('tunnel-none')).textContent).toContain('No tunnel tool is installed');
    for (const tool of ['tailscale', 'ngrok', 'cloudflared'] as const) {
      expect(screen.getByTestId(`tunnel-command-${tool}`).textContent).toBe(offer(tool, false).command);
      await fireEvent.click(screen.getByTestId(`tunnel-copy-${tool}`));
      await fireEvent.click(screen.getByTestId(`tunnel-install-${tool}`));
      expect(calls.at(-1)).toEqual({ command: 'open_link', args: { url: `https://example.com/${tool}` } });
    }
    expect(copied).toEqual([
      'tailscale funnel --bg 8765',
      'ngrok http 8765',
      'cloudflared tunnel --url http://127.0.0.1:8765',
    ]);
  });

  it('a tool that cannot start shows its words', async () => {
    const words = 'ngrok says: “ERR_NGROK_4018”. ngrok needs your account’s authtoken…';
    mockBackend({
      tunnel_tools: () => [offer('ngrok', true)],
      start_tunnel: fails({ code: 'tunnel', message: words }),
    });
    render(Setup, { props: { store: storeWith(appState()) } });
    await fireEvent.click(await screen.findByTestId('tunnel-start-ngrok'));
    expect((await screen.findByTestId('tunnel-start-error')).textContent).toBe(words);
  });
});

describe('push health and domain verification in Setup', () => {
  it('says push is down, why, and how often Google is checked meanwhile', async () => {
    mockBackend({ tunnel_tools: () => [] });
    render(Setup, {
      props: {
        store: storeWith(
          appState({
            callbackUrl: 'https://cw.example.net/notifications',
            pushHealth: {
              state: 'down',
              reason: 'the public address does not answer',
              checkedAt: 1,
              pollingEveryMinutes: 2,
              lastDeliveries: [],
            },
          }),
        ),
      },
    });
    const line = screen.getByTestId('push-health');
    expect(line.dataset.state).toBe('down');
    expect(line.textContent?.replace(/\s+/g, ' ')).toContain(
      'Push is down: the public address does not answer — checking Google every 2 minutes meanwhile.',
    );
  });

  it('serves the pasted verification file name and links both consoles', async () => {
    const calls = mockBackend({
      tunnel_tools: () => [],
      open_link: () => null,
      update_settings: ({ settings }) =>
        appState({
          callbackUrl: 'https://node.tail1234.ts.net/notifications',
          settings: {
            ...appState().settings,
            siteVerificationFile: (settings as { siteVerificationFile: string }).siteVerificationFile,
          },
        }),
    });
    render(Setup, { props: { store: storeWith(appState({ callbackUrl: 'https://node.tail1234.ts.net/notifications' })) } });

    await fireEvent.input(screen.getByTestId('verification-file'), { target: { value: ' google0123abcd.html ' } });
    await fireEvent.click(screen.getByTestId('verification-save'));
    expect(calls.at(-1)).toEqual({ command: 'update_settings', args: { settings: { siteVerificationFile: 'google0123abcd.html' } } });
    expect((await screen.findByTestId('verification-serving')).textContent).toContain(
      'https://node.tail1234.ts.net/google0123abcd.html',
    );
    await fireEvent.click(screen.getByTestId('verification-link-search-console'));
    expect(calls.at(-1)?.args).toEqual({ url: 'https://search.google.com/search-console' });
    await fireEvent.click(screen.getByTestId('verification-link-cloud-console'));
    expect(calls.at(-1)?.args).toEqual({ url: 'https://console.cloud.google.com/apis/credentials/domainverification' });
  });

  it('a bad file name shows the engine’s sentence, and a quick tunnel is said not to stay verified', async () => {
    const sentence = 'That is not the name of a Search Console verification file: it looks like google1234abcd.html.';
    mockBackend({ tunnel_tools: () => [], update_settings: fails({ code: 'invalid_setting', message: sentence }) });
    render(Setup, {
      props: {
        store: storeWith(
          appState({
            callbackUrl: 'https://a-b.trycloudflare.com/notifications',
            tunnel: { tool: 'cloudflared', state: 'running', publicUrl: 'https://a-b.trycloudflare.com/notifications', error: null, restarts: 0, pid: 1 },
          }),
        ),
      },
    });
    expect(screen.getByTestId('verification-quick-tunnel').textContent).toContain('cannot stay verified');
    await fireEvent.input(screen.getByTestId('verification-file'), { target: { value: 'index.html' } });
    await fireEvent.click(screen.getByTestId('verification-save'));
    expect((await screen.findByTestId('verification-error')).textContent).toBe(sentence);
  });
});
