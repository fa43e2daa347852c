/**
 * The script-tag entry `tillit-privacy.js`: the privacy client and the decisions (chunk.ts), loaded by
 * `tillit.js` where a decision is due or made, and on the first `tillit.privacy.*` call (so that the
 * bundle every page loads carries neither).
 */
import { openChunk } from './chunk.js';

(window as { tillitPrivacy?: typeof openChunk }).tillitPrivacy = openChunk;
