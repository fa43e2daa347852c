export * from './consent.js';
export * from './compiled-check.js';
export * from './event.js';
export * from './issues.js';
export * from './limits.js';
export * from './responses.js';
export * from './scrub.js';
export * from './subject.js';
