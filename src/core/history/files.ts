// File plumbing of the history store, its compaction and migration: atomic rewrite, stat without throwing, and the
// text of an error for a log line.

import * as fsp from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { writeFilePrivate } from '../privateFs';

export async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFilePrivate(tmp, content, 'latin1');
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

export async function statOrUndefined(p: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fsp.stat(p);
  } catch {
    return undefined;
  }
}

export function isCode(e: unknown, c: string): boolean {
  return !!e && typeof e === 'object' && (e as { code?: unknown }).code === c;
}

export function errMsg(e: unknown): string {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string') return (e as { code: string }).code;
  return e instanceof Error ? e.message : String(e);
}
