// Preload, loaded before the telemetry one (see the start and dev scripts in package.json):
// puts the values of the .env files into process.env first, so OTEL_* set in a file reach the
// telemetry preload and every variable reaches config.ts. Files: this app's .env.local and .env,
// then the repository root's; the real environment always wins; NODE_ENV=test reads none.
import { fileURLToPath } from 'node:url';
import { envFilesOf, loadEnvFiles } from '@rnh/config';

// src/ under tsx, dist/ when built: either way the app's directory is one up.
loadEnvFiles(envFilesOf(fileURLToPath(new URL('..', import.meta.url))), process.env);
