// PodSpec and Container defaults (SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_EphemeralContainer,
// SetDefaults_Probe, SetDefaults_HTTPGetAction, volume-source defaults in
// pkg/apis/core/v1/defaults.go). Shared by Pods and pod templates.
import type { Container, HTTPGetAction, PodSpec, Probe, Volume } from '../types.js';

/** 0644: SecretVolumeSourceDefaultMode, ConfigMapVolumeSourceDefaultMode, … */
const defaultVolumeMode = 0o644;

export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  for (const c of spec.initContainers ?? []) defaultContainer(c, spec.hostNetwork === true);
  for (const c of spec.containers ?? []) defaultContainer(c, spec.hostNetwork === true);
  // SetDefaults_EphemeralContainer: an ephemeral container is defaulted as a container.
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c, spec.hostNetwork === true);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

export function defaultContainer(c: Container, hostNetwork: boolean): void {
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  c.imagePullPolicy ||= imagePullPolicyFor(c.image ?? '');
  c.resources ??= {};
  for (const p of c.ports ?? []) {
    p.protocol ||= 'TCP';
    // SetDefaults_PodSpec: with hostNetwork the host port is the container port.
    if (hostNetwork && !p.hostPort) p.hostPort = p.containerPort;
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (probe) defaultProbe(probe);
  for (const h of [c.lifecycle?.postStart, c.lifecycle?.preStop]) if (h?.httpGet) defaultHTTPGet(h.httpGet);
}

/** PullAlways for ":latest" or no tag, else IfNotPresent; a digest counts as a tag. */
export function imagePullPolicyFor(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const nameAndTag = image.slice(lastSlash + 1);
  const colon = nameAndTag.lastIndexOf(':');
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Probe): void {
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  if (p.httpGet) defaultHTTPGet(p.httpGet);
}

function defaultHTTPGet(h: HTTPGetAction): void {
  h.path ||= '/';
  h.scheme ||= 'HTTP';
}

function defaultVolume(v: Volume): void {
  if (v.secret) v.secret.defaultMode ??= defaultVolumeMode;
  if (v.configMap) v.configMap.defaultMode ??= defaultVolumeMode;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= defaultVolumeMode;
  if (v.projected) v.projected.defaultMode ??= defaultVolumeMode;
  if (v.hostPath) v.hostPath.type ??= '';
}
