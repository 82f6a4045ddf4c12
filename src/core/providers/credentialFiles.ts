// Read-only access to other tools' sign-in files (Claude Code, Codex CLI, Gemini CLI, GitHub CLI).
//
// Rules (provider-apis.md §4.4, §5, §6.2, §10): the files belong to the other tool. tokstat opens them read-only,
// re-reads them before every poll, never writes, never copies, never refreshes a token (refreshing rotates the
// refresh token and signs the user out of the CLI). Every failure is a ProviderError with a message a person can act
// on: `config` when the file exists but cannot be read, `auth` when there is no usable sign-in.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as z from 'zod/mini';
import { ProviderError } from '../errors';
import { describe, type HttpRequest, type HttpResponse } from '../http';
import { errorForStatus, parseJsonBody, validate } from './json';
import type { AccountField, CredentialEnv, CredentialFileSource, ProviderContext, ProviderDefinition } from './types';

/**
 * What every "plan read with another tool's sign-in" provider declares alike (Claude Code, Codex CLI, Gemini CLI): the
 * credential-file sign-in, the plans section of Add Account, and one optional field, the tool's home folder.
 */
export function credentialFilePlan(o: {
  authLabel: string;
  credentialFile: CredentialFileSource;
  home: Pick<AccountField, 'key' | 'label' | 'prompt' | 'placeholder'>;
}): Pick<ProviderDefinition, 'authKinds' | 'signIn' | 'pickerGroup' | 'authLabel' | 'credentialFile' | 'accountFields'> {
  return {
    authKinds: ['credential-file'],
    signIn: 'credential-file',
    pickerGroup: 'plan',
    authLabel: o.authLabel,
    credentialFile: o.credentialFile,
    accountFields: [{ ...o.home, required: false, kind: 'text' }],
  };
}

/** Credential files are a few KB; anything far larger is not what we think it is. */
export const MAX_CREDENTIAL_BYTES = 1024 * 1024;

/** `~` or `~/x` → absolute under the injected home; other paths are resolved as they are. */
export function expandHome(p: string, env: CredentialEnv): string {
  const t = p.trim();
  if (t === '~') return env.home;
  if (t.startsWith('~/') || t.startsWith('~\\')) return path.join(env.home, t.slice(2));
  return path.resolve(t);
}

/** Shortens a path under the home folder to `~/…` for messages. */
export function displayPath(p: string, env: CredentialEnv): string {
  const home = env.home.replace(/[\\/]+$/, '');
  if (home && (p === home || p.startsWith(home + path.sep) || p.startsWith(home + '/'))) return `~${p.slice(home.length)}`;
  return p;
}

export interface ReadOptions {
  /** Tool name for messages, e.g. "Claude Code". */
  tool: string;
  /** e.g. "run `claude` and /login". */
  signInHint: string;
  env: CredentialEnv;
  maxBytes?: number;
}

/** The message every "no usable sign-in" error ends with. */
export function signInAgain(tool: string, hint: string): string {
  return `Sign in again in ${tool} (${hint}).`;
}

function errCode(err: unknown): string | undefined {
  return err && typeof err === 'object' ? (err as { code?: string }).code : undefined;
}

/**
 * Reads a file as UTF-8 text, read-only, with a size cap. Returns undefined when it does not exist.
 * Throws `config` when it exists but cannot be read (permissions, a folder, too large).
 */
export async function readTextFile(file: string, o: ReadOptions): Promise<string | undefined> {
  const shown = displayPath(file, o.env);
  const max = o.maxBytes ?? MAX_CREDENTIAL_BYTES;
  let handle: fs.FileHandle | undefined;
  try {
    // Stat by path first: opening a FIFO or device would block or read forever.
    const pre = await fs.stat(file);
    if (!pre.isFile()) throw new ProviderError('config', `${shown} is ${pre.isDirectory() ? 'a folder' : 'not a regular file'}, so tokstat cannot read ${o.tool}'s sign-in from it.`);
    handle = await fs.open(file, 'r');
    const st = await handle.stat();
    if (!st.isFile()) throw new ProviderError('config', `${shown} is not a regular file, so tokstat cannot read ${o.tool}'s sign-in from it.`);
    if (st.size > max) {
      throw new ProviderError('config', `${shown} is ${st.size} bytes, larger than the ${max}-byte limit for a ${o.tool} sign-in file; tokstat does not read it.`);
    }
    return await handle.readFile({ encoding: 'utf8' });
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    const code = errCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ProviderError('config', `tokstat cannot read ${shown} (permission denied). Allow your user to read the file that ${o.tool} wrote, then refresh.`);
    }
    if (code === 'EISDIR') {
      throw new ProviderError('config', `${shown} is a folder, not a file, so tokstat cannot read ${o.tool}'s sign-in from it.`);
    }
    throw new ProviderError('config', `tokstat cannot read ${shown} (${code ?? 'read error'}).`);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Reads and parses a JSON file. Returns undefined when the file does not exist; malformed JSON is `auth`
 * ("sign in again in <tool>": the tool rewrites the file when the user signs in).
 */
export async function readJsonFile(file: string, o: ReadOptions): Promise<unknown> {
  const text = await readTextFile(file, o);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch {
    throw new ProviderError('auth', `${displayPath(file, o.env)} is not valid JSON. ${signInAgain(o.tool, o.signInHint)}`);
  }
}

/** Returns the first candidate that exists and parses, with its path; undefined when none exists. */
export async function readFirstJson(candidates: readonly string[], o: ReadOptions): Promise<{ file: string; data: unknown } | undefined> {
  for (const file of candidates) {
    const data = await readJsonFile(file, o);
    if (data !== undefined) return { file, data };
  }
  return undefined;
}

/** A plain object, or undefined. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A non-empty trimmed string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** A finite number (or numeric string), or undefined. */
export function numOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** Decodes a JWT's payload without verifying it (we only read display claims from a token the tool already trusts). */
export function decodeJwtPayload(jwt: string | undefined): Record<string, unknown> | undefined {
  if (!jwt) return undefined;
  const parts = jwt.split('.');
  if (parts.length < 2 || !parts[1]) return undefined;
  try {
    const json = Buffer.from(parts[1].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    return obj(JSON.parse(json));
  } catch {
    return undefined;
  }
}

/** A short, non-reversible key for per-token state (never keep the token itself as a map key). */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 24);
}

/**
 * Parses the opaque credential string a credential-file source produced (JSON), or treats a non-JSON string as the
 * bare access token (handy for tests and for a token pasted by hand).
 */
export function parseCredential(secret: string, tool: string, hint: string): Record<string, unknown> {
  const s = secret.trim();
  if (s.startsWith('{')) {
    try {
      const o = obj(JSON.parse(s));
      if (o) return o;
    } catch {
      /* fall through */
    }
    throw new ProviderError('auth', `The stored ${tool} credential is unreadable. ${signInAgain(tool, hint)}`);
  }
  if (s === '') throw new ProviderError('auth', `No ${tool} sign-in. ${signInAgain(tool, hint)}`);
  return { accessToken: s };
}

/** Returns the error with every occurrence of the given secrets removed from its message (keeps kind/status/retryAt). */
export function scrubAll(err: ProviderError, secrets: ReadonlyArray<string | undefined>): ProviderError {
  let message = err.message;
  for (const s of secrets) if (s && s.length >= 4 && message.includes(s)) message = message.split(s).join('[redacted]');
  if (message === err.message) return err;
  const opts: { status?: number; retryAt?: number } = {};
  if (err.status !== undefined) opts.status = err.status;
  if (err.retryAt !== undefined) opts.retryAt = err.retryAt;
  return new ProviderError(err.kind, message, opts);
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP shared by the credential-file providers: like `requestJson`, but the provider sees the raw error response
// first (vendor-specific mappings such as Claude's scope 403 or a Cloudflare challenge), and every secret inside the
// opaque credential (the access token, not only the whole credential string) is scrubbed from error messages.

export interface RawJsonOptions {
  /** Secrets to scrub besides `ctx.secret` (the access token inside the credential). */
  secrets: ReadonlyArray<string | undefined>;
  /** Returns a provider-specific error for a non-2xx response, or undefined for the generic mapping. */
  mapError?(res: HttpResponse, where: string, now: number): ProviderError | undefined;
}

export async function requestVendorJson<T extends z.ZodMiniType>(
  ctx: ProviderContext,
  req: Omit<HttpRequest, 'signal' | 'tag'>,
  schema: T,
  o: RawJsonOptions,
): Promise<{ data: z.output<T>; body: unknown; response: HttpResponse }> {
  try {
    const res = await ctx.http.request({ ...req, signal: ctx.signal, tag: ctx.providerId });
    const where = describe(req.url);
    if (res.status < 200 || res.status >= 300) {
      const now = ctx.clock.now();
      throw o.mapError?.(res, where, now) ?? errorForStatus(res, where, now);
    }
    const body = parseJsonBody(res, where);
    return { data: validate(schema, body, where), body, response: res };
  } catch (err) {
    throw err instanceof ProviderError ? scrubAll(err, [ctx.secret, ...o.secrets]) : err;
  }
}

/** The JSON body of an error response as an object, or undefined. */
export function errorBody(res: HttpResponse): Record<string, unknown> | undefined {
  try {
    return obj(JSON.parse(res.text));
  } catch {
    return undefined;
  }
}
