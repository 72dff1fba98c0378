import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { AppStore } from './lib/store.svelte';

async function boot() {
  // The dev server can stand in for the shell (see src/dev/demo.ts); builds leave this out.
  const demo = new URLSearchParams(location.search);
  if (import.meta.env.DEV && demo.has('demo')) {
    const { installDemo } = await import('./dev/demo');
    installDemo(demo.get('demo'));
  }
  const store = new AppStore();
  mount(App, { target: document.getElementById('app')!, props: { store } });
  await store.start();
}

void boot();
