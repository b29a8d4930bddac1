// What every controller is given (upstream: ControllerContext in kube-controller-manager):
// the API client, the shared informers, an event recorder, a logger and a clock. Controllers
// take nothing global, so a test builds exactly the context it needs.
import type { ApiClient } from '../client/api-client.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { EventRecorder } from '../client/event-recorder.js';
import type { Logger } from '../util/logger.js';

export interface ControllerOptions {
  /** How long a node may miss heartbeats before it is NotReady/Unknown (upstream node-monitor-grace-period, 40s). */
  nodeMonitorGracePeriodMs: number;
  /** How long pods stay on a NotReady/Unknown node before eviction (upstream default toleration, 300s). */
  podEvictionTimeoutMs: number;
  /** Loopback range LoadBalancer ingress IPs come from (kanzen up --lb-pool). */
  loadBalancerPool: string;
  /** The cluster CA (PEM) published in every namespace as ConfigMap kube-root-ca.crt; none: not published. */
  rootCACert?: string;
  /** Where the local-path provisioner makes volume directories (<home>/storage); none: it provisions nothing. */
  localPathStorageDir?: string;
  /** How often each HorizontalPodAutoscaler is synced (upstream --horizontal-pod-autoscaler-sync-period, 15s). */
  horizontalPodAutoscalerSyncPeriodMs: number;
  /** The scale-down stabilization window of autoscalers that set none (--horizontal-pod-autoscaler-downscale-stabilization, 5m). */
  horizontalPodAutoscalerDownscaleStabilizationMs: number;
  /** The usage ratio's distance from 1 within which autoscalers keep the count (--horizontal-pod-autoscaler-tolerance, 0.1). */
  horizontalPodAutoscalerTolerance: number;
  /** How long after a pod starts its cpu is read only once it is ready (--horizontal-pod-autoscaler-cpu-initialization-period, 5m). */
  horizontalPodAutoscalerCPUInitializationPeriodMs: number;
  /** How soon after its start a pod's readiness change still counts as its first (--horizontal-pod-autoscaler-initial-readiness-delay, 30s). */
  horizontalPodAutoscalerInitialReadinessDelayMs: number;
}

export const defaultControllerOptions: ControllerOptions = {
  nodeMonitorGracePeriodMs: 40_000,
  podEvictionTimeoutMs: 300_000,
  loadBalancerPool: '127.0.100.0/24',
  horizontalPodAutoscalerSyncPeriodMs: 15_000,
  horizontalPodAutoscalerDownscaleStabilizationMs: 300_000,
  horizontalPodAutoscalerTolerance: 0.1,
  horizontalPodAutoscalerCPUInitializationPeriodMs: 300_000,
  horizontalPodAutoscalerInitialReadinessDelayMs: 30_000,
};

export interface ControllerContext {
  client: ApiClient;
  informers: InformerFactory;
  /** Returns the recorder for a component name (e.g. "deployment-controller"). */
  recorder(component: string): EventRecorder;
  logger: Logger;
  now: () => Date;
  options: ControllerOptions;
}

export interface Controller {
  readonly name: string;
  /** Wires handlers and starts workers; informers are started by the manager afterwards. */
  start(): void;
  stop(): void;
}
