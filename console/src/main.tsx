import { render } from 'preact';
import { App } from './app.js';
import { loadConfig } from './config.js';
import './styles.css';

const root = document.getElementById('app')!;
loadConfig().then((config) => {
  root.textContent = ''; // drop the "Loading…" placeholder: Preact renders into an empty element
  render(<App config={config} />, root);
});
