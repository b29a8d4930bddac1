import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeProgramExit } from './fake-program.js';

test('programs whose outcome the command decides: true, false, echo, sleep (summed, with units)', () => {
  assert.deepEqual(fakeProgramExit(['true'], undefined), { afterMs: 0, exitCode: 0 });
  assert.deepEqual(fakeProgramExit(['/bin/false'], undefined), { afterMs: 0, exitCode: 1 });
  assert.deepEqual(fakeProgramExit(['echo'], ['hello', 'world']), { afterMs: 0, exitCode: 0 });
  assert.deepEqual(fakeProgramExit(['sleep'], ['5']), { afterMs: 5000, exitCode: 0 });
  assert.deepEqual(fakeProgramExit(['sleep', '1m', '0.5'], undefined), { afterMs: 60_500, exitCode: 0 });
});

test('sh -c scripts of those, with ; && newlines, quotes and exit N', () => {
  assert.deepEqual(fakeProgramExit(['sh', '-c', 'exit 3'], undefined), { afterMs: 0, exitCode: 3 });
  assert.deepEqual(fakeProgramExit(['/bin/sh', '-c'], ['sleep 2; exit 1']), { afterMs: 2000, exitCode: 1 });
  assert.deepEqual(fakeProgramExit(['sh', '-c', 'echo "hello; world" && sleep 1\nexit 0'], undefined), { afterMs: 1000, exitCode: 0 });
  // && skips what follows a failure; ; does not; the last status is the exit code.
  assert.deepEqual(fakeProgramExit(['bash', '-c', 'false && sleep 9; echo done'], undefined), { afterMs: 0, exitCode: 0 });
  assert.deepEqual(fakeProgramExit(['sh', '-c', 'sleep 1 && false'], undefined), { afterMs: 1000, exitCode: 1 });
  assert.deepEqual(fakeProgramExit(['sh', '-c', 'false; exit'], undefined), { afterMs: 0, exitCode: 1 });
  assert.deepEqual(fakeProgramExit(['sh', '-c', 'exit 300'], undefined), { afterMs: 0, exitCode: 44 });
});

test('anything whose outcome depends on more than the command is unknown (the container keeps running)', () => {
  assert.equal(fakeProgramExit(undefined, ['sleep', '5']), undefined, "args alone run the image's entrypoint");
  assert.equal(fakeProgramExit(['nginx', '-g', 'daemon off;'], undefined), undefined);
  assert.equal(fakeProgramExit(['sleep'], ['infinity']), undefined);
  assert.equal(fakeProgramExit(['sleep'], undefined), undefined);
  assert.equal(fakeProgramExit(['exit', '0'], undefined), undefined, 'a builtin is no program');
  for (const script of ['echo $HOME', 'cat /etc/hosts', 'echo a | wc -l', 'sleep 1 &', 'echo a > /tmp/x', 'x=1; exit 0', 'echo "unterminated', 'true || false', '&& true', 'echo `id`']) {
    assert.equal(fakeProgramExit(['sh', '-c', script], undefined), undefined, script);
  }
  assert.equal(fakeProgramExit(['sh', 'script.sh'], undefined), undefined);
});
