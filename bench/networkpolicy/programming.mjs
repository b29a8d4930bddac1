// What one NetworkPolicy sync costs a node agent (src/networkpolicy/network-policy-agent.ts):
// rendering the node's table from the cluster (policy-ruleset.ts) and writing it with
// `nft -f` — first into an empty namespace, then again in place (every later sync, and an
// agent taking over its predecessor's table). Synthetic clusters: pods in 20 namespaces,
// a tenth of them on the measured node; each policy isolates one app both ways, with a
// namespace+pod peer, an ipBlock with except, a named port and an endPort range. Runs the
// real nft in a throwaway network namespace named after the benchmark (removed at the
// end); no packet is sent. Root only.
//   node bench/networkpolicy/programming.mjs [--sizes 100:20,1000:100,2500:300]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist, opt } from '../lib.mjs';

const { policyRuleset } = await import(pathToFileURL(path.join(dist, 'networkpolicy/policy-ruleset.js')).href);
const { nftApply } = await import(pathToFileURL(path.join(dist, 'util/nftables.js')).href);

const sizes = opt('sizes', '100:20,1000:100,2500:300').split(',').map((s) => s.split(':').map(Number));
const netns = `npbench-${process.pid}`;

function cluster(nPods, nPolicies) {
  const pods = Array.from({ length: nPods }, (_, i) => ({
    namespace: `ns${i % 20}`,
    name: `p${i}`,
    labels: { app: `app${i % 50}`, tier: i % 2 ? 'web' : 'db' },
    // node-(i % 10 + 1)'s range; up to 250 pods a node.
    ip: `10.244.${1 + (i % 10)}.${2 + Math.floor(i / 10)}`,
    namedPorts: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }],
  }));
  const policies = Array.from({ length: nPolicies }, (_, i) => ({
    metadata: { namespace: `ns${i % 20}`, name: `np${i}` },
    spec: {
      podSelector: { matchLabels: { app: `app${i % 50}` } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `t${i % 5}` } }, podSelector: { matchLabels: { tier: 'web' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.3.0/24'] } }], ports: [{ port: 'web' }, { port: 9000, endPort: 9100 }] }],
      egress: [{ to: [{ podSelector: { matchLabels: { tier: 'db' } } }], ports: [{ port: 'web' }] }],
    },
  }));
  const namespaceLabels = new Map(Array.from({ length: 20 }, (_, i) => [`ns${i}`, { team: `t${i % 5}` }]));
  return { pods, namespaceLabels, policies };
}

execFileSync('ip', ['netns', 'add', netns]);
try {
  console.log('| pods (on the node) | policies | render | ruleset | nft -f, empty | nft -f, in place |');
  console.log('|---|---|---|---|---|---|');
  for (const [nPods, nPolicies] of sizes) {
    if (nPods > 2500) throw new Error('at most 2500 pods (250 per node range)');
    const c = cluster(nPods, nPolicies);
    const localPods = c.pods.filter((p) => p.ip.startsWith('10.244.1.'));
    let t = performance.now();
    const text = policyRuleset(c, { table: 'kanzen-npbench-policy', localPods, serviceCIDRs: ['10.96.0.0/12'] });
    const render = performance.now() - t;
    t = performance.now();
    await nftApply(text, { netns });
    const first = performance.now() - t;
    t = performance.now();
    await nftApply(text, { netns });
    const again = performance.now() - t;
    console.log(`| ${nPods} (${localPods.length}) | ${nPolicies} | ${render.toFixed(0)} ms | ${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KiB | ${first.toFixed(0)} ms | ${again.toFixed(0)} ms |`);
  }
} finally {
  execFileSync('ip', ['netns', 'del', netns]);
}
