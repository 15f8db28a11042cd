// Federated averaging (docs/federated.md): the client API, the aggregation rules and update
// checks the aggregator runs, the wire format and the HTTP helpers. The aggregator itself is
// the Durable Object of worker.ts (dist/federated/worker.js), not part of this namespace.
export { client, FederatedClient, residualVariance, type FederatedClientOptions, type RoundReport } from './client.js';
export { ProximalOptimizer } from './prox.js';
export { aggregate, aggregationWeights, norm2, median, RULES, type AggregationRule, type ClientUpdate, type AggregateOptions } from './aggregate.js';
export { checkUpdate, REJECT_STATUS, type RejectReason, type Rejection, type Accepted, type IncomingUpdate, type RoundView, type UpdateLimits } from './validate.js';
export { encodeUpdate, decodeUpdate, encodeParams, decodeParams, type GlobalParams } from './wire.js';
export { createFederation, pullParams, pushUpdate, status, federationUrl, retryPolicy, type RetryPolicy, type PushResult } from './http.js';
export { federationConfig, type FederationOptions } from './config.js';
export type { FederationConfig, RoundState, RoundLog } from './store.js';
