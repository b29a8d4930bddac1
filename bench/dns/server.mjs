// Bench helper: an in-memory API with generated Services/EndpointSlices and kanzen DNS on
// 127.0.0.1:$PORT. Prints "READY" once every name resolves. Not a test; see run.mjs.
import path from 'node:path';
const dist = path.resolve(process.env.KANZEN_DIST ?? 'dist');
const { startApiFixture } = await import(path.join(dist, 'testing/api-fixture.js'));
const { resourceFor } = await import(path.join(dist, 'client/api-client.js'));
const { InformerFactory } = await import(path.join(dist, 'client/informer-factory.js'));
const { DnsInstance } = await import(path.join(dist, 'dns/instance.js'));
const { silentLogger } = await import(path.join(dist, 'util/logger.js'));

const port = Number(process.env.PORT);
const nServices = Number(process.env.SERVICES ?? 200);
const api = await startApiFixture();
const client = api.client('bench');
const svcs = resourceFor('services');
const slices = resourceFor('endpointslices', 'discovery.k8s.io');
const out = { services: [], headless: [] };
for (let i = 0; i < nServices; i++) {
  const s = await client.create(svcs, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}` }, spec: { selector: { app: `a${i}` }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  out.services.push({ name: `svc-${i}`, ip: s.spec.clusterIP });
}
for (let i = 0; i < 20; i++) {
  await client.create(svcs, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: `hl-${i}` }, spec: { clusterIP: 'None', selector: { app: `h${i}` }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  const ips = [1, 2, 3].map((k) => `10.244.${i}.${k}`);
  await client.create(slices, 'default', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `hl-${i}-x`, labels: { 'kubernetes.io/service-name': `hl-${i}` } }, addressType: 'IPv4', endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
  out.headless.push({ name: `hl-${i}`, ips });
}
const informers = new InformerFactory(client);
const corefile = `.:${port} {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus 127.0.0.1:0${process.env.UPSTREAM_PORT ? `\n    forward . 127.0.0.1:${process.env.UPSTREAM_PORT}` : ''}
    cache 30
    loadbalance
}
`;
const inst = await DnsInstance.start({ corefile, host: '127.0.0.1', logger: silentLogger, informers });
await inst.clusterWatch.waitForSync();
await new Promise((r) => setTimeout(r, 500));
process.stdout.write(JSON.stringify(out) + '\nREADY\n');
process.on('SIGTERM', async () => {
  await inst.stop();
  informers.stop();
  await api.stop();
  process.exit(0);
});
