import { fileURLToPath } from 'node:url';

/** The project folder: one level above both src/ (under tsx) and dist/ (built). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const QUERIES_DIR = fileURLToPath(new URL('../queries/', import.meta.url));
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));
export const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

/** The name prefix of each browser's temporary profile folder under the system's temporary folder. */
export const BROWSER_PROFILE_PREFIX = 'portbrief-chromium-';
