import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Service } from '../api/types.js';
import type { EventRecorder, EventType } from '../client/event-recorder.js';
import type { InformerHandlers } from '../client/informer.js';
import { unsupportedPortMessages, UnsupportedProtocolReporter } from './unsupported-protocol-reporter.js';

function svc(ports: Service['spec']['ports'], extra: Partial<Service['spec']> = {}, rv = '1'): Service {
  // As the informer caches it: with apiVersion and kind.
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sig', namespace: 'default', uid: 'u-1', resourceVersion: rv }, spec: { clusterIP: '10.96.0.20', ports, ...extra } };
}

function harness() {
  let handlers: InformerHandlers<Service> = {};
  const events: { obj: KubeObject; type: EventType; reason: string; message: string }[] = [];
  const recorder: EventRecorder = { event: (obj, type, reason, message) => events.push({ obj, type, reason, message }) };
  new UnsupportedProtocolReporter({ services: { addHandlers: (h) => (handlers = h) }, recorder }).start();
  return { h: () => handlers, events };
}

test('unsupportedPortMessages names each SCTP port', () => {
  assert.deepEqual(
    unsupportedPortMessages(
      svc([
        { name: 'x', protocol: 'SCTP', port: 1234 },
        { name: 'web', protocol: 'TCP', port: 80 },
        { protocol: 'UDP', port: 53 },
      ]),
    ),
    [`kanzen's proxy does not support SCTP: port "x" (1234/SCTP) is not served`],
  );
  assert.deepEqual(unsupportedPortMessages(svc([{ protocol: 'SCTP', port: 9 }])), [`kanzen's proxy does not support SCTP: port 9/SCTP is not served`]);
  // Nothing is proxied for a headless Service: nothing to warn about.
  assert.deepEqual(unsupportedPortMessages(svc([{ protocol: 'SCTP', port: 9 }], { clusterIP: 'None' })), []);
});

test('a Warning event once per change of the unserved ports', () => {
  const { h, events } = harness();
  const s1 = svc([{ name: 'x', protocol: 'SCTP', port: 1234 }, { name: 'web', port: 80 }]);
  h().add!(s1);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, 'Warning');
  assert.equal(events[0].reason, 'UnsupportedProtocol');
  assert.equal(events[0].message, `kanzen's proxy does not support SCTP: port "x" (1234/SCTP) is not served`);
  assert.deepEqual([events[0].obj.kind, events[0].obj.apiVersion, events[0].obj.metadata.name], ['Service', 'v1', 'sig']);

  // Status or label changes: no new event.
  const s2 = { ...s1, metadata: { ...s1.metadata, resourceVersion: '2', labels: { a: 'b' } } };
  h().update!(s1, s2);
  assert.equal(events.length, 1);

  // A second SCTP port: reported; the first is not repeated.
  const s3 = svc([{ name: 'x', protocol: 'SCTP', port: 1234 }, { name: 'y', protocol: 'SCTP', port: 5678 }], {}, '3');
  h().update!(s2, s3);
  assert.deepEqual(events.slice(1).map((e) => e.message), [`kanzen's proxy does not support SCTP: port "y" (5678/SCTP) is not served`]);

  // Fixed, then broken again: reported again.
  const s4 = svc([{ name: 'x', protocol: 'TCP', port: 1234 }], {}, '4');
  h().update!(s3, s4);
  assert.equal(events.length, 2);
  h().update!(s4, s1);
  assert.equal(events.length, 3);

  // Deleted and recreated under the same name (new uid): reported for the new object.
  h().delete!(s1);
  h().add!({ ...s1, metadata: { ...s1.metadata, uid: 'u-2' } });
  assert.equal(events.length, 4);
});

test('Services without SCTP ports record nothing', () => {
  const { h, events } = harness();
  h().add!(svc([{ name: 'web', port: 80 }, { name: 'dns', protocol: 'UDP', port: 53 }]));
  assert.equal(events.length, 0);
});
