export { type Child, h } from './element.js';
export { adoptStyles } from './styles.js';
