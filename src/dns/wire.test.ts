import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { decodeMessage, encodeQuery, headerOnlyReply, packSections, parseQuery, Rcode, Type, WireError, writeReply, type RR } from './wire.js';

const a = (name: string, ip: string): RR => ({ name, type: Type.A, class: 1, ttl: 5, data: { type: Type.A, address: ip } });

test('wire: a query round-trips through parseQuery with case preserved and EDNS read', () => {
  const q = parseQuery(encodeQuery(0x1234, 'Web.Default.SVC.cluster.local', Type.A, { edns: 1232 }))!;
  assert.equal(q.id, 0x1234);
  assert.equal(q.qname, 'Web.Default.SVC.cluster.local.');
  assert.equal(q.key, 'web.default.svc.cluster.local.');
  assert.deepEqual(q.edns, { udpSize: 1232, do: false, version: 0 });
});

test('wire: a packed answer keeps the client case through the compression pointer', () => {
  const req = encodeQuery(7, 'WEB.default.svc.cluster.local', Type.A, { edns: 4096 });
  const q = parseQuery(req)!;
  const packed = packSections(q.key, [a(q.key, '10.96.0.10'), a(q.key, '10.96.0.11')], [], []);
  const out = writeReply(req, q, packed, { rcode: 0, aa: true, ra: false, maxSize: 4096 });
  const m = decodeMessage(out);
  assert.equal(m.id, 7);
  assert.equal(m.flags & 0x8000, 0x8000);
  assert.equal(m.flags & 0x0400, 0x0400);
  assert.equal(m.flags & 0x0100, 0x0100, 'RD copied');
  assert.deepEqual(m.answer.map((r) => [r.name, (r.data as { address: string }).address]), [
    ['WEB.default.svc.cluster.local.', '10.96.0.10'],
    ['WEB.default.svc.cluster.local.', '10.96.0.11'],
  ]);
  assert.equal(m.additional[0].type, Type.OPT);
  assert.equal(m.additional[0].class, 4096);
});

test('wire: over the UDP limit the reply is header + question with TC', () => {
  const req = encodeQuery(9, 'big.example', Type.A);
  const q = parseQuery(req)!;
  const many = Array.from({ length: 60 }, (_, i) => a(q.key, `10.0.0.${i}`));
  const out = writeReply(req, q, packSections(q.key, many, [], []), { rcode: 0, aa: true, ra: false, maxSize: 512 });
  const m = decodeMessage(out);
  assert.equal(m.flags & 0x0200, 0x0200);
  assert.equal(m.answer.length, 0);
  assert.equal(decodeMessage(writeReply(req, q, packSections(q.key, many, [], []), { rcode: 0, aa: true, ra: false, maxSize: 65535 })).answer.length, 60);
});

test('wire: TTLs count down and shuffling keeps the set', () => {
  const req = encodeQuery(1, 'x.example', Type.A);
  const q = parseQuery(req)!;
  const p = packSections(q.key, [a(q.key, '1.1.1.1'), a(q.key, '2.2.2.2'), a(q.key, '3.3.3.3')], [], []);
  const m = decodeMessage(writeReply(req, q, p, { rcode: 0, aa: true, ra: false, maxSize: 512, ttlDelta: 3, shuffle: true }));
  assert.deepEqual(m.answer.map((r) => r.ttl), [2, 2, 2]);
  assert.deepEqual(m.answer.map((r) => (r.data as { address: string }).address).sort(), ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
});

test('wire: malformed questions raise WireError; short packets and responses are dropped', () => {
  assert.equal(parseQuery(Buffer.alloc(5)), null);
  const resp = encodeQuery(1, 'a.b', Type.A);
  resp.writeUInt16BE(0x8100, 2);
  assert.equal(parseQuery(resp), null);
  const bad = encodeQuery(1, 'a.b', Type.A).subarray(0, 15);
  assert.throws(() => parseQuery(bad), WireError);
  const f = decodeMessage(headerOnlyReply(encodeQuery(77, 'a.b', Type.A), Rcode.FORMERR));
  assert.equal(f.id, 77);
  assert.equal(f.rcode, Rcode.FORMERR);
});

test('wire: fuzz — random and mutated packets never throw anything but WireError', () => {
  const seeds = [encodeQuery(1, 'web.default.svc.cluster.local', Type.A, { edns: 1232 }), encodeQuery(2, '_http._tcp.a.b.svc.cluster.local', Type.SRV)];
  for (let i = 0; i < 20000; i++) {
    let buf: Buffer;
    if (i % 2) buf = crypto.randomBytes(crypto.randomInt(0, 80));
    else {
      buf = Buffer.from(seeds[i % seeds.length]);
      for (let k = 0; k < 1 + (i % 4) && buf.length > 0; k++) buf[crypto.randomInt(0, buf.length)] = crypto.randomInt(0, 256);
      if (i % 7 === 0 && buf.length > 0) buf = buf.subarray(0, crypto.randomInt(0, buf.length));
    }
    try {
      const q = parseQuery(buf);
      if (q) writeReply(buf, q, packSections(q.key, [], [], []), { rcode: 0, aa: true, ra: false, maxSize: 512 });
    } catch (e) {
      assert.ok(e instanceof WireError, `unexpected ${String(e)}`);
    }
    try {
      decodeMessage(buf);
    } catch (e) {
      assert.ok(e instanceof WireError || e instanceof RangeError, `unexpected ${String(e)}`);
    }
  }
});
