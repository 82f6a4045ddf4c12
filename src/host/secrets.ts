import * as vscode from 'vscode';
import type { KeyValueStore, SecretStore } from '../core/accountRepository';

export function secretStoreFrom(secrets: vscode.SecretStorage): SecretStore {
  return {
    get: async (key) => secrets.get(key),
    store: async (key, value) => secrets.store(key, value),
    delete: async (key) => secrets.delete(key),
    onDidChange: (listener) => secrets.onDidChange((e) => listener({ key: e.key })),
  };
}

export function keyValueStoreFrom(memento: vscode.Memento): KeyValueStore {
  return {
    get: <T>(key: string) => memento.get<T>(key),
    update: async (key, value) => memento.update(key, value),
  };
}
