#!/usr/bin/env node
// `tokstat` (package.json `bin`, dist/cli.js): a few lines that load the CLI's bundle (dist/cli-main.js, from
// src/cli/main.ts) through a V8 code cache in the CLI's cache folder (codeCache.ts) and run it. TOKSTAT_CODE_CACHE=0
// loads it as usual. Under tsc (tests) the bundle is ./main.js.
import * as os from 'node:os';
import * as path from 'node:path';
import { cliCacheDir } from './cache';
import { cacheCommand, requireWithCodeCache } from './codeCache';

declare const __TOKSTAT_CLI_MAIN__: string | undefined;
const MAIN = typeof __TOKSTAT_CLI_MAIN__ === 'string' ? __TOKSTAT_CLI_MAIN__ : 'main.js';

const off = process.env.TOKSTAT_CODE_CACHE === '0';
let dir: string | undefined;
try {
  dir = off ? undefined : path.join(cliCacheDir(process.env, os.homedir()), 'code');
} catch {
  dir = undefined;
}
const cli = requireWithCodeCache<typeof import('./main')>(path.join(__dirname, MAIN), dir, cacheCommand(process.argv.slice(2)));
cli.exports.cliMain(__filename);
