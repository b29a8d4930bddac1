import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { runCommand } from '../node/cluster-network.js';
import { nftablesFeatures, nftablesUnavailable, nftCheckIn, probeTransaction, type NftCheck } from './nftables-support.js';

const isRoot = process.getuid?.() === 0;

describe('the kernel check in a network namespace', { skip: !isRoot && 'needs root for a network namespace' }, () => {
  const netns = `kz-test-nftcheck-${randomBytes(3).toString('hex')}`;
  before(() => runCommand('ip', ['netns', 'add', netns]));
  after(() => runCommand('ip', ['netns', 'del', netns]));

  test('this kernel runs every feature, and the check leaves the namespace without a table', async () => {
    assert.equal(await nftablesUnavailable(nftCheckIn(netns), 'e2e'), undefined);
    const { stdout } = await runCommand('ip', ['netns', 'exec', netns, 'nft', 'list', 'tables']);
    assert.equal(stdout.trim(), '');
  });

  test('each probe ruleset on its own is accepted by the kernel', async () => {
    for (const f of nftablesFeatures) await nftCheckIn(netns)(probeTransaction(f, 'e2e'));
  });
});

test('a namespace nft cannot enter: nf_tables is named, with the reason', async () => {
  const reason = await nftablesUnavailable(nftCheckIn('kz-test-no-such-namespace'), 'e2e');
  assert.match(reason ?? '', /^nf_tables \(the kernel has no nftables, or nft cannot reach it\): /);
  assert.match(reason ?? '', /kz-test-no-such-namespace|No such file|not found/);
});

test('the first feature the kernel refuses is the reason, in nft\'s words without the command line', async () => {
  // A kernel without nft_numgen: nft reports the rule it could not add.
  const refusesNumgen: NftCheck = async (ruleset) => {
    if (ruleset.includes('numgen')) throw new Error('nft -f -: /dev/stdin:4:5-80: Error: Could not process rule: No such file or directory\n    meta l4proto tcp …\n    ^^^^');
  };
  assert.equal(await nftablesUnavailable(refusesNumgen, 'x'), 'the nftables numgen expression (nft_numgen), which picks endpoints: Could not process rule: No such file or directory');
});
