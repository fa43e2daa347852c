/**
 * The script-tag entry `tillit-privacy.js`: the privacy client, loaded by `tillit.js` on the first
 * `tillit.privacy.*` call (few visitors ever make one, so it stays out of the bundle every page loads).
 */
import { createPrivacy } from './privacy.js';

(window as { tillitPrivacy?: typeof createPrivacy }).tillitPrivacy = createPrivacy;
