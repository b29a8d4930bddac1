#!/usr/bin/env node
// The kanzen command line.
import { Command, InvalidArgumentError } from 'commander';
import { up } from './up.js';
import { down } from './down.js';
import { status } from './status.js';
import { runDaemon } from './daemon.js';
import { runSupervisor } from './supervisor.js';
import { CliError } from './output.js';
import { imageSourceModes } from '../node/images/image-sources.js';
import { service } from './service.js';
import { traffic } from './traffic.js';
import { ingressTraffic } from './ingress-traffic.js';
import { registerImageCommands } from './image.js';

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('not a whole number');
  return n;
}

const program = new Command();
program.name('kanzen').description('Kubernetes Service networking, for real, on one machine').version('0.1.0');

const clusterOptions = (c: Command) =>
  c.option('--name <name>', 'cluster name', process.env.KANZEN_CLUSTER ?? 'kanzen').option('--home <dir>', 'cluster home (default $KANZEN_HOME or ~/.kanzen/<name>)');

clusterOptions(program.command('up').description('start a cluster in the background and wait until it is ready'))
  .option('--nodes <n>', 'number of nodes', int)
  .option('--api-port <port>', 'API server port on 127.0.0.1 (default 6443)', int)
  .option('--runtime <runtime>', 'pod runtime: fake (no processes) or netns (real pods, needs root)')
  .option('--store <spec>', 'store: sqlite:<path> (default) or memory:')
  .option('--max-pods <n>', "pods per node, as the kubelet's --max-pods (default 110)", int)
  .option('--controllers <list>', "controllers to run, as kube-controller-manager's flag: '*' all, 'foo' enable, '-foo' disable (default '*')")
  .option('--proxy-mode <mode>', 'Service data plane: nftables (the kernel, as kube-proxy; default where the kernel can) or userspace (kanzen\'s splice proxy)')
  .option('--lb-pool <cidr>', 'loopback range for LoadBalancer IPs (default 127.0.100.0/24)')
  .option('--images <sources>', 'where images come from: auto (store, registry, then built-in stand-ins; default), registry (no stand-ins) or builtin (never the network)')
  .option('--no-kubeconfig', 'do not merge the context into your kubeconfig')
  .option('--wait <seconds>', 'how long to wait for readiness', int, 90)
  .action(async (o) => {
    if (o.runtime && o.runtime !== 'fake' && o.runtime !== 'netns') throw new CliError(`unknown runtime "${o.runtime}": use fake or netns`);
    if (o.images && !imageSourceModes.includes(o.images)) throw new CliError(`unknown image sources "${o.images}": use ${imageSourceModes.join(', ')}`);
    await up({ name: o.name, home: o.home, nodes: o.nodes, apiPort: o.apiPort, kubeconfig: o.kubeconfig, runtime: o.runtime, images: o.images, store: o.store, lbPool: o.lbPool, maxPods: o.maxPods, controllers: o.controllers, proxyMode: o.proxyMode, waitSeconds: o.wait });
  });

clusterOptions(program.command('down').description('stop a cluster and everything it started'))
  .option('--purge', 'also delete the stored state', false)
  .action(async (o) => down({ name: o.name, home: o.home, purge: o.purge }));

clusterOptions(program.command('status').description('show what is running and where')).action(async (o) => {
  process.exitCode = await status({ name: o.name, home: o.home });
});

clusterOptions(program.command('service <service>').description('print the URLs where a NodePort or LoadBalancer Service answers from this machine'))
  .option('-n, --namespace <ns>', 'namespace', 'default')
  .option('--url', 'print only the URLs, one per line', false)
  .action(async (svc: string, o) => service({ name: o.name, home: o.home, service: svc, namespace: o.namespace, url: o.url }));

clusterOptions(
  program.command('traffic <service>').description("show how a Service's connections spread over its endpoints, from every node's proxy; ingress/NAME: an Ingress's requests per rule and endpoint, from the Ingress controller"),
)
  .option('-n, --namespace <ns>', 'namespace', 'default')
  .option('-w, --watch', 'refresh every second until interrupted', false)
  .action(async (svc: string, o) => {
    const ingress = /^(?:ingress|ingresses|ing)(?:\.networking\.k8s\.io)?\/(.+)$/.exec(svc);
    if (ingress && o.watch) throw new CliError('--watch is not supported for ingress/NAME: run it again (or under watch(1))');
    if (ingress) return ingressTraffic({ name: o.name, home: o.home, ingress: ingress[1], namespace: o.namespace });
    return traffic({ name: o.name, home: o.home, service: svc.replace(/^(?:service|services|svc)\//, ''), namespace: o.namespace, watch: o.watch });
  });

registerImageCommands(program, clusterOptions);

clusterOptions(program.command('daemon', { hidden: true }).description('run the cluster daemon in the foreground')).action(async (o) => {
  if (!o.home) throw new CliError('daemon needs --home');
  await runDaemon(o.home, o.name);
});

clusterOptions(program.command('supervise', { hidden: true }).description('run the cluster supervisor (daemon and node agents) in the foreground')).action(async (o) => {
  if (!o.home) throw new CliError('supervise needs --home');
  await runSupervisor(o.home, o.name);
});

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CliError) {
    process.stderr.write(`ERROR: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`ERROR: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
