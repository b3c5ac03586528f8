import type { ControlPolicy } from "../shared/control";
import { k8s10, k8s11 } from "./exposure";
import { k8s05 } from "./images";
import { k8s02 } from "./namespaces";
import { k8s01 } from "./network-policies";
import { k8s07 } from "./probes";
import { k8s04 } from "./resources";
import { k8s06 } from "./secrets";
import { k8s03, k8s09 } from "./security-context";
import { k8s08 } from "./service-account";

/**
 * K8S-01..K8S-11: the Kubernetes resources the stack deploys.
 */
export const k8sPolicies: ControlPolicy[] = [
  k8s01,
  k8s02,
  k8s03,
  k8s04,
  k8s05,
  k8s06,
  k8s07,
  k8s08,
  k8s09,
  k8s10,
  k8s11,
];
