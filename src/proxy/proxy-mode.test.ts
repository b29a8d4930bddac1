import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideProxyMode, describeProxyMode, isProxyMode } from './proxy-mode.js';

test('nftables is kept when the kernel check finds nothing missing', () => {
  assert.deepEqual(decideProxyMode('nftables', undefined), { requested: 'nftables', mode: 'nftables' });
  assert.equal(describeProxyMode(decideProxyMode('nftables', undefined)), 'Proxy mode: nftables');
});

test('nftables falls back to userspace with the reason the kernel check gave', () => {
  const d = decideProxyMode('nftables', 'the nftables numgen expression (nft_numgen), which picks endpoints: Could not process rule: No such file or directory');
  assert.equal(d.mode, 'userspace');
  assert.equal(
    describeProxyMode(d),
    'Proxy mode: userspace (nftables is not usable here: the nftables numgen expression (nft_numgen), which picks endpoints: Could not process rule: No such file or directory)',
  );
});

test('userspace asked for is userspace, whatever the kernel can do', () => {
  assert.deepEqual(decideProxyMode('userspace', 'no nf_tables'), { requested: 'userspace', mode: 'userspace' });
});

test('only the two modes are modes', () => {
  assert.ok(isProxyMode('nftables') && isProxyMode('userspace'));
  assert.ok(!isProxyMode('iptables') && !isProxyMode(undefined) && !isProxyMode('NFTABLES'));
});
