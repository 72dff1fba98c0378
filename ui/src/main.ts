import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { AppStore } from './lib/store.svelte';

const store = new AppStore();
mount(App, { target: document.getElementById('app')!, props: { store } });
void store.start();
