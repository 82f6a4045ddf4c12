import * as os from 'node:os';
import type { CredentialEnv } from '../core/providers/types';

/** The real home folder and environment, for providers that read another tool's sign-in files. */
export function systemCredentialEnv(): CredentialEnv {
  return { home: os.homedir(), env: process.env, platform: process.platform };
}
