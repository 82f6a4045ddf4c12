// Reads a generic-password item from the macOS keychains with Apple's `security` tool (absolute path: never one
// found on PATH). The password goes to the caller only: never logged, never in an error message.
import { execFile } from 'node:child_process';

/** `security` exits with this when the item does not exist (errSecItemNotFound). */
const NOT_FOUND = 44;

export interface KeychainOptions {
  /** Default `/usr/bin/security`; tests pass a stand-in. */
  bin?: string;
  /** macOS may ask the user to allow the read; this long is left for the answer (default 60 s). */
  timeoutMs?: number;
}

/** The password of the item `service` (`security find-generic-password -s <service> -w`), undefined when there is none. */
export function readKeychainPassword(service: string, opts: KeychainOptions = {}): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      opts.bin ?? '/usr/bin/security',
      ['find-generic-password', '-s', service, '-w'],
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 1024 * 1024, encoding: 'utf8', windowsHide: true },
      (err, stdout) => {
        if (!err) {
          resolve(stdout.replace(/\r?\n$/, ''));
          return;
        }
        const e = err as Omit<NodeJS.ErrnoException, 'code'> & { code?: number | string; killed?: boolean; signal?: string | null };
        if (e.code === NOT_FOUND) {
          resolve(undefined);
          return;
        }
        // stderr is left out: `security` may echo what it was asked, and nothing of a keychain belongs in a log.
        const why = e.killed || e.signal ? 'no answer in time (was access allowed?)' : typeof e.code === 'number' ? `security exited with ${e.code}` : `security could not run (${e.code ?? 'error'})`;
        reject(new Error(why));
      },
    );
  });
}
