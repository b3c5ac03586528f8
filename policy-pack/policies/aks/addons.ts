import { equalsIgnoringCase, propertyIgnoringCase, shown } from "../shared/readers";
import { addon, clusterPolicy, isNonEmptyString } from "./cluster";

export const aks01 = clusterPolicy(
  { id: "AKS-01", seed: "15", level: "M", rule: "addonProfiles.azurepolicy.enabled is true" },
  (props) => {
    const enabled = addon(props, "azurepolicy")?.enabled;
    if (enabled === true) return [];
    return [
      `addonProfiles.azurepolicy.enabled is ${shown(enabled)}, set addonProfiles: { azurepolicy: { enabled: true } } (the Azure Policy add-on enforces pod security and image integrity)`,
    ];
  },
);

export const aks04 = clusterPolicy(
  {
    id: "AKS-04",
    seed: "13",
    level: "M",
    rule: "securityProfile.defender.securityMonitoring.enabled true with a Log Analytics workspace",
  },
  (props) => {
    const defender = props.securityProfile?.defender;
    const problems: string[] = [];
    if (defender?.securityMonitoring?.enabled !== true) {
      problems.push(
        `securityProfile.defender.securityMonitoring.enabled is ${shown(defender?.securityMonitoring?.enabled)}, set it to true (Defender for Containers sensor)`,
      );
    }
    if (!isNonEmptyString(defender?.logAnalyticsWorkspaceResourceId)) {
      problems.push(
        `securityProfile.defender.logAnalyticsWorkspaceResourceId is ${shown(defender?.logAnalyticsWorkspaceResourceId)}, set it to the Log Analytics workspace's id`,
      );
    }
    return problems;
  },
);

export const aks05 = clusterPolicy(
  {
    id: "AKS-05",
    seed: "17",
    level: "M",
    rule: "addonProfiles.omsagent enabled with a workspace (Container Insights)",
  },
  (props) => {
    const omsagent = addon(props, "omsagent");
    const problems: string[] = [];
    if (omsagent?.enabled !== true) {
      problems.push(
        `addonProfiles.omsagent.enabled is ${shown(omsagent?.enabled)}, set it to true (Container Insights)`,
      );
    }
    const workspace = propertyIgnoringCase(omsagent?.config, "logAnalyticsWorkspaceResourceID");
    if (!isNonEmptyString(workspace)) {
      problems.push(
        `addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID is ${shown(workspace)}, set it to the Log Analytics workspace's id`,
      );
    }
    return problems;
  },
);

export const aks06 = clusterPolicy(
  {
    id: "AKS-06",
    seed: "14",
    level: "M",
    rule: 'addonProfiles.azureKeyvaultSecretsProvider enabled with enableSecretRotation "true"',
  },
  (props) => {
    const provider = addon(props, "azureKeyvaultSecretsProvider");
    const problems: string[] = [];
    if (provider?.enabled !== true) {
      problems.push(
        `addonProfiles.azureKeyvaultSecretsProvider.enabled is ${shown(provider?.enabled)}, set it to true (Key Vault secrets reach pods through the CSI driver)`,
      );
    }
    const rotation = propertyIgnoringCase(provider?.config, "enableSecretRotation");
    if (!equalsIgnoringCase(rotation, "true")) {
      problems.push(
        `addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation is ${shown(rotation)}, set it to "true" so rotated secrets reach the pods`,
      );
    }
    return problems;
  },
);
