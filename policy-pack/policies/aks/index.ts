import type { ControlPolicy } from "../shared/control";
import { aks01, aks04, aks05, aks06 } from "./addons";
import { aks10 } from "./audit-logs";
import { aks03, aks07 } from "./identity";
import { aks12 } from "./image-integrity";
import { aks02, aks08 } from "./network";
import { aks13, aks15, aks16 } from "./node-pools";
import { aks11 } from "./pod-security";
import { aks09, aks14 } from "./versions";

/**
 * AKS-01..AKS-16: the AKS cluster, its add-ons, node pools and what runs in it.
 */
export const aksPolicies: ControlPolicy[] = [
  aks01,
  aks02,
  aks03,
  aks04,
  aks05,
  aks06,
  aks07,
  aks08,
  aks09,
  aks10,
  aks11,
  aks12,
  aks13,
  aks14,
  aks15,
  aks16,
];
