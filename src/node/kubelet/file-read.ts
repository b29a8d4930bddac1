// Reading what a file gained past an offset: the LogPump (cri-log.ts) turns a container's
// raw output into records this way, and an attach (output-follower.ts) streams it.
import fs from 'node:fs';

/** The bytes of `file` from `offset` to its current end; none when it does not exist (yet). */
export function readFrom(file: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, offset));
  } finally {
    fs.closeSync(fd);
  }
}
