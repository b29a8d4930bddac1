import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, resources, type ResourceInfo } from '../../api/resources.js';
import { defaultPrinter } from '../../api/printers/index.js';
import { printerFor } from './index.js';

function info(group: string, resource: string): ResourceInfo {
  const version = group === '' ? 'v1' : resources.find((r) => r.group === group && r.resource === resource)!.version;
  return findResource(group, version, resource)!;
}

test('each module names the printer of its kind: kubectl get columns as upstream prints them', () => {
  const firstColumns: [string, string, string[]][] = [
    ['', 'pods', ['Name', 'Ready', 'Status', 'Restarts', 'Age']],
    ['', 'services', ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age']],
    ['', 'endpoints', ['Name', 'Endpoints', 'Age']],
    ['discovery.k8s.io', 'endpointslices', ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']],
    ['apps', 'deployments', ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']],
    ['apps', 'replicasets', ['Name', 'Desired', 'Current', 'Ready', 'Age']],
    ['', 'nodes', ['Name', 'Status', 'Roles', 'Age', 'Version']],
    ['', 'namespaces', ['Name', 'Status', 'Age']],
    ['', 'events', ['Last Seen', 'Type', 'Reason', 'Object', 'Message']],
    ['', 'configmaps', ['Name', 'Data', 'Age']],
    ['', 'secrets', ['Name', 'Type', 'Data', 'Age']],
    ['', 'serviceaccounts', ['Name', 'Secrets', 'Age']],
    ['coordination.k8s.io', 'leases', ['Name', 'Holder', 'Age']],
    ['policy', 'poddisruptionbudgets', ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']],
  ];
  for (const [group, resource, names] of firstColumns) {
    const cols = printerFor(info(group, resource)).columns.filter((c) => c.priority === 0).map((c) => c.name);
    assert.deepEqual(cols, names, resource);
  }
});

test('a kind whose module names no printer gets the default NAME / CREATED AT', () => {
  const widget: ResourceInfo = { ...info('', 'configmaps'), group: 'example.com', resource: 'widgets', kind: 'Widget', listKind: 'WidgetList' };
  assert.equal(printerFor(widget), defaultPrinter);
});
