/**
 * Observability: Prometheus metrics, health and readiness probes. Structured logs are pino's (src/server/server.ts
 * createLogger, with REDACTED_LOG_PATHS from src/api/api-deps.ts).
 */
export { createServiceMetrics, AGENT_STATES, type AgentState, type ServiceMetrics, type ServiceMetricsOptions } from './service-metrics.ts';
export { meteredProvisioningLog } from './metered-provisioning-log.ts';
export { observabilityRoutes, type ObservabilityOptions } from './health-routes.ts';
export { readMetricsToken } from './metrics-token.ts';
export { agentCounter } from './agent-counts.ts';
