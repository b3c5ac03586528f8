import type { Logger } from "pino";

/** The pub/sub channel on which Azure Cache for Redis announces maintenance. */
export const AZURE_REDIS_EVENTS_CHANNEL = "AzureRedisEvents";

export type MaintenanceNotice = Record<string, string>;

/** `NotificationType|NodeMaintenanceStart|StartTimeInUTC|...|IsReplica|False` -> key/value pairs. */
export function parseNotice(message: string): MaintenanceNotice {
  const parts = message.split("|");
  const notice: MaintenanceNotice = {};
  for (let i = 0; i + 1 < parts.length; i += 2) notice[parts[i].trim()] = parts[i + 1].trim();
  return notice;
}

/**
 * Tracks Azure maintenance: from NodeMaintenanceStart to NodeMaintenanceFailoverComplete (or
 * Ended) writes are refused with 503 rather than risking one that silently fails over. A notice
 * about a replica does not touch the primary and blocks nothing. A safety bound lifts the block
 * if the end notice is lost.
 */
export class MaintenanceWindow {
  private blockedUntil = 0;

  constructor(
    private readonly maxBlockMs: number,
    private readonly logger: Logger,
    private readonly onChange: (active: boolean) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  writesBlocked(): boolean {
    return this.now() < this.blockedUntil;
  }

  handle(message: string): void {
    const notice = parseNotice(message);
    const type = notice.NotificationType ?? "unknown";
    this.logger.info({ notice }, `azure redis maintenance notice: ${type}`);
    if (notice.IsReplica?.toLowerCase() === "true") return;
    if (type === "NodeMaintenanceStart") this.setBlocked(this.now() + this.maxBlockMs);
    if (type === "NodeMaintenanceFailoverComplete" || type === "NodeMaintenanceEnded")
      this.setBlocked(0);
  }

  private setBlocked(until: number): void {
    const wasBlocked = this.writesBlocked();
    this.blockedUntil = until;
    if (wasBlocked !== this.writesBlocked()) this.onChange(this.writesBlocked());
  }
}
