import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countByMark } from './active-connections.js';

// Lines as conntrack-tools 1.4.7 prints them (`conntrack -L`, kernel 6.x).
const listing = [
  'tcp      6 431995 ESTABLISHED src=10.0.0.2 dst=10.96.0.21 sport=40112 dport=80 src=10.244.1.2 dst=10.244.1.1 sport=8082 dport=40112 [ASSURED] mark=7 use=1',
  'tcp      6 431995 ESTABLISHED src=10.0.0.2 dst=10.96.0.21 sport=40114 dport=80 src=10.244.1.2 dst=10.244.1.1 sport=8082 dport=40114 [ASSURED] mark=7 use=1',
  'tcp      6 119 TIME_WAIT src=10.0.0.2 dst=10.96.0.21 sport=40100 dport=80 src=10.244.1.3 dst=10.244.1.1 sport=8082 dport=40100 [ASSURED] mark=8 use=1',
  'tcp      6 9 CLOSE src=10.0.0.2 dst=10.96.0.21 sport=40101 dport=80 src=10.244.1.3 dst=10.244.1.1 sport=8082 dport=40101 [ASSURED] mark=8 use=1',
  'tcp      6 58 SYN_RECV src=10.0.0.2 dst=10.96.0.21 sport=40102 dport=80 src=10.244.1.4 dst=10.244.1.1 sport=8082 dport=40102 mark=9 use=1',
  'udp      17 28 src=10.0.0.2 dst=10.96.0.15 sport=40002 dport=80 [UNREPLIED] src=10.244.1.2 dst=10.0.0.2 sport=5353 dport=40002 mark=12 use=1',
  'tcp      6 431999 ESTABLISHED src=10.244.1.1 dst=10.244.1.2 sport=51000 dport=8080 src=10.244.1.2 dst=10.244.1.1 sport=8080 dport=51000 [ASSURED] mark=0 use=1',
  '',
].join('\n');

test('open connections by conntrack mark: TIME_WAIT and CLOSE entries and unmarked connections are left out; UDP flows count', () => {
  assert.deepEqual(
    [...countByMark(listing)].sort((a, b) => a[0] - b[0]),
    [
      [7, 2],
      [9, 1],
      [12, 1],
    ],
  );
});
