// kubeconfig files: the cluster's own (<home>/kubeconfig) and the merge of its context
// into the user's ($KUBECONFIG or ~/.kube/config), made current as kind and minikube do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';

interface Named<T> {
  name: string;
  [key: string]: unknown;
  _?: T;
}

interface KubeconfigFile {
  apiVersion: string;
  kind: string;
  clusters: Named<unknown>[];
  contexts: Named<unknown>[];
  users: Named<unknown>[];
  'current-context'?: string;
  preferences?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface KubeconfigEntry {
  name: string;
  server: string;
  caCert: string;
  token: string;
}

export function buildKubeconfig(e: KubeconfigEntry): KubeconfigFile {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: e.name, cluster: { server: e.server, 'certificate-authority-data': Buffer.from(e.caCert).toString('base64') } }],
    contexts: [{ name: e.name, context: { cluster: e.name, user: e.name, namespace: 'default' } }],
    users: [{ name: e.name, user: { token: e.token } }],
    'current-context': e.name,
    preferences: {},
  };
}

export function writeKubeconfig(file: string, e: KubeconfigEntry): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, stringify(buildKubeconfig(e)), { mode: 0o600 });
}

/** The user's kubeconfig: the first file of $KUBECONFIG, else ~/.kube/config. */
export function userKubeconfigPath(): string {
  const env = process.env.KUBECONFIG;
  if (env) return env.split(path.delimiter).filter(Boolean)[0];
  return path.join(os.homedir(), '.kube', 'config');
}

function readOrEmpty(file: string): KubeconfigFile {
  let doc: Partial<KubeconfigFile> = {};
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8');
    doc = (text.trim() ? parse(text) : {}) ?? {};
  }
  return { ...doc, apiVersion: doc.apiVersion ?? 'v1', kind: doc.kind ?? 'Config', clusters: doc.clusters ?? [], contexts: doc.contexts ?? [], users: doc.users ?? [] };
}

function upsert(list: Named<unknown>[], item: Named<unknown>): Named<unknown>[] {
  return [...list.filter((x) => x.name !== item.name), item];
}

export function mergeIntoUserKubeconfig(e: KubeconfigEntry, file = userKubeconfigPath()): void {
  const doc = readOrEmpty(file);
  const mine = buildKubeconfig(e);
  doc.clusters = upsert(doc.clusters, mine.clusters[0]);
  doc.contexts = upsert(doc.contexts, mine.contexts[0]);
  doc.users = upsert(doc.users, mine.users[0]);
  doc['current-context'] = e.name;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, stringify(doc), { mode: 0o600 });
}

export function removeFromUserKubeconfig(name: string, file = userKubeconfigPath()): boolean {
  if (!fs.existsSync(file)) return false;
  const doc = readOrEmpty(file);
  const had = doc.contexts.some((c) => c.name === name);
  if (!had) return false;
  doc.clusters = doc.clusters.filter((c) => c.name !== name);
  doc.contexts = doc.contexts.filter((c) => c.name !== name);
  doc.users = doc.users.filter((c) => c.name !== name);
  if (doc['current-context'] === name) doc['current-context'] = '';
  fs.writeFileSync(file, stringify(doc), { mode: 0o600 });
  return true;
}
