import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { spdyHeaderDictionary } from './spdy-dictionary.js';
import { adler32, encodeHeaderBlock, SpdyFrameReader, SpdyFrameWriter } from './spdy-framing.js';

test('the SPDY/3 dictionary is the draft’s 1423 bytes', () => {
  assert.equal(spdyHeaderDictionary.length, 1423);
  assert.equal(spdyHeaderDictionary.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.equal(spdyHeaderDictionary.subarray(-6).toString(), 'enq=0.');
});

test('adler32 matches zlib’s dictionary id', () => {
  const z = zlib.deflateSync(Buffer.from('x'), { dictionary: spdyHeaderDictionary });
  assert.equal(z.readUInt32BE(2), adler32(spdyHeaderDictionary));
});

test('frames written by the writer read back, header blocks sharing one zlib context', () => {
  const w = new SpdyFrameWriter();
  const r = new SpdyFrameReader();
  const bytes = Buffer.concat([
    w.synStream(1, { streamtype: ['error'] }),
    w.synReply(1),
    w.synStream(3, { streamtype: ['stdout'], multi: ['a', 'b'] }, 1),
    w.data(3, Buffer.from('hi'), true),
    w.ping(7),
    w.goAway(3),
  ]);
  // Split mid-frame to exercise reassembly.
  const frames = [...r.push(bytes.subarray(0, 13)), ...r.push(bytes.subarray(13))];
  assert.deepEqual(frames, [
    { kind: 'synStream', streamId: 1, flags: 0, headers: { streamtype: ['error'] } },
    { kind: 'synReply', streamId: 1, flags: 0, headers: {} },
    { kind: 'synStream', streamId: 3, flags: 1, headers: { streamtype: ['stdout'], multi: ['a', 'b'] } },
    { kind: 'data', streamId: 3, flags: 1, data: Buffer.from('hi') },
    { kind: 'ping', id: 7 },
    { kind: 'goAway', lastGoodStreamId: 3, status: 0 },
  ]);
});

test('the reader inflates a real zlib sync-flushed stream across frames', async () => {
  // What Go's compressor sends: one deflate stream with the dictionary, sync-flushed per block.
  const [first, second] = await syncFlushedBlocks([encodeHeaderBlock({ streamtype: ['error'] }), encodeHeaderBlock({ streamtype: ['stdin'] })]);
  const r = new SpdyFrameReader();
  const frames = r.push(Buffer.concat([synStreamFrame(1, first), synStreamFrame(3, second)]));
  assert.deepEqual(
    frames.map((f) => (f.kind === 'synStream' ? f.headers.streamtype : undefined)),
    [['error'], ['stdin']],
  );
});

/** A Go-like SPDY compressor: one zlib stream with the dictionary, sync-flushed after each header block. */
function syncFlushedBlocks(blocks: Buffer[]): Promise<Buffer[]> {
  const deflate = zlib.createDeflate({ dictionary: spdyHeaderDictionary });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const out: Buffer[] = [];
  const next = (i: number): Promise<Buffer[]> => {
    if (i === blocks.length) return Promise.resolve(out);
    deflate.write(blocks[i]);
    return new Promise<void>((r) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => setImmediate(r))).then(() => {
      out.push(Buffer.concat(chunks.splice(0)));
      return next(i + 1);
    });
  };
  return next(0);
}

function synStreamFrame(id: number, z: Buffer): Buffer {
  const h = Buffer.alloc(18);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt32BE(10 + z.length, 4);
  h.writeUInt32BE(id, 8);
  return Buffer.concat([h, z]);
}

test('a long connection: thousands of header blocks decode, each costing only its own bytes', async () => {
  // A long `kubectl port-forward`: two streams (error, data) per forwarded connection.
  const n = 3000;
  const headers = Array.from({ length: n }, (_, i) => ({
    streamtype: [i % 2 ? 'data' : 'error'],
    port: ['8080'],
    requestid: [String(i >> 1)],
  }));
  const compressed = await syncFlushedBlocks(headers.map((h) => encodeHeaderBlock(h)));
  const r = new SpdyFrameReader();
  for (let i = 0; i < n; i++) {
    const [f] = r.push(synStreamFrame(2 * i + 1, compressed[i]));
    assert.deepEqual(f, { kind: 'synStream', streamId: 2 * i + 1, flags: 0, headers: headers[i] });
    // The work is proportional to the block: exactly its compressed bytes go to zlib
    // (less the 6-byte zlib header on the first), never the connection's history.
    assert.equal(r.inflater.lastInputBytes, compressed[i].length - (i === 0 ? 6 : 0));
  }
});

test('a header block that refers back past the dictionary into earlier blocks decodes', async () => {
  // Later blocks repeat a long value first sent earlier: the back-reference crosses blocks.
  const long = 'x'.repeat(200) + 'kanzen-'.repeat(100);
  const blocks = [encodeHeaderBlock({ a: [long] }), encodeHeaderBlock({ b: ['short'] }), encodeHeaderBlock({ a: [long] })];
  const compressed = await syncFlushedBlocks(blocks);
  assert.ok(compressed[2].length < 100, 'the third block is compressed against the first');
  const r = new SpdyFrameReader();
  const frames = compressed.flatMap((z, i) => r.push(synStreamFrame(i + 1, z)));
  assert.deepEqual(
    frames.map((f) => (f.kind === 'synStream' ? f.headers : undefined)),
    [{ a: [long] }, { b: ['short'] }, { a: [long] }],
  );
});

test('a header stream with the wrong dictionary ends the read with an error', () => {
  const z = zlib.deflateSync(encodeHeaderBlock({ a: ['b'] }), { dictionary: Buffer.from('not the spdy dictionary') });
  assert.throws(() => new SpdyFrameReader().push(synStreamFrame(1, z)), /invalid dictionary/);
});
