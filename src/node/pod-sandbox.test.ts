import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  hostNetworkHostsFile,
  memoryVolumeSize,
  parseResolvConf,
  podDirectory,
  podDNSConfig,
  podHostnameAndDomain,
  podHostsFile,
  podResolvConf,
  podVolumeDir,
  writeVolumeFiles,
} from './pod-sandbox.js';
import type { Pod } from '../api/types.js';

const hostResolv = '# comment\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example. lab.example\noptions timeout:2 attempts:3\n';

function pod(spec: Partial<Pod['spec']> = {}, ns = 'default', name = 'web-0'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [], ...spec } };
}

test('ClusterFirst: kube-dns, the namespace search path, then the host search, ndots:5', () => {
  assert.equal(
    podResolvConf(pod({}, 'team-a'), ['10.96.0.10'], hostResolv),
    'search team-a.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n',
  );
  assert.equal(
    podResolvConf(pod({ dnsPolicy: 'ClusterFirst' }), ['10.96.0.10'], ''),
    'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
  );
});

test('Default and hostNetwork+ClusterFirst use the host resolv.conf', () => {
  const expected = 'search corp.example lab.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions timeout:2 attempts:3\n';
  assert.equal(podResolvConf(pod({ dnsPolicy: 'Default' }), ['10.96.0.10'], hostResolv), expected);
  assert.equal(podResolvConf(pod({ hostNetwork: true }), ['10.96.0.10'], hostResolv), expected);
  // ClusterFirstWithHostNet keeps cluster DNS for a host-network pod.
  assert.match(podResolvConf(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), ['10.96.0.10'], hostResolv), /^nameserver 10\.96\.0\.10$/m);
  // kubelet --resolv-conf="": localhost, search ".".
  assert.equal(podResolvConf(pod({ dnsPolicy: 'Default' }), ['10.96.0.10'], null), 'search .\nnameserver 127.0.0.1\n');
});

test('None uses only dnsConfig; dnsConfig is appended and its options override by name', () => {
  const none = pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } });
  assert.equal(podResolvConf(none, ['10.96.0.10'], hostResolv), 'search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 1.2.3.4\noptions ndots:2 edns0\n');
  const merged = pod({ dnsConfig: { nameservers: ['10.96.0.10', '8.8.8.8'], searches: ['cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] } });
  assert.equal(
    podResolvConf(merged, ['10.96.0.10'], ''),
    'search default.svc.cluster.local svc.cluster.local cluster.local extra.example\nnameserver 10.96.0.10\nnameserver 8.8.8.8\noptions ndots:1 single-request\n',
  );
});

test('DNS limits: at most 3 nameservers, with the kubelet event message', () => {
  const cfg = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'] } }), [], '');
  assert.deepEqual(cfg.servers, ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
  assert.deepEqual(cfg.warnings, ['Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 1.1.1.1 2.2.2.2 3.3.3.3']);
  const missing = podDNSConfig(pod(), [], hostResolv);
  assert.deepEqual(missing.servers, ['192.0.2.53', '192.0.2.54']);
  assert.match(missing.warnings[0], /^kubelet does not have ClusterDNS IP configured/);
});

test('parseResolvConf: nameservers accumulate, last search/options win', () => {
  assert.deepEqual(parseResolvConf('search a b\nsearch c.\nnameserver 1.1.1.1\n  # x\nnameserver 2.2.2.2\noptions a\noptions b:1\n'), {
    servers: ['1.1.1.1', '2.2.2.2'],
    searches: ['c'],
    options: ['b:1'],
  });
});

test('/etc/hosts in the kubelet format', () => {
  const { hostname, hostDomain } = podHostnameAndDomain({ metadata: { name: 'web-0', namespace: 'prod' }, spec: { containers: [], hostname: 'web-0', subdomain: 'web' } });
  assert.equal(hostDomain, 'web.prod.svc.cluster.local');
  assert.equal(
    podHostsFile(['10.244.1.5'], hostname, hostDomain, [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }]),
    '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n10.244.1.5\tweb-0.web.prod.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\n127.0.0.1\tbar.local\n',
  );
  assert.ok(podHostsFile(['10.244.1.5'], 'pod-a', '').endsWith('fe00::2\tip6-allrouters\n10.244.1.5\tpod-a\n'));
  assert.equal(hostNetworkHostsFile('127.0.0.1 localhost\n'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n');
});

test('hostname: spec.hostname, else the pod name cut to 63 characters without a trailing dash', () => {
  assert.equal(podHostnameAndDomain(pod({}, 'default', 'nginx-abc')).hostname, 'nginx-abc');
  assert.equal(podHostnameAndDomain(pod({ hostname: 'h' }, 'default', 'nginx-abc')).hostname, 'h');
  const long = 'a'.repeat(62) + '-b';
  assert.equal(podHostnameAndDomain(pod({}, 'default', long)).hostname, 'a'.repeat(62));
});

test('volume folders follow the kubelet layout; pod UIDs cannot escape the home', () => {
  assert.equal(podVolumeDir('/h/pods/u', { name: 'cache', emptyDir: {} }), '/h/pods/u/volumes/kubernetes.io~empty-dir/cache');
  assert.equal(podVolumeDir('/h/pods/u', { name: 'cfg', configMap: { name: 'c' } }), '/h/pods/u/volumes/kubernetes.io~configmap/cfg');
  assert.equal(podVolumeDir('/h/pods/u', { name: 'hp', hostPath: { path: '/x' } }), undefined);
  assert.equal(podDirectory('/h', 'abc-123'), '/h/pods/abc-123');
  assert.throws(() => podDirectory('/h', '../etc'), /invalid pod UID/);
});

test('writeVolumeFiles: ..data swap, top-level symlinks, stale names removed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-vol-'));
  try {
    writeVolumeFiles(dir, { 'game.properties': 'lives=3\n', 'ui/color': 'blue' }, 0o644, new Date('2024-01-02T03:04:05Z'));
    const first = fs.readlinkSync(path.join(dir, '..data'));
    assert.match(first, /^\.\.2024_01_02_03_04_05\./);
    assert.equal(fs.readlinkSync(path.join(dir, 'game.properties')), '..data/game.properties');
    assert.equal(fs.readFileSync(path.join(dir, 'ui/color'), 'utf8'), 'blue');
    assert.equal(fs.statSync(path.join(dir, 'game.properties')).mode & 0o777, 0o644);

    writeVolumeFiles(dir, { 'game.properties': 'lives=4\n' }, 0o400);
    assert.equal(fs.readFileSync(path.join(dir, 'game.properties'), 'utf8'), 'lives=4\n');
    assert.equal(fs.statSync(path.join(dir, 'game.properties')).mode & 0o777, 0o400);
    assert.equal(fs.existsSync(path.join(dir, 'ui')), false);
    assert.equal(fs.existsSync(path.join(dir, first)), false);
    assert.throws(() => writeVolumeFiles(dir, { '../escape': 'x' }), /invalid volume file path/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('memory-backed emptyDir size: the pod memory limit, lowered to sizeLimit; none without limits', () => {
  const pod = (limits: (string | undefined)[]): Pod => ({
    metadata: { name: 'p' },
    spec: { containers: limits.map((l, i) => ({ name: `c${i}`, image: 'x', ...(l ? { resources: { limits: { memory: l } } } : {}) })) },
  });
  const vol = (sizeLimit?: string) => ({ name: 'cache', emptyDir: { medium: 'Memory', ...(sizeLimit ? { sizeLimit } : {}) } });
  assert.equal(memoryVolumeSize(pod([undefined]), vol()), undefined);
  assert.equal(memoryVolumeSize(pod([undefined]), vol('16Mi')), 16 * 2 ** 20);
  assert.equal(memoryVolumeSize(pod(['64Mi', '64Mi']), vol()), 128 * 2 ** 20);
  assert.equal(memoryVolumeSize(pod(['64Mi']), vol('16Mi')), 16 * 2 ** 20);
  assert.equal(memoryVolumeSize(pod(['64Mi']), vol('1Gi')), 64 * 2 ** 20);
  assert.equal(memoryVolumeSize(pod(['64Mi', undefined]), vol()), undefined);
});
