import * as os from 'node:os';
import type { CredentialEnv } from '../core/providers/types';
import { readKeychainPassword } from './keychain';

/** The real home folder and environment (and, on macOS, the keychain), for providers that read another tool's sign-in. */
export function systemCredentialEnv(): CredentialEnv {
  const env: CredentialEnv = { home: os.homedir(), env: process.env, platform: process.platform };
  if (process.platform === 'darwin') env.keychainPassword = (service) => readKeychainPassword(service);
  return env;
}
