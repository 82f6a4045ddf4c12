// Every file tokstat writes is private to the user: files 0600, folders 0700 (history, API usage, alert state,
// snapshots — which can hold an e-mail —, the usage index, prices, exports, leases). All writes go through here so
// the modes are stated once. Files and folders left with looser modes by older versions are tightened (chmod) the
// first time this process writes to them. On Windows modes do not apply (ACLs of the profile folder do); the calls
// are then plain writes.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';

/** Mode of every file tokstat creates: read/write for the user only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of every folder tokstat creates: the user only. */
export const PRIVATE_DIR_MODE = 0o700;

const posix = process.platform !== 'win32';
/** Paths already checked (or tightened) by this process, so the hot paths do not stat on every write. */
const tight = new Set<string>();
const TIGHT_MAX = 4096;

function remember(p: string): void {
  if (tight.size >= TIGHT_MAX) tight.clear();
  tight.add(p);
}

/** chmods `p` to `mode` if group or others have any access; missing paths are ignored. */
async function tighten(p: string, mode: number): Promise<void> {
  if (!posix || tight.has(p)) return;
  try {
    const st = await fsp.stat(p);
    if ((st.mode & 0o077) !== 0) await fsp.chmod(p, mode);
    remember(p);
  } catch {
    // Missing, or not ours to chmod: the write that follows reports what matters.
  }
}

function tightenSync(p: string, mode: number): void {
  if (!posix || tight.has(p)) return;
  try {
    const st = fs.statSync(p);
    if ((st.mode & 0o077) !== 0) fs.chmodSync(p, mode);
    remember(p);
  } catch {
    // as above
  }
}

/** `mkdir -p` with 0700 for what it creates; an existing folder with a looser mode is tightened to 0700. */
export async function mkdirPrivate(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await tighten(dir, PRIVATE_DIR_MODE);
}

export function mkdirPrivateSync(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tightenSync(dir, PRIVATE_DIR_MODE);
}

/** Non-recursive `mkdir` (fails with EEXIST if it exists: the leases use it as an atomic lock), mode 0700. */
export async function mkdirExclusivePrivate(dir: string): Promise<void> {
  await fsp.mkdir(dir, { mode: PRIVATE_DIR_MODE });
}

/** Writes a whole file, 0600 (also when it existed with a looser mode). */
export async function writeFilePrivate(file: string, data: string | Uint8Array, encoding?: BufferEncoding): Promise<void> {
  await fsp.writeFile(file, data, { encoding: encoding ?? 'utf8', mode: PRIVATE_FILE_MODE });
  await tighten(file, PRIVATE_FILE_MODE);
}

/** Appends to a file, creating it 0600; an existing file with a looser mode is tightened. */
export async function appendFilePrivate(file: string, data: string | Uint8Array, encoding?: BufferEncoding): Promise<void> {
  await tighten(file, PRIVATE_FILE_MODE);
  await fsp.appendFile(file, data, { encoding: encoding ?? 'utf8', mode: PRIVATE_FILE_MODE });
  await tighten(file, PRIVATE_FILE_MODE);
}

/** `fsp.open` creating the file 0600; an existing file opened for writing is tightened. */
export async function openPrivate(file: string, flags: string): Promise<fsp.FileHandle> {
  const fh = await fsp.open(file, flags, PRIVATE_FILE_MODE);
  if (posix && !tight.has(file)) {
    try {
      const st = await fh.stat();
      if ((st.mode & 0o077) !== 0) await fh.chmod(PRIVATE_FILE_MODE);
      remember(file);
    } catch {
      // keep the handle: the write matters more than the mode
    }
  }
  return fh;
}

/** `fsp.copyFile`, the copy 0600. */
export async function copyFilePrivate(from: string, to: string): Promise<void> {
  await fsp.copyFile(from, to);
  if (posix) await fsp.chmod(to, PRIVATE_FILE_MODE).catch(() => undefined);
}

/** For tests: forget which paths were checked. */
export function forgetCheckedPaths(): void {
  tight.clear();
}

/**
 * `rename`, retried a few times: Windows refuses to replace a file another process has open for a few ms
 * (EPERM/EBUSY/EACCES). Used by every store that replaces a file atomically.
 */
export async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await fsp.rename(from, to);
      return;
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      if (i >= 5 || !(code === 'EPERM' || code === 'EBUSY' || code === 'EACCES')) throw e;
      await new Promise((r) => setTimeout(r, 10 * (i + 1)));
    }
  }
}
