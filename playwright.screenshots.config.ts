import { defineConfig } from '@playwright/test';
import base from './playwright.config.js';

// `npm run screenshots`: docs/screenshots/*.png of the dashboard and the portal, from a seeded collector.
export default defineConfig({
  ...base,
  projects: [{ name: 'screenshots', use: { store: 'sqlite' } }],
  testMatch: 'screenshots/*.shots.ts',
  workers: 1,
});
