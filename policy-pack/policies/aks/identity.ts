import { shown } from "../shared/readers";
import { clusterPolicy } from "./cluster";

export const aks03 = clusterPolicy(
  {
    id: "AKS-03",
    seed: "1",
    level: "M",
    rule: "aadProfile.managed and aadProfile.enableAzureRBAC true, disableLocalAccounts true, enableRBAC not false",
  },
  (props) => {
    const problems: string[] = [];
    if (props.aadProfile?.managed !== true) {
      problems.push(
        `aadProfile.managed is ${shown(props.aadProfile?.managed)}, set aadProfile.managed: true (Entra ID sign-in)`,
      );
    }
    if (props.aadProfile?.enableAzureRBAC !== true) {
      problems.push(
        `aadProfile.enableAzureRBAC is ${shown(props.aadProfile?.enableAzureRBAC)}, set aadProfile.enableAzureRBAC: true (Kubernetes authorization through Azure role assignments)`,
      );
    }
    if (props.disableLocalAccounts !== true) {
      problems.push(
        `disableLocalAccounts is ${shown(props.disableLocalAccounts)}, set disableLocalAccounts: true (no static admin kubeconfig)`,
      );
    }
    if (props.enableRBAC === false) {
      problems.push(`enableRBAC is false, set enableRBAC: true`);
    }
    return problems;
  },
);

export const aks07 = clusterPolicy(
  {
    id: "AKS-07",
    seed: "14",
    level: "M",
    rule: "oidcIssuerProfile.enabled and securityProfile.workloadIdentity.enabled true",
  },
  (props) => {
    const problems: string[] = [];
    if (props.oidcIssuerProfile?.enabled !== true) {
      problems.push(
        `oidcIssuerProfile.enabled is ${shown(props.oidcIssuerProfile?.enabled)}, set oidcIssuerProfile: { enabled: true }`,
      );
    }
    const workloadIdentity = props.securityProfile?.workloadIdentity?.enabled;
    if (workloadIdentity !== true) {
      problems.push(
        `securityProfile.workloadIdentity.enabled is ${shown(workloadIdentity)}, set it to true (pods reach Azure with federated credentials, not secrets)`,
      );
    }
    return problems;
  },
);
