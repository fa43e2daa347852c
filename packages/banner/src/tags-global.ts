/**
 * The script-tag entry `tillit-tags.js`: gated tags, Google Consent Mode and cookie cleanup, with no
 * UI, for every page (the banner is loaded only while a decision is needed). Include it synchronously
 * in the head, before gtag: it pushes Consent Mode's default at once, and mounts when the SDK is ready.
 */
import { pageTags, whenTillit } from './page.js';

const tags = pageTags();
whenTillit(tags);
