// Which host this window's extension host runs on, for what spans hosts (the cross-host lease, credential files that
// live on one machine). `vscode.env.remoteName` is undefined in a local window and e.g. `ssh-remote`, `wsl`,
// `dev-container`, `codespaces` or `tunnel` in a remote one; code-server reports its own name.
import * as os from 'node:os';
import * as vscode from 'vscode';

export interface HostIdentity {
  /** Stable across windows and reloads of the same host, e.g. `ssh-remote:devbox`; no secret. */
  id: string;
  /** What the user reads, e.g. `devbox (ssh-remote)` or `laptop`. */
  label: string;
}

/** The id and label for a remote name (undefined = local) and a host name; pure, for tests. */
export function hostIdentityOf(remoteName: string | undefined, hostname: string): HostIdentity {
  const name = (hostname || 'unknown').slice(0, 100);
  // code-server reports its address (`127.0.0.1:8080`) as the remote name, and the port changes between runs.
  const kind = (remoteName ? (/[.:]/.test(remoteName) ? 'server' : remoteName) : 'local').slice(0, 50);
  return { id: `${kind}:${name}`, label: remoteName ? `${name} (${kind})` : name };
}

export function currentHost(): HostIdentity {
  return hostIdentityOf(vscode.env.remoteName, os.hostname());
}
