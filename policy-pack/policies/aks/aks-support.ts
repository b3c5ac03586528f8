/**
 * AKS's Kubernetes support window, as a dated table (control AKS-14).
 *
 * Source: the AKS Kubernetes release calendar and its LTS table,
 * https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar
 * (MicrosoftDocs/azure-aks-docs, articles/aks/supported-kubernetes-versions.md, the revision that
 * lists 1.32-1.37 with 1.37 GA in Oct 2026). "Unless an explicit date is provided, the End of Life
 * (EOL) date is the last day of the specified month": the dates below follow that rule. New
 * clusters cannot be created on a minor past its end of life (platform support does not include
 * cluster creation, same page, "Platform support policy"). Long-term support adds a year after
 * end of life and needs `supportPlan: AKSLongTermSupport` on the Premium tier
 * (https://learn.microsoft.com/azure/aks/long-term-support).
 *
 * Update the rows and `TABLE_AS_OF` from the page at least every 6 months; AKS-14 says so once the
 * table is older than that.
 */

export interface AksMinorSupport {
  minor: string;
  /** First day the minor is GA on AKS (first of the GA month). */
  generallyAvailable: string;
  /** Last day of community support. */
  endOfLife: string;
  /** Last day of long-term support (Premium tier with supportPlan AKSLongTermSupport). */
  ltsEndOfLife: string;
}

/** The day the table was last compared with the release calendar. */
export const TABLE_AS_OF = "2026-12-01";
/** How old the table may get before AKS-14 asks for an update. */
export const TABLE_MAX_AGE_MONTHS = 6;

export const AKS_SUPPORT_TABLE: readonly AksMinorSupport[] = [
  {
    minor: "1.29",
    generallyAvailable: "2024-03-01",
    endOfLife: "2025-03-31",
    ltsEndOfLife: "2026-04-30",
  },
  {
    minor: "1.30",
    generallyAvailable: "2024-07-01",
    endOfLife: "2025-08-22",
    ltsEndOfLife: "2026-07-31",
  },
  {
    minor: "1.31",
    generallyAvailable: "2024-11-01",
    endOfLife: "2025-11-01",
    ltsEndOfLife: "2026-11-30",
  },
  {
    minor: "1.32",
    generallyAvailable: "2025-04-01",
    endOfLife: "2026-03-31",
    ltsEndOfLife: "2027-03-31",
  },
  {
    minor: "1.33",
    generallyAvailable: "2025-06-01",
    endOfLife: "2026-07-31",
    ltsEndOfLife: "2027-07-31",
  },
  {
    minor: "1.34",
    generallyAvailable: "2025-11-01",
    endOfLife: "2026-11-30",
    ltsEndOfLife: "2027-11-30",
  },
  {
    minor: "1.35",
    generallyAvailable: "2026-03-01",
    endOfLife: "2027-03-31",
    ltsEndOfLife: "2028-03-31",
  },
  {
    minor: "1.36",
    generallyAvailable: "2026-06-01",
    endOfLife: "2027-06-30",
    ltsEndOfLife: "2028-06-30",
  },
  {
    minor: "1.37",
    generallyAvailable: "2026-10-01",
    endOfLife: "2027-10-31",
    ltsEndOfLife: "2028-10-31",
  },
];

export interface SupportQuestion {
  kubernetesVersion: string;
  /** ISO date (YYYY-MM-DD) of the check. */
  today: string;
  longTermSupport: boolean;
}

export type SupportAnswer =
  { supported: true; until: string; lts: boolean } | { supported: false; reason: string };

/** The minor of "1.36" or "1.36.2". */
export function minorOf(version: string): string | undefined {
  return /^(\d+\.\d+)(\.\d+)?$/.exec(version.trim())?.[1];
}

function supportedMinors(today: string): string[] {
  return AKS_SUPPORT_TABLE.filter(
    (row) => row.generallyAvailable <= today && today <= row.endOfLife,
  ).map((row) => row.minor);
}

/** Whether AKS supports `kubernetesVersion` on `today`, by the table. */
export function aksSupport(question: SupportQuestion): SupportAnswer {
  const { kubernetesVersion, today, longTermSupport } = question;
  const choices = `supported on ${today}: ${supportedMinors(today).join(", ") || "none in the table"}`;
  const minor = minorOf(kubernetesVersion);
  if (minor === undefined) {
    return { supported: false, reason: `is not a Kubernetes version such as 1.36 (${choices})` };
  }
  const row = AKS_SUPPORT_TABLE.find((candidate) => candidate.minor === minor);
  if (!row) {
    return {
      supported: false,
      reason: `is a minor the pack's AKS support table (as of ${TABLE_AS_OF}) does not list; use a listed GA minor (${choices}) or update policy-pack/policies/aks/aks-support.ts from the AKS release calendar`,
    };
  }
  if (today < row.generallyAvailable) {
    return {
      supported: false,
      reason: `is not GA on AKS before ${row.generallyAvailable} (${choices})`,
    };
  }
  if (today <= row.endOfLife) return { supported: true, until: row.endOfLife, lts: false };
  if (longTermSupport && today <= row.ltsEndOfLife) {
    return { supported: true, until: row.ltsEndOfLife, lts: true };
  }
  const lts = longTermSupport
    ? `its long-term support ended on ${row.ltsEndOfLife}`
    : `long-term support (until ${row.ltsEndOfLife}) needs sku.tier "Premium" and supportPlan "AKSLongTermSupport"`;
  return {
    supported: false,
    reason: `reached AKS end of life on ${row.endOfLife}, so new clusters cannot be created on it (${lts}); upgrade to a minor ${choices}`,
  };
}

/** Whether the table is older than TABLE_MAX_AGE_MONTHS on `today`. */
export function tableIsStale(today: string, asOf: string = TABLE_AS_OF): boolean {
  const limit = new Date(`${asOf}T00:00:00Z`);
  limit.setUTCMonth(limit.getUTCMonth() + TABLE_MAX_AGE_MONTHS);
  return new Date(`${today}T00:00:00Z`) > limit;
}
