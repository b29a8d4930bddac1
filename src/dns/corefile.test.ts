import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorefileError, parseCorefile, parseDuration } from './corefile.js';

const kubeadm = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 # comment
    loop
    reload
    loadbalance
}
`;

test('corefile: the kubeadm Corefile', () => {
  const [b] = parseCorefile(kubeadm);
  assert.deepEqual(b.keys, [{ zone: '.', port: 53, scheme: 'dns' }]);
  assert.deepEqual(b.directives.map((d) => d.name), ['errors', 'health', 'ready', 'kubernetes', 'prometheus', 'forward', 'cache', 'loop', 'reload', 'loadbalance']);
  const k = b.directives[3];
  assert.deepEqual(k.args, ['cluster.local', 'in-addr.arpa', 'ip6.arpa']);
  assert.deepEqual(k.block.map((d) => [d.name, ...d.args]), [['pods', 'insecure'], ['fallthrough', 'in-addr.arpa', 'ip6.arpa'], ['ttl', '30']]);
  assert.equal(k.line, 7);
  assert.deepEqual(b.directives[6].args, ['30']);
});

test('corefile: several blocks, keys with ports and schemes, quoted args', () => {
  const bs = parseCorefile('example.org:1053 dns://Example.COM:1053 {\n  log "a b" `c`\n}\n.:5353 {\n forward . 1.1.1.1\n}\n');
  assert.deepEqual(bs[0].keys.map((k) => `${k.zone}:${k.port}`), ['example.org.:1053', 'example.com.:1053']);
  assert.deepEqual(bs[0].directives[0].args, ['a b', 'c']);
  assert.equal(bs[1].keys[0].port, 5353);
});

test('corefile: errors carry the line', () => {
  assert.throws(() => parseCorefile('.:53 {\n errors\n'), (e: unknown) => e instanceof CorefileError && e.message === "Corefile:1 - Error during parsing: Unexpected EOF: missing '}'");
  assert.throws(() => parseCorefile('.:53 {\n}\n}\n'), /Corefile:3 - Error during parsing: Unexpected '}'/);
  assert.throws(() => parseCorefile('.:abc {\n}\n'), /Corefile:1 - Error during parsing: Invalid port 'abc'/);
  assert.throws(() => parseCorefile('.:53 {\n log "x\n}\n'), /Corefile:2 - Error during parsing: Unterminated quoted string/);
});

test('corefile: durations', () => {
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('1m30s'), 90000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('5'), null);
});
