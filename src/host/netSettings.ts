// Reads VS Code's own network settings (`http.proxy`, `http.noProxy`, `http.proxyStrictSSL`, `http.proxySupport`,
// `http.systemCertificates`) as plain values for src/core/net. Like tokstat's own request-steering settings they are
// read from the user's settings (or the default) only: VS Code makes them application-scoped, and a workspace's
// `.vscode/settings.json` must never send keys through a proxy of its choosing nor turn certificate checks off.
import * as vscode from 'vscode';
import type { NetSettings, ProxySupport } from '../core/net/proxy';
import { userValue } from './config';

const SUPPORT: readonly ProxySupport[] = ['off', 'on', 'fallback', 'override'];


export function readNetSettings(): NetSettings {
  const c = vscode.workspace.getConfiguration('http');
  const proxy = userValue<unknown>(c, 'proxy');
  const noProxy = userValue<unknown>(c, 'noProxy');
  const support = userValue<unknown>(c, 'proxySupport');
  return {
    ...(typeof proxy === 'string' && proxy.trim() ? { proxy: proxy.trim() } : {}),
    noProxy: Array.isArray(noProxy) ? noProxy.filter((x): x is string => typeof x === 'string') : [],
    strictSSL: userValue<unknown>(c, 'proxyStrictSSL') !== false,
    support: SUPPORT.includes(support as ProxySupport) ? (support as ProxySupport) : 'override',
    systemCertificates: userValue<unknown>(c, 'systemCertificates') !== false,
  };
}

/** True when a configuration change touches the settings above. */
export function affectsNetSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return ['http.proxy', 'http.noProxy', 'http.proxyStrictSSL', 'http.proxySupport', 'http.systemCertificates'].some((k) => e.affectsConfiguration(k));
}
