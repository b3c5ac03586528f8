/**
 * What the HTTP layer asks of the Redis client, standalone (ResilientConnection) or cluster
 * (ResilientCluster): can it serve requests at all right now.
 */
export interface RedisReadiness {
  isReady(): boolean;
}
