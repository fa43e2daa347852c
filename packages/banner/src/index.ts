export { type BannerOptions, type BannerUI, mountBanner } from './banner.js';
export { type ConsentModeOptions, consentMode, consentState, DEFAULT_CONSENT_MAP, gtag } from './consent-mode.js';
export { type CookieRule, deleteCookies } from './cookies.js';
export { gateTags, type TagGate, type TagGateOptions } from './tags.js';
export { mountTags, type TagsMount, type TagsOptions } from './tags-mount.js';
export { en, type PurposeText, sv, type Texts } from './texts.js';
