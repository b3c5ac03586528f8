import type { PolicyResource } from "@pulumi/policy";
import { KUBERNETES_SECRET } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { ofType } from "../shared/readers";
import { referencesResource } from "../shared/relations";
import {
  ALL_CONTAINERS,
  type Container,
  containersOf,
  isWorkloadType,
  type Metadata,
  stackWorkloads,
  type WorkloadContainer,
} from "./workloads";

// ---------------------------------------------------------------------------------------------
// K8S-06: no secrets in env vars

// Not PWD: that is the shell's working directory.
const SECRET_NAME_WORDS = ["PASSWD", "PASSPHRASE", "CREDENTIAL", "CREDENTIALS"];

const SECRET_NAME_PARTS = [
  "PASSWORD",
  "SECRET",
  "TOKEN",
  "APIKEY",
  "ACCESSKEY",
  "PRIVATEKEY",
  "CONNECTIONSTRING",
  "CONNSTR",
];

/** Values that carry a credential whatever the variable is called. */
const CREDENTIAL_VALUES = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i,
  /(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey|clientsecret)\s*=/i,
];

const SECRET_FIX =
  "deliver secrets through the Key Vault CSI driver (a SecretProviderClass volume, read from a file) or use workload identity instead";

function nameWords(name: string): string[] {
  // "dbPassword" -> DB_PASSWORD, then split on anything that is not a letter or digit
  const snake = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
  return snake.split(/[^A-Z0-9]+/).filter((word) => word !== "");
}

function looksLikeSecretName(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === "KEY" || last === "KEYS") return true;
  if (words.some((word) => SECRET_NAME_WORDS.includes(word))) return true;
  const compact = words.join("");
  return SECRET_NAME_PARTS.some((part) => compact.includes(part));
}

/**
 * REDIS_PASSWORD_FILE=/mnt/secrets/redis-access-key: the variable names a file of a volume mount
 * (the CSI driver's), not the secret itself.
 */
function namesMountedFile(value: string, container: Container): boolean {
  if (!value.startsWith("/")) return false;
  return (container.volumeMounts ?? []).some(({ mountPath }) => {
    if (typeof mountPath !== "string") return false;
    const directory = mountPath.endsWith("/") ? mountPath : `${mountPath}/`;
    return value.startsWith(directory) && value.length > directory.length;
  });
}

function literalEnvFindings({ container, path }: WorkloadContainer): string[] {
  const findings: string[] = [];
  (container.env ?? []).forEach((variable, index) => {
    const name = variable.name ?? `#${index}`;
    const value = variable.value;
    if (typeof value !== "string" || value === "") return;
    const at = `${path}.env[${index}]`;
    if (CREDENTIAL_VALUES.some((pattern) => pattern.test(value))) {
      findings.push(`env ${name} (${at}.value) holds a credential in its literal value`);
    } else if (looksLikeSecretName(name) && !namesMountedFile(value, container)) {
      const hint = value.startsWith("/") ? " (a path, but not to a file of a volume mount)" : "";
      findings.push(`env ${name} (${at}.value) is a literal secret value${hint}`);
    }
  });
  return findings;
}

interface StackSecret {
  resource: PolicyResource;
  name: unknown;
  namespace: unknown;
}

/** Secrets the stack creates with data in them: their values sit in the program and the state. */
function secretsWithLiteralData(resources: PolicyResource[]): StackSecret[] {
  return ofType(resources, KUBERNETES_SECRET).flatMap((resource) => {
    const props = resource.props as {
      metadata?: Metadata;
      data?: Record<string, unknown>;
      stringData?: Record<string, unknown>;
    };
    const entries =
      Object.keys(props.data ?? {}).length + Object.keys(props.stringData ?? {}).length;
    if (entries === 0) return [];
    const metadata = props.metadata ?? {};
    return [{ resource, name: metadata.name, namespace: metadata.namespace }];
  });
}

/** The stack Secret a reference by name means: same name (and namespace), or a taken output. */
function referencedSecret(
  secretName: unknown,
  workload: PolicyResource,
  secrets: StackSecret[],
): StackSecret | undefined {
  const workloadNamespace = (workload.props as { metadata?: Metadata }).metadata?.namespace;
  return secrets.find((secret) => {
    if (typeof secret.name !== "string") return referencesResource(workload, secret.resource);
    const sameNamespace =
      typeof secret.namespace !== "string" ||
      typeof workloadNamespace !== "string" ||
      secret.namespace === workloadNamespace;
    return secret.name === secretName && sameNamespace;
  });
}

function secretReferenceFindings(
  { container, path }: WorkloadContainer,
  workload: PolicyResource,
  secrets: () => StackSecret[],
): string[] {
  const references = [
    ...(container.env ?? []).flatMap((variable, index) => {
      const reference = variable.valueFrom?.secretKeyRef;
      return reference
        ? [{ at: `${path}.env[${index}].valueFrom.secretKeyRef`, name: reference.name }]
        : [];
    }),
    ...(container.envFrom ?? []).flatMap((source, index) =>
      source.secretRef
        ? [{ at: `${path}.envFrom[${index}].secretRef`, name: source.secretRef.name }]
        : [],
    ),
  ];
  return references.flatMap(({ at, name }) => {
    const secret = referencedSecret(name, workload, secrets());
    return secret
      ? [`${at} reads Secret '${secret.resource.name}', which the stack creates with literal data`]
      : [];
  });
}

export const k8s06 = stackPolicy(
  {
    id: "K8S-06",
    seed: "14",
    level: "M",
    rule: "Stack: no secret values as literal env vars (nor from Secrets the stack fills); secrets arrive through the Key Vault CSI driver or workload identity",
  },
  {
    resourceTypes: (type) => isWorkloadType(type) || type === KUBERNETES_SECRET,
    validateStack: (args, reportViolation) => {
      let secrets: StackSecret[] | undefined;
      const stackSecrets = () => (secrets ??= secretsWithLiteralData(args.resources));
      for (const { resource, workload } of stackWorkloads(args.resources)) {
        for (const container of containersOf(workload, ALL_CONTAINERS)) {
          const findings = [
            ...literalEnvFindings(container),
            ...secretReferenceFindings(container, resource, stackSecrets),
          ];
          if (findings.length === 0) continue;
          reportViolation(
            `${workload.label} ${container.label}: ${findings.join("; ")}; ${SECRET_FIX}`,
            resource.urn,
          );
        }
      }
    },
  },
);
