// What the Debian package generates from the option table (scripts/package-deb.mjs bundles this file).
export { bashCompletion } from './completion.js';
export { defaultConfig } from './default-config.js';
export { manPage } from './man-page.js';
export { INSTALLED_BINARY } from '../util/installed-binary.js';
