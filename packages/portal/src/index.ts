export type { AccessAnswer } from './access-answer.js';
export { type PortalBackend, PortalError, sdkBackend, tokenBackend, tokenSubject } from './backend.js';
export { defineElement, ELEMENT_NAME, TillitPrivacyPortal } from './element.js';
export { mountPortal, type Portal, type PortalOptions } from './portal.js';
export { type Lang, TEXTS } from './texts.js';
